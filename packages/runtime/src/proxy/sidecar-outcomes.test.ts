import { afterEach, describe, expect, it } from 'vitest';
import { testMesh, type TestMesh } from './test-fixtures.js';

/**
 * What the caller gets and what the proxy records for each way a request can end: the status and body Envoy would
 * send, and the hop's response flags, attempts and names (the access log, metrics and traces are made from it).
 */

const meshes: TestMesh[] = [];
afterEach(async () => Promise.all(meshes.splice(0).map((m) => m.close())));
async function mesh(...args: Parameters<typeof testMesh>): Promise<TestMesh> {
  const m = await testMesh(...args);
  meshes.push(m);
  return m;
}

const vs = (name: string, http: string, namespace = 'base') => `---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  hosts: [${name}]
  http: ${http}
`;
const json = (error: string, message: string) => JSON.stringify({ error, message });

describe('a request the proxy sends on', () => {
  it('is relayed as the workload answered, and recorded with its route, cluster, operation and sizes', async () => {
    const m = await mesh({ 'base/users@v1': () => ({ status: 201, body: '{"id":"u1"}', headers: { 'x-served': 'yes' } }) });
    const from = await m.proxy('base');
    const answer = await m.send(from, 'users:7000', { path: '/users?x=1', body: '{"name":"jason"}', headers: { 'end-user': 'jason', 'x-request-id': 'abc', 'user-agent': 'test-agent' } });
    expect(answer).toMatchObject({ status: 201, body: '{"id":"u1"}', headers: { 'x-served': 'yes', 'content-type': 'application/json' } });
    const seen = m.workloads['base/users@v1']!.requests[0]!;
    expect(seen).toMatchObject({ method: 'POST', url: '/users?x=1', body: '{"name":"jason"}' });
    expect(seen.headers).toMatchObject({ host: 'users:7000', 'end-user': 'jason', 'x-request-id': 'abc', 'content-length': '16' });
    const [hop] = m.hops;
    expect(hop).toMatchObject({
      status: 201,
      flag: undefined,
      attempts: 1,
      routeName: 'default',
      operation: 'users.base.svc.cluster.local:7000/*',
      upstreamCluster: 'outbound|7000||users.base.svc.cluster.local',
      nodeId: 'sidecar~127.0.0.1~client-v1.base~base.svc.cluster.local',
      method: 'POST',
      authority: 'users:7000',
      path: '/users?x=1',
      requestId: 'abc',
      endUser: 'jason',
      userAgent: 'test-agent',
      reason: undefined,
      requestBodyBytes: 16,
      responseBodyBytes: 11,
      plainText: false,
    });
    expect(hop!.pod).toBe(m.workloads['base/users@v1']!.pod);
    expect(hop!.target?.fqdn).toBe('users.base.svc.cluster.local');
    expect(hop!.upstreamService?.fqdn).toBe('users.base.svc.cluster.local');
    expect(hop!.responseHeaderBytes).toBeGreaterThan(0);
    expect(hop!.requestHeaderBytes).toBeGreaterThan(0);
    expect(hop!.durationMs).toBeGreaterThanOrEqual(0);
    expect(hop!.startedAt).toBeGreaterThan(Date.now() - 60_000);
    expect(hop!.startedAt).toBeLessThanOrEqual(Date.now());
  });

  it('gets a request id where it enters the mesh, which the workload sees too', async () => {
    const m = await mesh({ 'base/users@v1': () => ({}) });
    await m.send(await m.proxy('base'), 'users:7000');
    const id = m.hops[0]!.requestId;
    expect(id).toMatch(/^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/);
    expect(m.workloads['base/users@v1']!.requests[0]!.headers['x-request-id']).toBe(id);
    expect(m.hops[0]!.endUser).toBeUndefined();
  });

  it('sees the normalized path, and so does the workload', async () => {
    const m = await mesh({ 'base/users@v1': () => ({}) });
    await m.send(await m.proxy('base'), 'users:7000', { path: '/a/../users/%61' });
    expect(m.hops[0]!.path).toBe('/users/a');
    expect(m.workloads['base/users@v1']!.requests[0]!.url).toBe('/users/a');
  });

  it('passes no hop-by-hop header on, either way', async () => {
    const m = await mesh({ 'base/users@v1': () => ({ headers: { 'keep-alive': 'timeout=5', 'x-kept': '1' } }) });
    const answer = await m.send(await m.proxy('base'), 'users:7000', { headers: { 'proxy-authorization': 'secret', te: 'trailers', 'x-kept': '1' } });
    const seen = m.workloads['base/users@v1']!.requests[0]!.headers;
    expect(seen['proxy-authorization']).toBeUndefined();
    expect(seen.te).toBeUndefined();
    expect(seen['x-kept']).toBe('1');
    expect(answer.headers['x-kept']).toBe('1');
    expect(answer.headers['keep-alive']).not.toBe('timeout=5');
  });

  it('names a VirtualService route and its operation, and sends the route’s rewrite of the authority', async () => {
    const m = await mesh({ 'base/users@v1': () => ({}) }, vs('users', '[{name: by-prefix, match: [{uri: {prefix: /api}}], rewrite: {authority: users.internal}, route: [{destination: {host: users}}]}]'));
    await m.send(await m.proxy('base'), 'users:7000', { path: '/api/x' });
    expect(m.hops[0]).toMatchObject({ routeName: 'by-prefix', operation: 'users.base.svc.cluster.local:7000/api*', status: 200 });
    expect(m.workloads['base/users@v1']!.requests[0]!.headers.host).toBe('users.internal');
  });

  it('leaves the path alone for an empty rewrite.uri', async () => {
    const m = await mesh({ 'base/users@v1': () => ({}) }, vs('users', '[{rewrite: {uri: ""}, route: [{destination: {host: users}}]}]'));
    await m.send(await m.proxy('base'), 'users:7000', { path: '/keep/me?x=1' });
    expect(m.workloads['base/users@v1']!.requests[0]!.url).toBe('/keep/me?x=1');
  });
});

describe('a request the proxy answers itself', () => {
  it('for a host that is no Service: 503 NC, JSON, with the reason', async () => {
    const m = await mesh({ 'base/users@v1': () => ({}) });
    const answer = await m.send(await m.proxy('base'), 'nobody:7000');
    const reason = 'no Service for host nobody:7000 from namespace base';
    expect(answer).toMatchObject({ status: 503, body: json('Service Unavailable', reason), headers: { 'content-type': 'application/json', 'content-length': String(json('Service Unavailable', reason).length) } });
    expect(m.hops[0]).toMatchObject({ status: 503, flag: 'NC', attempts: 0, reason, routeName: undefined, upstreamCluster: undefined, upstreamService: undefined, operation: 'egress nobody:7000', pod: undefined, target: undefined });
    expect(m.hops[0]!.responseBodyBytes).toBe(json('Service Unavailable', reason).length);
    expect(m.hops[0]).not.toHaveProperty('plainText');
  });

  it('for a port the Service lacks: 503 NC, naming the Service', async () => {
    const m = await mesh({ 'base/users@v1': () => ({}) });
    expect((await m.send(await m.proxy('base'), 'users:8080')).status).toBe(503);
    expect(m.hops[0]).toMatchObject({ flag: 'NC', reason: 'Service users.base.svc.cluster.local has no port 8080' });
    expect(m.hops[0]!.target?.fqdn).toBe('users.base.svc.cluster.local');
  });

  it('when no route of the VirtualService matches: 404 NR', async () => {
    const m = await mesh({ 'base/users@v1': () => ({}) }, vs('users', '[{match: [{uri: {prefix: /only}}], route: [{destination: {host: users}}]}]'));
    const answer = await m.send(await m.proxy('base'), 'users:7000', { path: '/other' });
    expect(answer).toMatchObject({ status: 404, body: json('Not Found', 'no route of VirtualService base/users matched') });
    expect(m.hops[0]).toMatchObject({ status: 404, flag: 'NR', attempts: 0, routeName: undefined });
    expect(m.hops[0]!.target?.fqdn).toBe('users.base.svc.cluster.local');
  });

  it('when the route’s destination is no Service: 503 NC', async () => {
    const m = await mesh({ 'base/users@v1': () => ({}) }, vs('users', '[{route: [{destination: {host: nobody}}]}]'));
    expect(await m.send(await m.proxy('base'), 'users:7000')).toMatchObject({ status: 503, body: json('Service Unavailable', 'destination nobody.base.svc.cluster.local is not a Service') });
    expect(m.hops[0]).toMatchObject({ flag: 'NC' });
  });

  it('when the Service has no ready endpoint: 503 UH "no healthy upstream"', async () => {
    const m = await mesh({ 'base/users@v1': () => ({}) });
    m.registry.removePod(m.workloads['base/users@v1']!.pod);
    const answer = await m.send(await m.proxy('base'), 'users:7000');
    expect(answer).toMatchObject({ status: 503, body: json('Service Unavailable', 'no healthy upstream') });
    expect(m.hops[0]).toMatchObject({ status: 503, flag: 'UH', attempts: 0 });
  });

  it('when the destination’s AuthorizationPolicy denies the caller: 403 "RBAC: access denied" in plain text, with the pod', async () => {
    const m = await mesh(
      { 'fox/favorites@v1': () => ({}) },
      `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: fox-only, namespace: fox}
spec: {rules: [{from: [{source: {namespaces: [fox]}}]}]}
`,
    );
    const answer = await m.send(await m.proxy('base'), 'favorites.fox:7000');
    expect(answer).toMatchObject({ status: 403, body: 'RBAC: access denied', headers: { 'content-type': 'text/plain', 'content-length': '19' } });
    expect(m.hops[0]).toMatchObject({ status: 403, flag: undefined, attempts: 0, responseBodyBytes: 19 });
    expect(m.hops[0]!.pod).toBe(m.workloads['fox/favorites@v1']!.pod);
    expect(m.workloads['fox/favorites@v1']!.requests).toEqual([]);
  });
});

describe('requests that break off', () => {
  it('without a Host (HTTP/1.0): 503 NC for the empty host', async () => {
    const m = await mesh({ 'base/users@v1': () => ({}) });
    const from = await m.proxy('base');
    const { connect } = await import('node:net');
    const socket = connect(from.port!, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk));
    socket.end('GET / HTTP/1.0\r\n\r\n');
    await new Promise((resolve) => socket.once('close', resolve));
    expect(answer).toMatch(/^HTTP\/1\.1 503 /);
    expect(m.hops[0]).toMatchObject({ status: 503, flag: 'NC', authority: '', reason: 'no Service for host  from namespace base' });
  });

  it('when the workload breaks off its answer halfway, the caller’s answer breaks off too', async () => {
    const m = await mesh({ 'base/users@v1': () => 'halfway' });
    const from = await m.proxy('base');
    const { request } = await import('node:http');
    const outcome = new Promise<string>((resolve) => {
      const req = request({ host: '127.0.0.1', port: from.port, path: '/', headers: { host: 'users:7000' } }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve('ended'));
        res.on('error', () => resolve('broke off'));
        res.on('aborted', () => resolve('broke off'));
      });
      req.on('error', () => resolve('broke off'));
      req.end();
    });
    await m.workloads['base/users@v1']!.arrived(1);
    m.workloads['base/users@v1']!.breakOff!();
    expect(await outcome).toBe('broke off');
    await expect.poll(() => m.hops.length).toBe(1);
    expect(m.hops[0]).toMatchObject({ status: 200, responseBodyBytes: 0 });
  });
});

describe('faults', () => {
  it('abort with the route’s status: FI; delayed and aborted: DI,FI; delayed only: DI', async () => {
    const m = await mesh(
      { 'base/scores@v1': () => ({}) },
      vs(
        'scores',
        `
  - match: [{headers: {x-case: {exact: abort}}}]
    fault: {abort: {httpStatus: 418, percentage: {value: 100}}}
    route: [{destination: {host: scores}}]
  - match: [{headers: {x-case: {exact: both}}}]
    fault: {delay: {fixedDelay: 20ms, percentage: {value: 100}}, abort: {httpStatus: 500, percentage: {value: 100}}}
    route: [{destination: {host: scores}}]
  - match: [{headers: {x-case: {exact: delay}}}]
    fault: {delay: {fixedDelay: 20ms, percentage: {value: 100}}}
    route: [{destination: {host: scores}}]
  - match: [{headers: {x-case: {exact: odd}}}]
    fault: {abort: {httpStatus: 555, percentage: {value: 100}}}
    route: [{destination: {host: scores}}]
  - fault: {delay: {fixedDelay: 10s}, abort: {httpStatus: 500}}
    route: [{destination: {host: scores}}]`,
      ),
    );
    const from = await m.proxy('base');
    expect(await m.send(from, 'scores:7000', { headers: { 'x-case': 'abort' } })).toMatchObject({ status: 418, body: json("I'm a Teapot", 'fault filter abort') });
    expect(await m.send(from, 'scores:7000', { headers: { 'x-case': 'both' } })).toMatchObject({ status: 500 });
    expect(await m.send(from, 'scores:7000', { headers: { 'x-case': 'delay' } })).toMatchObject({ status: 200 });
    expect(await m.send(from, 'scores:7000', { headers: { 'x-case': 'odd' } })).toMatchObject({ status: 555, body: json('Error', 'fault filter abort') });
    // A fault without a percentage injects nothing.
    expect(await m.send(from, 'scores:7000')).toMatchObject({ status: 200 });
    expect(m.hops.map((h) => [h.status, h.flag, h.attempts])).toEqual([
      [418, 'FI', 0],
      [500, 'DI,FI', 0],
      [200, 'DI', 1],
      [555, 'FI', 0],
      [200, undefined, 1],
    ]);
    expect(m.workloads['base/scores@v1']!.requests).toHaveLength(2);
  });
});

describe('retries and timeouts', () => {
  it('gives up on a refused connection after the default 2 retries: 503 UF,URX, 3 attempts', async () => {
    const m = await mesh({ 'base/users@v1': () => ({}) });
    const dead = { ...m.workloads['base/users@v1']!.pod, port: 1 };
    m.registry.removePod(m.workloads['base/users@v1']!.pod);
    m.registry.addPod(dead);
    const answer = await m.send(await m.proxy('base'), 'users:7000');
    expect(answer).toMatchObject({ status: 503, body: json('Service Unavailable', 'upstream connect error or disconnect/reset before headers') });
    expect(m.hops[0]).toMatchObject({ status: 503, flag: 'UF,URX', attempts: 3 });
  });

  it('with retries off, says UF alone after one attempt', async () => {
    const m = await mesh({ 'base/users@v1': () => ({}) }, vs('users', '[{retries: {attempts: 0}, route: [{destination: {host: users}}]}]'));
    m.registry.removePod(m.workloads['base/users@v1']!.pod);
    m.registry.addPod({ ...m.workloads['base/users@v1']!.pod, port: 1 });
    m.router.configure(m.router.tables.config);
    expect((await m.send(await m.proxy('base'), 'users:7000')).status).toBe(503);
    expect(m.hops[0]).toMatchObject({ flag: 'UF', attempts: 1 });
  });

  it('does not retry a connection broken off before the answer by default: 503 UC after one attempt', async () => {
    const m = await mesh({ 'base/users@v1': () => 'reset' });
    expect((await m.send(await m.proxy('base'), 'users:7000')).status).toBe(503);
    expect(m.hops[0]).toMatchObject({ status: 503, flag: 'UC', attempts: 1 });
  });

  it('retries it under retryOn reset, and says UC,URX once the retries are used up', async () => {
    const m = await mesh({ 'base/users@v1': () => 'reset' }, vs('users', '[{retries: {attempts: 1, retryOn: reset}, route: [{destination: {host: users}}]}]'));
    expect((await m.send(await m.proxy('base'), 'users:7000')).status).toBe(503);
    expect(m.hops[0]).toMatchObject({ flag: 'UC,URX', attempts: 2 });
    expect(m.workloads['base/users@v1']!.requests).toHaveLength(2);
  });

  it('answers 504 UT "upstream request timeout" at the per-try timeout, retried under 5xx: UT,URX', async () => {
    const m = await mesh({ 'base/slow@v1': () => 'hold' }, vs('slow', '[{retries: {attempts: 1, perTryTimeout: 30ms, retryOn: 5xx}, route: [{destination: {host: slow}}]}]'));
    const answer = await m.send(await m.proxy('base'), 'slow:7000');
    expect(answer).toMatchObject({ status: 504, body: json('Gateway Timeout', 'upstream request timeout') });
    expect(m.hops[0]).toMatchObject({ status: 504, flag: 'UT,URX', attempts: 2 });
  });

  it('answers 504 UT at the route timeout, without retrying', async () => {
    const m = await mesh({ 'base/slow@v1': () => 'hold' }, vs('slow', '[{timeout: 30ms, retries: {attempts: 3, retryOn: 5xx}, route: [{destination: {host: slow}}]}]'));
    expect(await m.send(await m.proxy('base'), 'slow:7000')).toMatchObject({ status: 504, body: json('Gateway Timeout', 'upstream request timeout') });
    expect(m.hops[0]).toMatchObject({ flag: 'UT', attempts: 1 });
  });

  it('passes on the last 5xx once the retries are used up, flagged URX; a 503 no condition retries, unflagged', async () => {
    const m = await mesh(
      { 'base/flaky@v1': () => ({ status: 503, body: '{"last":true}' }), 'base/plain@v1': () => ({ status: 503 }) },
      vs('flaky', '[{retries: {attempts: 2, retryOn: 5xx}, route: [{destination: {host: flaky}}]}]'),
    );
    const from = await m.proxy('base');
    expect(await m.send(from, 'flaky:7000')).toMatchObject({ status: 503, body: '{"last":true}' });
    expect(await m.send(from, 'plain:7000')).toMatchObject({ status: 503 });
    expect(m.hops.map((h) => [h.status, h.flag, h.attempts])).toEqual([
      [503, 'URX', 3],
      [503, undefined, 1],
    ]);
  });

  it('retries the status codes named in retryOn, and no other', async () => {
    let calls = 0;
    const m = await mesh({ 'base/teapot@v1': () => ({ status: ++calls === 1 ? 418 : 200 }) }, vs('teapot', '[{retries: {attempts: 1, retryOn: "418"}, route: [{destination: {host: teapot}}]}]'));
    expect((await m.send(await m.proxy('base'), 'teapot:7000')).status).toBe(200);
    expect(m.hops[0]).toMatchObject({ attempts: 2, flag: undefined });
  });

  it('says DC (downstream connection closed) with 499 when the caller leaves before the answer', async () => {
    const m = await mesh({ 'base/slow@v1': () => 'hold' });
    const from = await m.proxy('base');
    const { request } = await import('node:http');
    const req = request({ host: '127.0.0.1', port: from.port, path: '/', headers: { host: 'slow:7000' } });
    req.on('error', () => undefined);
    req.end();
    await m.workloads['base/slow@v1']!.arrived(1);
    req.destroy();
    await expect.poll(() => m.hops.length).toBe(1);
    expect(m.hops[0]).toMatchObject({ status: 499, flag: 'DC', attempts: 1 });
  });
});

describe('mirroring', () => {
  it('mirrors everything without mirrorPercentage, and nothing at 0', async () => {
    const m = await mesh(
      { 'base/a@v1': () => ({}), 'base/b@v1': () => ({}), 'base/c@v1': () => ({}) },
      vs('a', '[{match: [{uri: {prefix: /none}}], mirror: {host: c}, mirrorPercentage: {value: 0}, route: [{destination: {host: a}}]}, {mirror: {host: b}, route: [{destination: {host: a}}]}]'),
    );
    const from = await m.proxy('base');
    await m.send(from, 'a:7000', { path: '/none' });
    await m.send(from, 'a:7000', { path: '/all', headers: { 'x-lane': 'l' } });
    await m.workloads['base/b@v1']!.arrived(1);
    const copy = m.workloads['base/b@v1']!.requests[0]!;
    expect(copy).toMatchObject({ url: '/all', headers: { host: 'a-shadow:7000', 'x-lane': 'l' } });
    expect(m.workloads['base/c@v1']!.requests).toEqual([]);
    // Only the original requests are hops: a mirror's answer is thrown away.
    expect(m.hops).toHaveLength(2);
  });

  it('appends -shadow to a host without a port', async () => {
    const m = await mesh({ 'base/a@v1': () => ({}), 'base/b@v1': () => ({}) }, vs('a', '[{mirror: {host: b}, route: [{destination: {host: a}}]}]'));
    m.registry.putService({ ...(await import('../k8s/test-fixtures.js')).serviceManifest('a', 'base'), spec: { selector: { app: 'a' }, ports: [{ name: 'http', port: 80 }] } } as never);
    m.router.configure(m.router.tables.config);
    await m.send(await m.proxy('base'), 'a');
    await m.workloads['base/b@v1']!.arrived(1);
    expect(m.workloads['base/b@v1']!.requests[0]!.headers.host).toBe('a-shadow');
  });
});
