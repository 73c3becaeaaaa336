import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * A kit service in a child process (test-fixtures/service.ts), stopped by real signals: what a pod goes through
 * when Kubernetes stops it. Every wait is on an event: the child's messages, its log lines, a response, its exit.
 */

const FIXTURE = fileURLToPath(new URL('./test-fixtures/service.ts', import.meta.url));
/** The kit's telemetry flush budget and exit margin, which the exit deadline adds to the delay and the drain. */
const FLUSH_AND_MARGIN_MS = 2_000 + 1_000;

interface Service {
  child: ChildProcess;
  port: number;
  /** Resolves with the first JSON log line whose `msg` is `msg`. */
  logged(msg: string): Promise<Record<string, unknown>>;
  /** Resolves with the first IPC message of that type. */
  message(type: string): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

async function startChild(env: Record<string, string>): Promise<Service> {
  const child = fork(FIXTURE, [], {
    execArgv: ['--experimental-transform-types', '--no-warnings'],
    // Only what the test sets: nothing of the test runner's environment configures the service.
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  children.push(child);
  // Waits end with the child: one that exits without the line or message fails the test at once.
  const closed = once(child, 'close');
  const reader = createInterface({ input: child.stdout! });
  const lines: Record<string, unknown>[] = [];
  reader.on('line', (text) => lines.push(JSON.parse(text) as Record<string, unknown>));
  const messages: Record<string, unknown>[] = [];
  child.on('message', (message: Record<string, unknown>) => messages.push(message));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null, at: performance.now() }));
  // Each list is filled by the listener registered first, so a waiter's check, registered after, sees the new item.
  const waitFor = <T>(list: T[], emitter: NodeJS.EventEmitter, event: string, test: (item: T) => boolean, what: string) =>
    new Promise<T>((resolve, reject) => {
      const seen = list.find(test);
      if (seen) return resolve(seen);
      const check = () => {
        const found = list.find(test);
        if (found) {
          emitter.off(event, check);
          resolve(found);
        }
      };
      emitter.on(event, check);
      void closed.then(() => setImmediate(() => reject(new Error(`the service ended (exit ${child.exitCode}) without ${what}`))));
    });
  const logged = (msg: string) => waitFor(lines, reader, 'line', (line) => line.msg === msg, `logging "${msg}"`);
  const message = (type: string) => waitFor(messages, child, 'message', (m) => m.type === type, `sending "${type}"`);
  // The kit tells a parent that started it over IPC where it listens, as it tells the local runtime.
  const listening = await message('listening');
  return { child, port: listening.port as number, logged, message, exited };
}

interface Answer {
  status: number;
  connection: string | undefined;
  body: string;
}

/**
 * A GET on a new keep-alive connection (its own agent: a client that would keep it open), so that `Connection: close`
 * in the answer is the service's doing. `firstChunk` resolves once the first bytes of the body arrived.
 */
function get(port: number, path: string): { answer: Promise<Answer>; firstChunk: Promise<void> } {
  let chunkArrived!: () => void;
  const firstChunk = new Promise<void>((resolve) => (chunkArrived = resolve));
  const answer = new Promise<Answer>((resolve, reject) => {
    const agent = new Agent({ keepAlive: true });
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        chunkArrived();
      });
      res.once('end', () => {
        agent.destroy();
        resolve({ status: res.statusCode!, connection: res.headers.connection, body });
      });
      res.once('error', (error) => reject(Object.assign(error, { body })));
    });
    req.once('error', (error) => {
      agent.destroy();
      reject(error);
    });
    req.end();
  });
  // Handled here too: a test that fails before awaiting it must not also report an unhandled rejection.
  answer.catch(() => undefined);
  return { answer, firstChunk };
}

describe('a kit service stopped with SIGTERM (a child process)', () => {
  it('finishes the request in flight, answers new connections through the shutdown delay, then closes its listener and exits 0', { timeout: 30_000 }, async () => {
    const service = await startChild({ SHUTDOWN_DELAY_MS: '1500', DRAIN_TIMEOUT_MS: '10000' });
    const inFlight = get(service.port, '/slow');
    await inFlight.firstChunk;

    const signalledAt = performance.now();
    service.child.kill('SIGTERM');
    expect(await service.logged('draining')).toMatchObject({ reason: 'SIGTERM', inFlight: 1 });

    // Within the shutdown delay a new connection is still accepted and answered, with Connection: close.
    expect(await get(service.port, '/hello').answer).toEqual({ status: 200, connection: 'close', body: 'hello\n' });
    const readiness = await get(service.port, '/readyz').answer;
    expect(readiness.status).toBe(503);
    expect(JSON.parse(readiness.body)).toEqual({ error: 'Service Unavailable', message: 'draining' });

    // Past the delay the listener closes: new connections are refused, the request in flight still runs.
    await service.message('listener-closed');
    await expect(get(service.port, '/hello').answer).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(service.child.exitCode).toBeNull();

    service.child.send('release');
    expect(await inFlight.answer).toEqual({ status: 200, connection: 'keep-alive', body: 'first half\nsecond half\n' });
    const exit = await service.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    // It exits once the last request is done, well before the drain timeout would have ended the wait.
    expect(exit.at - signalledAt).toBeLessThan(10_000);
    expect(await service.logged('stopped')).toMatchObject({ service: 'sigterm-fixture' });
  });

  it('closes a request still running at the drain timeout and exits 0', { timeout: 30_000 }, async () => {
    const service = await startChild({ SHUTDOWN_DELAY_MS: '0', DRAIN_TIMEOUT_MS: '300' });
    const stuck = get(service.port, '/slow');
    await stuck.firstChunk;
    service.child.kill('SIGTERM');
    expect(await service.logged('drain timeout: closing remaining connections')).toMatchObject({ level: 40, inFlight: 1 });
    await expect(stuck.answer).rejects.toMatchObject({ body: 'first half\n' });
    expect(await service.exited).toMatchObject({ code: 0, signal: null });
  });

  it('exits 1 at its deadline (delay + drain + flush budget + margin) when its clean-up never ends', { timeout: 30_000 }, async () => {
    const service = await startChild({ SHUTDOWN_DELAY_MS: '0', DRAIN_TIMEOUT_MS: '200', HANG_ON_CLOSE: '1' });
    const signalledAt = performance.now();
    service.child.kill('SIGTERM');
    const deadline = 0 + 200 + FLUSH_AND_MARGIN_MS;
    expect(await service.logged('exit deadline passed: exiting with requests or clean-up unfinished')).toMatchObject({ level: 50, deadlineMs: deadline });
    const exit = await service.exited;
    expect(exit).toMatchObject({ code: 1, signal: null });
    expect(exit.at - signalledAt).toBeGreaterThanOrEqual(deadline);
  });

  it('drains and exits 0 on SIGINT, and when the runtime that started it goes away', { timeout: 30_000 }, async () => {
    const interrupted = await startChild({ SHUTDOWN_DELAY_MS: '0' });
    interrupted.child.kill('SIGINT');
    expect(await interrupted.logged('draining')).toMatchObject({ reason: 'SIGINT' });
    expect(await interrupted.exited).toMatchObject({ code: 0, signal: null });

    const orphaned = await startChild({ SHUTDOWN_DELAY_MS: '0' });
    orphaned.child.disconnect();
    expect(await orphaned.logged('draining')).toMatchObject({ reason: 'runtime gone' });
    expect(await orphaned.exited).toMatchObject({ code: 0, signal: null });
  });
});
