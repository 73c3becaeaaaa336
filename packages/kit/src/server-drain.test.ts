import { once } from 'node:events';
import { Agent, request } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startService, type RequestHandler } from './server.js';
import { capturedLogger } from './test-fixtures/log-capture.js';
import { testConfig } from './testing.js';

/** The stop's steps in this process (without signals): drain, drain timeout, clean-up, once. */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

/** A handler that holds each request until `release` is called, and says when one arrived and when it was answered. */
function held(answered?: () => void): { handler: RequestHandler; arrived: Promise<void>; release: () => void } {
  let arrive!: () => void;
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  const waiting: (() => void)[] = [];
  return {
    handler: (_req, res) => {
      waiting.push(() => res.end('done', answered));
      arrive();
    },
    arrived,
    release: () => waiting.splice(0).forEach((answer) => answer()),
  };
}

/** A GET on a connection of its own, whose outcome (answer or failure) is reported, never thrown. */
function get(port: number, path = '/'): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk));
      res.once('end', () => resolve({ status: res.statusCode!, body }));
      res.once('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    req.once('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end();
  });
}

describe('stopping a service', () => {
  it('waits for the request in flight, then releases what the service holds, then says it stopped', async () => {
    const { logger, lines } = capturedLogger();
    const order: string[] = [];
    const gate = held(() => order.push('answered'));
    const running = await startService({
      config: testConfig({ DRAIN_TIMEOUT_MS: 10_000 }),
      logger,
      handler: gate.handler,
      handleSignals: false,
      onClose: async () => void order.push('onClose'),
    });
    const answer = get(running.port);
    await gate.arrived;
    const stopped = running.shutdown('test');
    expect(running.shutdown('again')).toBe(stopped);
    expect(lines.find((line) => line.msg === 'draining')).toMatchObject({ reason: 'test', inFlight: 1 });
    // The stop is waiting on the request: let the event loop turn, and it is still waiting.
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    gate.release();
    await stopped;
    expect(await answer).toEqual({ status: 200, body: 'done' });
    expect(order).toEqual(['answered', 'onClose']);
    expect(lines.filter((line) => line.msg === 'draining')).toHaveLength(1);
    expect(lines.at(-1)).toMatchObject({ msg: 'stopped', level: 30 });
    expect(lines.some((line) => line.msg === 'drain timeout: closing remaining connections')).toBe(false);
  });

  it('waits for every request in flight, not only the first to finish', async () => {
    const { logger } = capturedLogger();
    const answers: (() => void)[] = [];
    let arrive!: () => void;
    const bothArrived = new Promise<void>((resolve) => (arrive = resolve));
    const handler: RequestHandler = (_req, res) => {
      if (answers.push(() => res.end('done')) === 2) arrive();
    };
    const running = await startService({ config: testConfig(), logger, handler, handleSignals: false });
    const first = get(running.port);
    const second = get(running.port);
    await bothArrived;
    const stopped = running.shutdown('test');
    answers[0]!();
    expect(await first).toEqual({ status: 200, body: 'done' });
    answers[1]!();
    expect(await second).toEqual({ status: 200, body: 'done' });
    await stopped;
  });

  it('closes idle keep-alive connections at once, while a request is still running on another', async () => {
    const { logger } = capturedLogger();
    const gate = held();
    let idle: Socket | undefined;
    const running = await startService({
      config: testConfig(),
      logger,
      handler: (req, res) => (req.url === '/quick' ? void res.end('quick') : gate.handler(req, res)),
      handleSignals: false,
    });
    cleanups.push(async () => gate.release());
    const agent = new Agent({ keepAlive: true });
    cleanups.push(async () => agent.destroy());
    await new Promise<void>((resolve) =>
      request({ host: '127.0.0.1', port: running.port, path: '/quick', agent }, (res) => {
        idle = res.socket;
        res.resume().once('end', resolve);
      }).end(),
    );
    const slow = get(running.port);
    await gate.arrived;
    const idleClosed = once(idle!, 'close');
    void running.shutdown('test');
    await idleClosed;
    gate.release();
    expect(await slow).toEqual({ status: 200, body: 'done' });
  });

  it('closes a request still running at DRAIN_TIMEOUT_MS, saying how many were left', async () => {
    const { logger, lines } = capturedLogger();
    const gate = held();
    const running = await startService({ config: testConfig({ DRAIN_TIMEOUT_MS: 100 }), logger, handler: gate.handler, handleSignals: false });
    const answers = [get(running.port), get(running.port)];
    await gate.arrived;
    const started = performance.now();
    await running.shutdown('test');
    expect(performance.now() - started).toBeGreaterThanOrEqual(99);
    expect(await Promise.all(answers)).toEqual([{ error: 'ECONNRESET' }, { error: 'ECONNRESET' }]);
    expect(lines.find((line) => line.msg === 'drain timeout: closing remaining connections')).toMatchObject({ level: 40, inFlight: 2 });
  });

  it('stops at once when nothing is in flight, whatever the drain timeout', async () => {
    const { logger } = capturedLogger();
    const running = await startService({ config: testConfig({ DRAIN_TIMEOUT_MS: 60_000 }), logger, handler: (_req, res) => void res.end(), handleSignals: false });
    await get(running.port);
    const started = performance.now();
    await running.shutdown('test');
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await get(running.port)).toEqual({ error: 'ECONNREFUSED' });
  });

  it('with no shutdown delay, closes its listener at once and refuses new connections while a request is still running', async () => {
    const { logger } = capturedLogger();
    const gate = held();
    const running = await startService({ config: testConfig(), logger, handler: gate.handler, handleSignals: false });
    cleanups.push(async () => gate.release());
    const answer = get(running.port);
    await gate.arrived;
    const stopped = running.shutdown('test');
    expect(running.server.listening).toBe(false);
    expect(await get(running.port)).toEqual({ error: 'ECONNREFUSED' });
    gate.release();
    expect(await answer).toEqual({ status: 200, body: 'done' });
    await stopped;
  });
});

describe('the listener', () => {
  it('reports the port it bound and bounds how long a slow client may take', async () => {
    const { logger, lines } = capturedLogger();
    const running = await startService({ config: testConfig(), logger, handler: (_req, res) => void res.end(), handleSignals: false });
    cleanups.push(() => running.shutdown('test'));
    expect(running.port).toBeGreaterThan(0);
    expect(lines.find((line) => line.msg === 'listening')).toMatchObject({ port: running.port });
    expect({ headers: running.server.headersTimeout, request: running.server.requestTimeout, keepAlive: running.server.keepAliveTimeout }).toEqual({
      headers: 10_000,
      request: 30_000,
      keepAlive: 5_000,
    });
  });

  it('fails to start when its port is taken', async () => {
    const { logger } = capturedLogger();
    const first = await startService({ config: testConfig(), logger, handler: (_req, res) => void res.end(), handleSignals: false });
    cleanups.push(() => first.shutdown('test'));
    await expect(startService({ config: testConfig({ PORT: first.port }), logger, handler: (_req, res) => void res.end(), handleSignals: false })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });
});
