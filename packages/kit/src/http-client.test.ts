import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { abortable, ServiceClient, UpstreamError } from './http-client.js';
import { startStub, type Stub } from './testing.js';

const stubs: Stub[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});
async function stub(...args: Parameters<typeof startStub>): Promise<Stub> {
  const s = await startStub(...args);
  stubs.push(s);
  return s;
}

const counts = z.record(z.string(), z.number());

describe('ServiceClient', () => {
  it('sends query and JSON body and validates the answer', async () => {
    const s = await stub((_req, body) => ({ body: { '7': body.length } }));
    const client = new ServiceClient('scores', { baseUrl: s.url, timeoutMs: 1000 });
    const answer = await client.call('POST', '/scores', { query: { ids: '7,8' }, body: { a: 1 }, schema: counts });
    expect(answer).toEqual({ '7': 7 });
    expect(s.requests[0]).toMatchObject({ method: 'POST', url: '/scores?ids=7%2C8', body: '{"a":1}' });
    expect(s.requests[0]!.headers['content-type']).toBe('application/json');
  });

  it('fails with kind "timeout" when the callee is slower than the per-call timeout', async () => {
    const s = await stub(() => ({ body: {}, delayMs: 500 }));
    const client = new ServiceClient('slow', { baseUrl: s.url, timeoutMs: 2000 });
    const started = performance.now();
    const error = await client.call('GET', '/', { schema: z.unknown(), timeoutMs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ kind: 'timeout', service: 'slow' });
    expect(performance.now() - started).toBeLessThan(400);
  });

  it('fails with kind "connect" when nothing listens', async () => {
    const client = new ServiceClient('gone', { baseUrl: 'http://127.0.0.1:1', timeoutMs: 1000 });
    await expect(client.call('GET', '/', { schema: z.unknown() })).rejects.toMatchObject({ kind: 'connect' });
  });

  it('fails with kind "invalid-response" for a body that breaks the contract', async () => {
    const s = await stub(() => ({ raw: '{"7":"high"}' }));
    const client = new ServiceClient('scores', { baseUrl: s.url, timeoutMs: 1000 });
    await expect(client.call('GET', '/', { schema: counts })).rejects.toMatchObject({ kind: 'invalid-response' });
  });

  it('hands back non-2xx answers from send and throws them from call', async () => {
    const s = await stub(() => ({ status: 404, body: { error: 'Not Found' } }));
    const client = new ServiceClient('users', { baseUrl: s.url, timeoutMs: 1000 });
    expect(await client.send('GET', '/users', { schema: z.unknown() })).toMatchObject({ status: 404 });
    await expect(client.call('GET', '/users', { schema: z.unknown() })).rejects.toMatchObject({ kind: 'status', status: 404 });
  });

  it('connects to the sidecar and keeps the cluster name in Host', async () => {
    const sidecar = await stub(() => ({ body: {} }));
    const client = new ServiceClient('users', { baseUrl: 'http://users.base.svc.cluster.local:7000', timeoutMs: 1000, outboundUrl: sidecar.url });
    await client.call('GET', '/users', { query: { name: 'jason' }, schema: z.unknown() });
    expect(sidecar.requests[0]!.headers.host).toBe('users.base.svc.cluster.local:7000');
    expect(sidecar.requests[0]!.url).toBe('/users?name=jason');
  });
});

describe('abortable', () => {
  it('rejects with the timeout at the deadline while the work is still pending, and settles with the work before it', async () => {
    const started = performance.now();
    const pending = abortable(AbortSignal.timeout(50), () => new Promise<never>(() => {}));
    await expect(pending).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(performance.now() - started).toBeLessThan(1_000);
    await expect(abortable(AbortSignal.timeout(1_000), async () => 'answered')).resolves.toBe('answered');
    await expect(abortable(AbortSignal.timeout(1_000), async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
  });
});
