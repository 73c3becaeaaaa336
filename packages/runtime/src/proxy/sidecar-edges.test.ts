import { createServer, request, type ClientRequest } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { serviceManifest } from '../k8s/test-fixtures.js';
import { source } from '../istio/test-fixtures.js';
import type { Router } from './router.js';
import { Sidecar } from './sidecar.js';
import { testMesh, type TestMesh } from './test-fixtures.js';

/** The proxy's own lifecycle, and the edges of what it records and answers: how each request ends and what its hop says. */

const meshes: TestMesh[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(meshes.splice(0).map((m) => m.close()));
});
async function mesh(...args: Parameters<typeof testMesh>): Promise<TestMesh> {
  const m = await testMesh(...args);
  meshes.push(m);
  return m;
}

const vs = (name: string, http: string) => `---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ${name}, namespace: base}
spec:
  hosts: [${name}]
  http: ${http}
`;
const pool = (host: string, connectionPool: string) => `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ${host}, namespace: base}
spec: {host: ${host}, trafficPolicy: {connectionPool: ${connectionPool}}}
`;

/** A request sent through `via` that the test may abandon; its errors are the test's to observe, not unhandled. */
function open(via: Sidecar, authority: string, path: string): ClientRequest {
  const req = request({ host: '127.0.0.1', port: via.port, path, headers: { host: authority } });
  req.on('error', () => undefined);
  req.end();
  return req;
}

describe('the proxy’s own server', () => {
  const quiet = { identity: source('base'), hops: { record: () => undefined } };

  it('has no port before it listens, and listening resolves with the port it bound (any free one: port 0 asks the system)', async () => {
    const sidecar = new Sidecar({ ...quiet, router: {} as Router });
    expect(sidecar.port).toBeUndefined();
    const port = await sidecar.listen(0, '127.0.0.1');
    expect(port).toBe(sidecar.port);
    expect(port).toBeGreaterThan(0);
    await sidecar.close();
  });

  it('rejects listening on a port in use with EADDRINUSE', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const sidecar = new Sidecar({ ...quiet, router: {} as Router });
    await expect(sidecar.listen((taken.address() as { port: number }).port, '127.0.0.1')).rejects.toMatchObject({ code: 'EADDRINUSE' });
    taken.close();
  });

  it('closes at once though a keep-alive caller still holds an idle connection, and refuses connections after', async () => {
    const m = await mesh({ 'base/users@v1': () => ({}) });
    const from = await m.proxy('base');
    const port = from.port;
    // Node's global agent keeps the connection alive: without closing idle connections, close() waits for them.
    expect((await m.send(from, 'users:7000')).status).toBe(200);
    await from.close();
    const refused = await new Promise<string | undefined>((resolve) => request({ host: '127.0.0.1', port, agent: false }, () => resolve(undefined)).on('error', (e: NodeJS.ErrnoException) => resolve(e.code)).end());
    expect(refused).toBe('ECONNREFUSED');
  });

  it('ends a request with a reset when the proxy itself fails on it, rather than leaving the caller hanging', async () => {
    const router = {
      decide: () => {
        throw new Error('broken table');
      },
    } as unknown as Router;
    const sidecar = new Sidecar({ ...quiet, router });
    await sidecar.listen(0, '127.0.0.1');
    const failure = await new Promise<string | undefined>((resolve) => open(sidecar, 'users:7000', '/').on('error', (e: NodeJS.ErrnoException) => resolve(e.code)).on('response', () => resolve(undefined)));
    expect(failure).toBe('ECONNRESET');
    await sidecar.close();
  });
});

describe('authorization where it applies', () => {
  it('the ingress gateway matches its AuthorizationPolicy against the request’s own method', async () => {
    const m = await mesh(
      { 'base/mall@v1': () => ({}) },
      `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: mall-gateway, namespace: base}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: mall, namespace: base}
spec: {hosts: ["*"], gateways: [mall-gateway], http: [{route: [{destination: {host: mall}}]}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: no-writes, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  action: DENY
  rules: [{to: [{operation: {methods: [POST]}}]}]
`,
    );
    const gateway = await m.proxy('istio-system', { labels: { istio: 'ingressgateway' }, ingress: { labels: { istio: 'ingressgateway' }, ports: [80] } });
    expect((await m.send(gateway, 'localhost', { method: 'POST', body: '{}' })).status).toBe(403);
    expect((await m.send(gateway, 'localhost', { method: 'GET' })).status).toBe(200);
  });

  it('a sidecar does not apply its own workload’s AuthorizationPolicy to the calls it makes: policies guard inbound traffic', async () => {
    const m = await mesh(
      { 'base/users@v1': () => ({}) },
      `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: client-closed, namespace: base}
spec:
  selector: {matchLabels: {app: client}}
  action: DENY
  rules: [{to: [{operation: {methods: [GET]}}]}]
`,
    );
    expect((await m.send(await m.proxy('base'), 'users:7000')).status).toBe(200);
  });
});

describe('what the hop records', () => {
  it('no body bytes for a request answered before its body was read', async () => {
    const m = await mesh({ 'base/users@v1': () => ({}) }, vs('users', '[{match: [{uri: {prefix: /only}}], route: [{destination: {host: users}}]}]'));
    expect((await m.send(await m.proxy('base'), 'users:7000', { path: '/other' })).status).toBe(404);
    expect(m.hops[0]!.requestBodyBytes).toBe(0);
  });

  it('the request’s duration in milliseconds, to the hundredth: at least the workload’s 50 ms (less 1 ms of timer slack), at most what the caller waited', async () => {
    const m = await mesh({ 'base/slow@v1': () => ({ delayMs: 50 }) });
    const from = await m.proxy('base');
    const started = performance.now();
    await m.send(from, 'slow:7000');
    const elapsed = performance.now() - started;
    const { durationMs } = m.hops[0]!;
    // The workload's 50 ms timer may fire up to a millisecond early (libuv counts whole milliseconds).
    expect(durationMs).toBeGreaterThanOrEqual(49);
    expect(durationMs).toBeLessThanOrEqual(elapsed);
    expect(Math.round(durationMs * 100) / 100).toBe(durationMs);
  });

  it('the pod and UT when the route timeout ends the wait for a connection: 504 "upstream request timeout", never sent', async () => {
    const m = await mesh(
      { 'base/slow@v1': (req) => (req.url === '/first' ? 'hold' : {}) },
      `${pool('slow', '{tcp: {maxConnections: 1}}')}${vs('slow', '[{match: [{uri: {prefix: /second}}], timeout: 100ms, route: [{destination: {host: slow}}]}, {route: [{destination: {host: slow}}]}]')}`,
    );
    const from = await m.proxy('base');
    const first = open(from, 'slow:7000', '/first');
    await m.workloads['base/slow@v1']!.arrived(1);
    const second = await m.send(from, 'slow:7000', { path: '/second' });
    expect(second.status).toBe(504);
    expect(JSON.parse(second.body)).toEqual({ error: 'Gateway Timeout', message: 'upstream request timeout' });
    expect(m.hops[0]).toMatchObject({ status: 504, flag: 'UT', attempts: 1, path: '/second' });
    expect(m.hops[0]!.pod).toBe(m.workloads['base/slow@v1']!.pod);
    expect(m.workloads['base/slow@v1']!.requests.map((r) => r.url)).toEqual(['/first']);
    first.destroy();
    await expect.poll(() => m.hops.length).toBe(2);
  });

  it('the pod and UO when the circuit breaker refuses the request (max_requests)', async () => {
    const m = await mesh({ 'base/slow@v1': (req) => (req.url === '/first' ? 'hold' : {}) }, pool('slow', '{http: {http2MaxRequests: 1}}'));
    const from = await m.proxy('base');
    const first = open(from, 'slow:7000', '/first');
    await m.workloads['base/slow@v1']!.arrived(1);
    expect((await m.send(from, 'slow:7000', { path: '/second' })).status).toBe(503);
    expect(m.hops[0]).toMatchObject({ status: 503, flag: 'UO', attempts: 1 });
    expect(m.hops[0]!.pod).toBe(m.workloads['base/slow@v1']!.pod);
    first.destroy();
    await expect.poll(() => m.hops.length).toBe(2);
  });

  it('no URX for an answer passed on when retries are off (attempts: 0), though a default condition would retry it', async () => {
    // grpc-status 14 is `unavailable`, one of Istio's default retryOn conditions; with no retries there is nothing to use up.
    const m = await mesh({ 'base/users@v1': () => ({ headers: { 'grpc-status': '14' } }) }, vs('users', '[{retries: {attempts: 0}, route: [{destination: {host: users}}]}]'));
    expect((await m.send(await m.proxy('base'), 'users:7000')).status).toBe(200);
    expect(m.hops[0]).toMatchObject({ status: 200, flag: undefined, attempts: 1 });
  });
});

describe('a caller that leaves during the fault delay', () => {
  it('is 499 DC once the delay ends, and the request is never sent', async () => {
    const m = await mesh({ 'base/users@v1': () => ({}) }, vs('users', '[{fault: {delay: {fixedDelay: 300ms, percentage: {value: 100}}}, route: [{destination: {host: users}}]}]'));
    const from = await m.proxy('base');
    const req = open(from, 'users:7000', '/');
    // Sent in full, then gone: the proxy reads the request and sees its connection close while the delay runs.
    await new Promise((resolve) => req.once('finish', resolve));
    req.destroy();
    await expect.poll(() => m.hops.length).toBe(1);
    expect(m.hops[0]).toMatchObject({ status: 499, flag: 'DC', attempts: 1 });
    expect(m.workloads['base/users@v1']!.requests).toEqual([]);
  });
});

describe('header rules of a route', () => {
  it('apply a weighted destination’s request rules before the route’s, a single destination’s after', async () => {
    const m = await mesh(
      { 'base/a@v1': () => ({}), 'base/b@v1': () => ({}) },
      vs(
        'a',
        `
  - match: [{uri: {prefix: /weighted}}]
    headers: {request: {set: {x-by: route}}}
    route:
    - {destination: {host: a}, weight: 100, headers: {request: {set: {x-by: destination}}}}
    - {destination: {host: b}, weight: 0}
  - headers: {request: {set: {x-by: route}}}
    route: [{destination: {host: a}, headers: {request: {set: {x-by: destination}}}}]`,
      ),
    );
    const from = await m.proxy('base');
    await m.send(from, 'a:7000', { path: '/weighted' });
    await m.send(from, 'a:7000', { path: '/single' });
    expect(m.workloads['base/a@v1']!.requests.map((r) => r.headers['x-by'])).toEqual(['route', 'destination']);
  });
});

describe('fault and mirror percentages', () => {
  it('inject in exactly `percent` of draws: a draw of 0.49 is inside 50 %, 0.5 is not, and 0 % never injects', async () => {
    const m = await mesh(
      { 'base/users@v1': () => ({}) },
      vs('users', '[{match: [{uri: {prefix: /never}}], fault: {abort: {httpStatus: 418, percentage: {value: 0}}}, route: [{destination: {host: users}}]}, {fault: {abort: {httpStatus: 418, percentage: {value: 50}}}, route: [{destination: {host: users}}]}]'),
    );
    const from = await m.proxy('base');
    const random = vi.spyOn(Math, 'random');
    random.mockReturnValue(0.49);
    expect((await m.send(from, 'users:7000')).status).toBe(418);
    random.mockReturnValue(0.5);
    expect((await m.send(from, 'users:7000')).status).toBe(200);
    random.mockReturnValue(0);
    expect((await m.send(from, 'users:7000', { path: '/never' })).status).toBe(200);
  });

  it('a mirror to a Service without endpoints sends no copy, and the request goes on', async () => {
    const m = await mesh({ 'base/users@v1': () => ({}) }, vs('users', '[{mirror: {host: empty}, route: [{destination: {host: users}}]}]'));
    m.registry.putService(serviceManifest('empty', 'base'));
    m.router.configure(m.router.tables.config);
    expect((await m.send(await m.proxy('base'), 'users:7000')).status).toBe(200);
    expect(m.hops[0]).toMatchObject({ status: 200, flag: undefined });
  });
});

describe('LEAST_REQUEST, Istio’s default balancer, counts this proxy’s attempts in flight', () => {
  it('sends the next request to the idler endpoint while one holds a request, and counts it idle again once that ends', async () => {
    const answer = (req: { url: string }) => (req.url === '/hold' ? ('hold' as const) : {});
    const m = await mesh({ 'base/users@v1': answer, 'base/users@v2': answer });
    const from = await m.proxy('base');
    const decision = m.router.decide({ authority: 'users:7000', method: 'GET', url: '/', headers: {} }, source('base'));
    if (decision.kind !== 'route') throw new Error('reason' in decision ? decision.reason : decision.kind);
    const [first, second] = m.router.endpointsOf(decision.upstream);
    const workloadOf = (pod: unknown) => Object.values(m.workloads).find((w) => w.pod === pod)!;
    // Every draw samples the first endpoint and then the second: the one with fewer requests in flight wins, the first on a tie.
    const samples = [0, 0.9];
    vi.spyOn(Math, 'random').mockImplementation(() => {
      const value = samples.shift()!;
      samples.push(value);
      return value;
    });
    await m.send(from, 'users:7000', { path: '/done' });
    expect(workloadOf(first).requests.map((r) => r.url)).toEqual(['/done']);
    const held = open(from, 'users:7000', '/hold');
    await workloadOf(first).arrived(2);
    await m.send(from, 'users:7000', { path: '/busy' });
    expect(workloadOf(second).requests.map((r) => r.url)).toEqual(['/busy']);
    held.destroy();
    await expect.poll(() => m.hops.length).toBe(3);
    await m.send(from, 'users:7000', { path: '/idle' });
    expect(workloadOf(first).requests.map((r) => r.url)).toEqual(['/done', '/hold', '/idle']);
  });
});
