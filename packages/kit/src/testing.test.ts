import { afterEach, describe, expect, it } from 'vitest';
import { fetchJson, silentLogger, startStub, testConfig, type Stub } from './testing.js';

const stubs: Stub[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});

describe('the kit’s test helpers', () => {
  it('configure a quiet service on a free loopback port, with no latency and no shutdown delay', () => {
    expect(testConfig()).toMatchObject({ SERVICE_NAME: 'test', LATENCY_MS: 0, PORT: 0, HOST: '127.0.0.1', LOG_LEVEL: 'silent', SHUTDOWN_DELAY_MS: 0 });
    expect(testConfig({ LATENCY_MS: 5 }).LATENCY_MS).toBe(5);
    expect(silentLogger.level).toBe('silent');
  });

  it('stub a service: the answer’s status and JSON body (200 and {} by default), or raw text; every request recorded', async () => {
    const stub = await startStub((req, body) => (req.url === '/raw' ? { raw: 'plain', status: 202 } : req.url === '/empty' ? {} : { status: 201, body: { echoed: body } }));
    stubs.push(stub);
    expect(stub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const created = await fetch(`${stub.url}/x?y=1`, { method: 'POST', body: 'hello', headers: { 'end-user': 'jason' } });
    expect([created.status, created.headers.get('content-type'), await created.json()]).toEqual([201, 'application/json', { echoed: 'hello' }]);
    const raw = await fetch(`${stub.url}/raw`);
    expect([raw.status, await raw.text()]).toEqual([202, 'plain']);
    expect(await fetchJson(`${stub.url}/empty`)).toEqual({});
    expect(stub.requests.map((r) => [r.method, r.url, r.body])).toEqual([
      ['POST', '/x?y=1', 'hello'],
      ['GET', '/raw', ''],
      ['GET', '/empty', ''],
    ]);
    expect(stub.requests[0]!.headers['end-user']).toBe('jason');
    for (const r of stub.requests) expect(r.endedAt).toBeGreaterThanOrEqual(r.startedAt);
  });

  it('stub a slow service: the answer waits delayMs, and the request is recorded once answered', async () => {
    const stub = await startStub(() => ({ body: { ok: true }, delayMs: 50 }));
    stubs.push(stub);
    expect(await fetchJson(stub.url)).toEqual({ ok: true });
    const [request] = stub.requests;
    expect(request!.endedAt - request!.startedAt).toBeGreaterThanOrEqual(49);
  });

  it('close a stub at once, a request it is still answering included', async () => {
    let arrived!: () => void;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    const stub = await startStub(() => {
      arrived();
      return { body: {}, delayMs: 60_000 };
    });
    const pending = fetch(stub.url).catch((error: unknown) => error);
    await inFlight;
    await stub.close();
    expect(await pending).toBeInstanceOf(Error);
  });

  it('close a stub with its connections', async () => {
    const stub = await startStub(() => ({ body: {} }));
    await fetchJson(stub.url);
    await stub.close();
    await expect(fetch(stub.url)).rejects.toThrow();
  });
});
