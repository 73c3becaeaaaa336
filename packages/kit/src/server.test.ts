import { Agent, request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { expressApp } from './express.js';
import { fastifyApp, fastifyHandler } from './fastify.js';
import { startService } from './server.js';
import { silentLogger as logger, testConfig } from './testing.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

describe('startService', () => {
  it('leaves a server error after start-up unhandled, as an uncaught error, rather than swallowed by the listen step', async () => {
    const running = await startService({ config: testConfig(), logger, handler: (_req, res) => res.end(), handleSignals: false });
    cleanups.push(() => running.shutdown('test'));
    expect(() => running.server.emit('error', new Error('accept failed'))).toThrow('accept failed');
  });

  it('answers probes, and finishes in-flight requests while draining', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const app = expressApp(logger, (a) => a.get('/slow', async (_req, res) => void (await gate, res.json({ finished: true }))));
    const running = await startService({ config: testConfig(), logger, handler: app, handleSignals: false });
    const base = `http://127.0.0.1:${running.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    const inFlight = fetch(`${base}/slow`);
    await new Promise<void>((resolve) => running.server.once('request', () => resolve()));
    const stopped = running.shutdown('test');
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ finished: true });
    await stopped;
  });

  it('keeps serving through SHUTDOWN_DELAY_MS, on idle keep-alive connections and new ones, then refuses', async () => {
    const app = expressApp(logger, (a) => a.get('/hello', (_req, res) => void res.json({ hello: true })));
    const running = await startService({ config: testConfig({ SHUTDOWN_DELAY_MS: 1_000 }), logger, handler: app, handleSignals: false });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(async () => agent.destroy());
    const get = (path: string) =>
      new Promise<{ status: number; connection: string | undefined; socket: unknown }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: running.port, path, agent }, (res) => {
          res.resume();
          res.once('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, socket: req.socket }));
        });
        req.once('error', reject);
        req.end();
      });
    const before = await get('/hello');
    expect(before.connection).toBe('keep-alive');
    const stopped = running.shutdown('test');
    // The connection that was idle when the shutdown began carries the next request, answered and then closed.
    const onIdle = await get('/hello');
    expect(onIdle).toMatchObject({ status: 200, connection: 'close' });
    expect(onIdle.socket).toBe(before.socket);
    expect((await fetch(`http://127.0.0.1:${running.port}/readyz`)).status).toBe(503);
    await stopped;
    await expect(fetch(`http://127.0.0.1:${running.port}/healthz`)).rejects.toThrow();
  });

  it('is live but not ready, naming why, while the service says it cannot serve yet', async () => {
    const app = expressApp(logger, (a) => a.get('/x', (_req, res) => void res.json({})));
    let reason: string | undefined = 'waiting for MongoDB';
    const running = await startService({ config: testConfig(), logger, handler: app, handleSignals: false, notReadyReason: () => reason });
    cleanups.push(() => running.shutdown('test'));
    const base = `http://127.0.0.1:${running.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ error: 'Service Unavailable', message: 'waiting for MongoDB' });
    reason = undefined;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('simulates processing latency on business endpoints only', async () => {
    const app = expressApp(logger, (a) => a.get('/x', (_req, res) => void res.json({})));
    const running = await startService({ config: testConfig({ LATENCY_MS: 120 }), logger, handler: app, handleSignals: false });
    cleanups.push(() => running.shutdown('test'));
    const time = async (path: string) => {
      const started = performance.now();
      await fetch(`http://127.0.0.1:${running.port}${path}`);
      return performance.now() - started;
    };
    expect(await time('/x')).toBeGreaterThanOrEqual(115);
    expect(await time('/healthz')).toBeLessThan(100);
  });

  it('answers unknown routes, bad JSON, oversized bodies and thrown errors with JSON, in both frameworks', async () => {
    const routes = { thrown: () => { throw new Error('secret detail'); } };
    const express = expressApp(logger, (a) => {
      a.post('/echo', (req, res) => void res.json(req.body));
      a.get('/boom', routes.thrown);
    });
    const fastify = await fastifyApp(logger, (a) => {
      a.post('/echo', async (req) => req.body);
      a.get('/boom', routes.thrown);
    });
    for (const handler of [express, fastifyHandler(fastify)]) {
      const running = await startService({ config: testConfig(), logger, handler, handleSignals: false });
      cleanups.push(() => running.shutdown('test'));
      const base = `http://127.0.0.1:${running.port}`;
      const cases: [string, RequestInit, number][] = [
        ['/nowhere', {}, 404],
        ['/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' }, 400],
        ['/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: 'x'.repeat(20_000) }) }, 413],
        ['/boom', {}, 500],
      ];
      for (const [path, init, status] of cases) {
        const response = await fetch(`${base}${path}`, init);
        expect(response.status, `${path} ${status}`).toBe(status);
        const body = (await response.json()) as { error: string; message: string };
        expect(typeof body.message).toBe('string');
        expect(body.message).not.toContain('secret detail');
        // helmet's headers on every answer, errors included.
        expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
        expect(response.headers.get('content-security-policy'), path).toContain("default-src 'self'");
      }
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    }
  });
});
