import { afterEach, describe, expect, it } from 'vitest';
import { startService, type RequestHandler, type RunningService } from './server.js';
import { capturedLogger } from './test-fixtures/log-capture.js';
import { testConfig } from './testing.js';

/** Probes and the request log: what Kubernetes and someone reading a pod's log see. */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function serve(handler: RequestHandler, options: { notReadyReason?: () => string | undefined; config?: Parameters<typeof testConfig>[0] } = {}) {
  const { logger, lines } = capturedLogger();
  const running: RunningService = await startService({ config: testConfig(options.config), logger, handler, handleSignals: false, ...(options.notReadyReason ? { notReadyReason: options.notReadyReason } : {}) });
  cleanups.push(() => running.shutdown('test'));
  return { base: `http://127.0.0.1:${running.port}`, running, lines };
}

async function probe(url: string) {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
}

const echo: RequestHandler = (req, res) => void res.writeHead(201, { 'content-type': 'text/plain' }).end(`handled ${req.url}`);

describe('probes', () => {
  it('answer live and ready with JSON {"status":"ok"}, query string or not, without reaching the service', async () => {
    const { base, lines } = await serve(echo);
    const ok = { status: 200, type: 'application/json', body: '{"status":"ok"}' };
    expect(await probe(`${base}/healthz`)).toEqual(ok);
    expect(await probe(`${base}/readyz`)).toEqual(ok);
    expect(await probe(`${base}/healthz?from=kubelet`)).toEqual(ok);
    expect(lines.filter((line) => line.msg === 'request')).toEqual([]);
  });

  it('leave any other path to the service', async () => {
    const { base } = await serve(echo);
    expect(await probe(`${base}/healthzx`)).toEqual({ status: 201, type: 'text/plain', body: 'handled /healthzx' });
    expect(await probe(`${base}/api/readyz`)).toEqual({ status: 201, type: 'text/plain', body: 'handled /api/readyz' });
  });

  it('say not ready, with the reason, while the service cannot serve; liveness stays 200', async () => {
    const { base } = await serve(echo, { notReadyReason: () => 'waiting for MongoDB' });
    expect(await probe(`${base}/readyz`)).toEqual({ status: 503, type: 'application/json', body: '{"error":"Service Unavailable","message":"waiting for MongoDB"}' });
    expect((await probe(`${base}/healthz`)).status).toBe(200);
  });

  it('say "draining" on readiness once the stop began, and stay live', async () => {
    const { base, running } = await serve(echo, { config: { SHUTDOWN_DELAY_MS: 500 }, notReadyReason: () => undefined });
    void running.shutdown('test');
    expect(await probe(`${base}/readyz`)).toEqual({ status: 503, type: 'application/json', body: '{"error":"Service Unavailable","message":"draining"}' });
    expect(await probe(`${base}/healthz`)).toEqual({ status: 200, type: 'application/json', body: '{"status":"ok"}' });
  });
});

describe('the request log', () => {
  it('logs each request once it is answered: method, path with query, status, time, request id and end user', async () => {
    const { base, lines } = await serve(echo, { config: { LATENCY_MS: 30 } });
    const sent = performance.now();
    await (await fetch(`${base}/api/mall?x=1`, { method: 'POST', headers: { 'x-request-id': 'abc', 'end-user': 'jason' } })).text();
    const elapsed = performance.now() - sent;
    const [line] = lines.filter((l) => l.msg === 'request');
    expect(line).toMatchObject({ level: 30, method: 'POST', path: '/api/mall?x=1', status: 201, requestId: 'abc', endUser: 'jason' });
    const ms = line!.ms as number;
    // Milliseconds to one decimal: at least the simulated latency, at most what the caller waited.
    expect(ms).toBeGreaterThanOrEqual(30);
    expect(ms).toBeLessThanOrEqual(elapsed + 0.05);
    expect(Math.round(ms * 10)).toBeCloseTo(ms * 10, 6);
  });

  it('logs the request id the service started for a request without one, and no end user for a guest', async () => {
    const { base, lines } = await serve(echo);
    await fetch(`${base}/`);
    const [line] = lines.filter((l) => l.msg === 'request');
    expect(line!.requestId).toMatch(/^[\da-f-]{36}$/);
    expect(line).not.toHaveProperty('endUser');
  });
});
