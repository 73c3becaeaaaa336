import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { abortable, ServiceClient, serviceClient, UpstreamError } from './http-client.js';
import { runWithContext } from './propagation.js';
import { startStub, type Stub, type StubAnswer } from './testing.js';

const stubs: Stub[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});
async function stub(answer: () => StubAnswer = () => ({ body: {} })): Promise<Stub> {
  const s = await startStub(answer);
  stubs.push(s);
  return s;
}

/** What a call rejected with. */
async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

describe('what a call sends', () => {
  it('a GET outside a request: exactly Host, Accept: application/json and keep-alive, no query mark', async () => {
    const s = await stub();
    await new ServiceClient('scores', { baseUrl: s.url, timeoutMs: 1_000 }).call('GET', '/scores', { schema: z.unknown() });
    expect(s.requests[0]!.url).toBe('/scores');
    expect(s.requests[0]!.headers).toEqual({ host: new URL(s.url).host, connection: 'keep-alive', accept: 'application/json' });
  });

  it('a POST while serving a request: its propagated headers, and the body as JSON', async () => {
    const s = await stub();
    const client = new ServiceClient('users', { baseUrl: s.url, timeoutMs: 1_000 });
    await runWithContext({ 'end-user': 'jason', 'x-request-id': 'abc' }, () => client.call('POST', '/users', { body: { name: 'jason' }, schema: z.unknown() }));
    expect(s.requests[0]!.body).toBe('{"name":"jason"}');
    expect(s.requests[0]!.headers).toEqual({
      host: new URL(s.url).host,
      connection: 'keep-alive',
      'end-user': 'jason',
      'x-request-id': 'abc',
      accept: 'application/json',
      'content-type': 'application/json',
      'content-length': '16',
    });
  });

  it('goes to the origin of the sidecar URL, whatever its path, with the cluster name in Host', async () => {
    const sidecar = await stub();
    await new ServiceClient('users', { baseUrl: 'http://users:7000', timeoutMs: 1_000, outboundUrl: `${sidecar.url}/ignored` }).call('GET', '/users', { schema: z.unknown() });
    expect(sidecar.requests.map((r) => [r.url, r.headers.host])).toEqual([['/users', 'users:7000']]);
  });
});

describe('what a call answers', () => {
  it('hands back any 2xx JSON body, parsed by the contract', async () => {
    for (const status of [200, 201, 299]) {
      const s = await stub(() => ({ status, body: { n: status, extra: true } }));
      const answer = await new ServiceClient('s', { baseUrl: s.url, timeoutMs: 1_000 }).call('GET', '/', { schema: z.object({ n: z.number() }) });
      expect(answer).toEqual({ n: status });
    }
  });

  it('fails on any other status, naming the service and the status', async () => {
    for (const status of [300, 404, 500]) {
      const s = await stub(() => ({ status, body: { n: 1 } }));
      const client = new ServiceClient('users', { baseUrl: s.url, timeoutMs: 1_000 });
      const error = await failure(client.call('GET', '/', { schema: z.unknown() }));
      expect({ name: error.name, message: error.message, kind: error.kind, status: error.status, service: error.service }).toEqual({
        name: 'UpstreamError',
        message: `users: answered ${status}`,
        kind: 'status',
        status,
        service: 'users',
      });
      // send hands the status back, with no body: an error body is not the contract's.
      expect(await client.send('GET', '/', { schema: z.unknown() })).toEqual({ status, body: undefined });
    }
  });

  it('fails on a body that is not JSON, or that breaks the contract, saying which', async () => {
    const notJson = await stub(() => ({ raw: '<html>' }));
    const error = await failure(new ServiceClient('scores', { baseUrl: notJson.url, timeoutMs: 1_000 }).call('GET', '/', { schema: z.unknown() }));
    expect(error).toMatchObject({ kind: 'invalid-response', status: 200, message: 'scores: answered 200 with a body that is not JSON' });

    const wrong = await stub(() => ({ status: 201, raw: '{"7":"high"}' }));
    const broken = await failure(new ServiceClient('scores', { baseUrl: wrong.url, timeoutMs: 1_000 }).call('GET', '/', { schema: z.record(z.string(), z.number()) }));
    expect(broken).toMatchObject({ kind: 'invalid-response', status: 201 });
    expect(broken.message).toMatch(/^scores: answer does not match its contract: .*expected number/s);
  });

  it('fails with the client’s timeout, or the call’s own, saying how long it waited', async () => {
    const slow = await stub(() => ({ body: {}, delayMs: 1_000 }));
    const client = new ServiceClient('slow', { baseUrl: slow.url, timeoutMs: 40 });
    expect(await failure(client.call('GET', '/', { schema: z.unknown() }))).toMatchObject({ kind: 'timeout', message: 'slow: no answer within 40 ms', status: undefined });
    expect(await failure(client.call('GET', '/', { schema: z.unknown(), timeoutMs: 60 }))).toMatchObject({ kind: 'timeout', message: 'slow: no answer within 60 ms' });
  });

  it('fails with kind "connect" and the reason when nothing listens', async () => {
    const error = await failure(new ServiceClient('gone', { baseUrl: 'http://127.0.0.1:1', timeoutMs: 1_000 }).call('GET', '/', { schema: z.unknown() }));
    expect(error).toMatchObject({ kind: 'connect', status: undefined, message: 'gone: connect ECONNREFUSED 127.0.0.1:1' });
  });
});

describe('a client made from the service’s configuration', () => {
  it('takes UPSTREAM_TIMEOUT_MS unless given a timeout, and goes through MESH_OUTBOUND_URL', async () => {
    const sidecar = await stub(() => ({ body: {}, delayMs: 1_000 }));
    const config = { UPSTREAM_TIMEOUT_MS: 40, MESH_OUTBOUND_URL: sidecar.url };
    expect(await failure(serviceClient(config, 'users', 'http://users.base:7000').call('GET', '/u', { schema: z.unknown() }))).toMatchObject({ message: 'users: no answer within 40 ms' });
    expect(await failure(serviceClient(config, 'users', 'http://users.base:7000', 70).call('GET', '/u', { schema: z.unknown() }))).toMatchObject({ message: 'users: no answer within 70 ms' });
  });

  it('goes straight to the service without a sidecar', async () => {
    const s = await stub();
    await serviceClient({ UPSTREAM_TIMEOUT_MS: 1_000, MESH_OUTBOUND_URL: undefined }, 'scores', s.url).call('GET', '/x', { schema: z.unknown() });
    expect(s.requests.map((r) => r.url)).toEqual(['/x']);
  });
});

describe('abortable', () => {
  it('rejects with the reason of a signal aborted already, without starting the work', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    let started = false;
    await expect(abortable(controller.signal, async () => void (started = true))).rejects.toThrow('gone');
    expect(started).toBe(false);
  });

  it('leaves no listener on a signal that aborted while the work never settles', async () => {
    const controller = new AbortController();
    const pending = abortable(controller.signal, () => new Promise<never>(() => {}));
    controller.abort(new Error('timeout'));
    await expect(pending).rejects.toThrow('timeout');
    expect(getEventListeners(controller.signal, 'abort')).toEqual([]);
  });

  it('leaves no listener on the signal once the work has settled', async () => {
    const controller = new AbortController();
    await Promise.all(Array.from({ length: 20 }, (_, i) => abortable(controller.signal, async () => i)));
    await abortable(controller.signal, async () => Promise.reject(new Error('refused'))).catch(() => undefined);
    expect(getEventListeners(controller.signal, 'abort')).toEqual([]);
  });
});
