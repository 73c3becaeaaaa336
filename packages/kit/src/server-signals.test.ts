import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startService, type RunningService } from './server.js';
import { capturedLogger } from './test-fixtures/log-capture.js';
import { testConfig } from './testing.js';

/**
 * The kit's signal handling, in this process: the signals are emitted here and process.exit is stood in for, so that
 * the stop's steps can be checked one by one (server-sigterm.test.ts sends real signals to a child process). Only the
 * global setTimeout is faked, for the exit deadline; everything else runs on real time.
 */

const EVENTS = ['SIGTERM', 'SIGINT', 'disconnect'] as const;
let listenersBefore: Record<string, Function[]>;
let exited: Promise<number>;
let exit: ReturnType<typeof vi.fn>;
const originalSend = process.send;
let sent: unknown[];

beforeEach(() => {
  listenersBefore = Object.fromEntries(EVENTS.map((event) => [event, process.rawListeners(event)]));
  let resolveExit!: (code: number) => void;
  exited = new Promise((resolve) => (resolveExit = resolve));
  exit = vi.fn((code?: number) => resolveExit(code ?? 0));
  vi.spyOn(process, 'exit').mockImplementation(exit as never);
  vi.useFakeTimers({ toFake: ['setTimeout'] });
  sent = [];
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  process.send = originalSend;
  // What the kit registered on this (test runner's) process goes with the test.
  for (const event of EVENTS) for (const listener of added(event)) process.off(event, listener as () => void);
});

/** The listeners the kit registered for `event` during this test (as registered: `once` ones in their wrapper). */
function added(event: (typeof EVENTS)[number]): Function[] {
  return process.rawListeners(event).filter((listener) => !listenersBefore[event]!.includes(listener));
}

/**
 * Delivers `event` to the kit's listeners only: the test runner's worker has handlers of its own (a SIGTERM would
 * end it). A `once` listener's wrapper removes itself as the real event would.
 */
function deliver(event: (typeof EVENTS)[number]): void {
  for (const listener of added(event)) (listener as () => void)();
}

/** Stands in for the IPC channel of a process the runtime started; the test runner's own messages pass through. */
function withParent(): void {
  process.send = ((message: unknown, ...rest: unknown[]) => {
    if ((message as { type?: unknown })?.type === 'listening') return sent.push(message) > 0;
    return originalSend ? (originalSend as (...args: unknown[]) => boolean).call(process, message, ...rest) : true;
  }) as typeof process.send;
}

async function start(overrides: Parameters<typeof testConfig>[0] = {}, onClose?: () => Promise<void>) {
  const { logger, lines } = capturedLogger();
  const running: RunningService = await startService({ config: testConfig(overrides), logger, handler: (_req, res) => void res.end('ok'), ...(onClose ? { onClose } : {}) });
  return { running, lines };
}

describe('signals and the runtime going away', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`drains on ${signal}, stops, and exits 0`, async () => {
      const { running, lines } = await start();
      deliver(signal);
      expect(await exited).toBe(0);
      expect(lines.find((line) => line.msg === 'draining')).toMatchObject({ reason: signal, inFlight: 0 });
      expect(lines.at(-1)).toMatchObject({ msg: 'stopped' });
      expect(running.server.listening).toBe(false);
    });
  }

  it('tells the runtime that started it where it listens, and stops when the runtime goes away', async () => {
    withParent();
    const { running, lines } = await start();
    expect(sent).toEqual([{ type: 'listening', port: running.port }]);
    deliver('disconnect');
    expect(await exited).toBe(0);
    expect(lines.find((line) => line.msg === 'draining')).toMatchObject({ reason: 'runtime gone' });
  });

  it('sends nothing and listens for no disconnect when no runtime started it', async () => {
    process.send = undefined;
    await start();
    expect(added('disconnect')).toHaveLength(0);
    expect(added('SIGTERM')).toHaveLength(1);
  });

  it('handles each signal once', async () => {
    await start();
    expect(added('SIGTERM')).toHaveLength(1);
    expect(added('SIGINT')).toHaveLength(1);
    deliver('SIGTERM');
    await exited;
    expect(added('SIGTERM')).toHaveLength(0);
  });

  it('registers nothing with handleSignals false', async () => {
    const { logger } = capturedLogger();
    withParent();
    const running = await startService({ config: testConfig(), logger, handler: (_req, res) => void res.end(), handleSignals: false });
    expect(EVENTS.map((event) => added(event).length)).toEqual([0, 0, 0]);
    expect(sent).toEqual([]);
    await running.shutdown('test');
  });

  it('exits 1 at the deadline, SHUTDOWN_DELAY_MS + DRAIN_TIMEOUT_MS + 2 s flush + 1 s margin, when the clean-up hangs', async () => {
    const { lines } = await start({ SHUTDOWN_DELAY_MS: 0, DRAIN_TIMEOUT_MS: 250 }, () => new Promise<void>(() => {}));
    deliver('SIGTERM');
    await vi.advanceTimersByTimeAsync(3_249);
    expect(exit).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(exit).toHaveBeenCalledWith(1);
    expect(lines.find((line) => line.msg === 'exit deadline passed: exiting with requests or clean-up unfinished')).toMatchObject({ level: 50, deadlineMs: 3_250 });
  });

  it('counts the shutdown delay in the deadline', async () => {
    const { lines } = await start({ SHUTDOWN_DELAY_MS: 40, DRAIN_TIMEOUT_MS: 0 }, () => new Promise<void>(() => {}));
    deliver('SIGTERM');
    await vi.advanceTimersByTimeAsync(3_040);
    expect(exit).toHaveBeenCalledWith(1);
    expect(lines.find((line) => String(line.msg).startsWith('exit deadline'))).toMatchObject({ deadlineMs: 3_040 });
  });

  it('exits 1, saying why, when the clean-up fails', async () => {
    const { lines } = await start({}, () => Promise.reject(new Error('database gone')));
    deliver('SIGTERM');
    expect(await exited).toBe(1);
    expect(lines.find((line) => line.msg === 'shutdown failed')).toMatchObject({ level: 50, err: { message: 'database gone' } });
  });
});
