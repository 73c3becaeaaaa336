import { afterEach, describe, expect, it } from 'vitest';
import { MALL_GATEWAY } from '../istio/test-fixtures.js';
import { testMesh, type TestMesh } from './test-fixtures.js';

const meshes: TestMesh[] = [];
afterEach(async () => Promise.all(meshes.splice(0).map((m) => m.close())));
async function mesh(...args: Parameters<typeof testMesh>): Promise<TestMesh> {
  const m = await testMesh(...args);
  meshes.push(m);
  return m;
}

const INGRESS = { labels: { istio: 'ingressgateway' }, ports: [80] };
const MALL_ROUTES = `${MALL_GATEWAY}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: mall, namespace: base}
spec:
  hosts: ["*"]
  gateways: [mall-gateway]
  http:
  - name: api
    match: [{uri: {prefix: /api}}]
    headers:
      response: {set: {x-served-by: gateway}, remove: [x-internal]}
    route: [{destination: {host: mall}}]
`;

describe('the ingress gateway', () => {
  it('routes by its Gateways, and records itself as Envoy’s router node', async () => {
    const m = await mesh({ 'base/mall@v1': () => ({ headers: { 'x-internal': 'secret' } }) }, MALL_ROUTES);
    const gateway = await m.proxy('istio-system', { labels: { istio: 'ingressgateway' }, ingress: INGRESS });
    const answer = await m.send(gateway, 'localhost:8080', { path: '/api/mall' });
    expect(answer.status).toBe(200);
    expect(answer.headers['x-served-by']).toBe('gateway');
    expect(answer.headers['x-internal']).toBeUndefined();
    expect(m.hops[0]).toMatchObject({
      status: 200,
      routeName: 'api',
      nodeId: 'router~127.0.0.1~istio-ingressgateway.istio-system~istio-system.svc.cluster.local',
      upstreamCluster: 'outbound|7000||mall.base.svc.cluster.local',
      operation: 'mall.base.svc.cluster.local:7000/api*',
    });
    expect(m.hops[0]!.target?.fqdn).toBe('mall.base.svc.cluster.local');
  });

  it('answers 404 NR for a path no route takes', async () => {
    const m = await mesh({ 'base/mall@v1': () => ({}) }, MALL_ROUTES);
    const gateway = await m.proxy('istio-system', { labels: { istio: 'ingressgateway' }, ingress: INGRESS });
    expect((await m.send(gateway, 'localhost', { path: '/other' })).status).toBe(404);
    expect(m.hops[0]).toMatchObject({ status: 404, flag: 'NR', target: undefined });
  });

  it('enforces the AuthorizationPolicies that select it before routing: 403, no route, no identity for the client', async () => {
    const m = await mesh(
      { 'base/mall@v1': () => ({}) },
      `${MALL_ROUTES}---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: no-admin, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  action: DENY
  rules: [{to: [{operation: {paths: [/api/admin*]}}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: outsiders, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  action: DENY
  rules: [{from: [{source: {notPrincipals: ["*"]}}], to: [{operation: {paths: [/api/private]}}]}]
`,
    );
    const gateway = await m.proxy('istio-system', { labels: { istio: 'ingressgateway' }, ingress: INGRESS });
    const denied = await m.send(gateway, 'localhost', { path: '/api/admin/x' });
    expect(denied).toMatchObject({ status: 403, body: 'RBAC: access denied' });
    expect((await m.send(gateway, 'localhost', { path: '/api/private' })).status).toBe(403);
    expect((await m.send(gateway, 'localhost', { path: '/api/mall' })).status).toBe(200);
    expect(m.hops[0]).toMatchObject({ status: 403, flag: undefined, attempts: 0, routeName: undefined, upstreamCluster: undefined, reason: 'rbac_access_denied_matched_policy[none]', operation: 'egress localhost' });
    expect(m.workloads['base/mall@v1']!.requests.map((r) => r.url)).toEqual(['/api/mall']);
  });
});

describe('a sidecar’s header rules', () => {
  it('apply a weighted destination’s response rules before the route’s, a single destination’s after', async () => {
    const m = await mesh(
      { 'base/a@v1': () => ({}), 'base/b@v1': () => ({}) },
      `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: a, namespace: base}
spec:
  hosts: [a, b]
  http:
  - match: [{uri: {prefix: /weighted}}]
    headers: {response: {set: {x-by: route}}}
    route:
    - {destination: {host: a}, weight: 100, headers: {response: {set: {x-by: destination}}}}
    - {destination: {host: b}, weight: 0}
  - headers: {response: {set: {x-by: route}}}
    route: [{destination: {host: a}, headers: {response: {set: {x-by: destination}}}}]
`,
    );
    const from = await m.proxy('base');
    expect((await m.send(from, 'a:7000', { path: '/weighted' })).headers['x-by']).toBe('route');
    expect((await m.send(from, 'a:7000', { path: '/single' })).headers['x-by']).toBe('destination');
  });
});

describe('a request waiting for a connection', () => {
  it('is 499 DC when the caller leaves while it waits, and never reaches the workload', async () => {
    const m = await mesh(
      { 'base/slow@v1': () => 'hold' },
      `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: slow, namespace: base}
spec: {host: slow, trafficPolicy: {connectionPool: {tcp: {maxConnections: 1}}}}
`,
    );
    const from = await m.proxy('base');
    const { request } = await import('node:http');
    const open = (path: string) => {
      const req = request({ host: '127.0.0.1', port: from.port, path, headers: { host: 'slow:7000' } });
      req.on('error', () => undefined);
      req.end();
      return req;
    };
    const first = open('/first');
    await m.workloads['base/slow@v1']!.arrived(1);
    const waiting = open('/second');
    await new Promise((resolve) => waiting.once('socket', (socket) => socket.once('connect', resolve)));
    waiting.destroy();
    await expect.poll(() => m.hops.length).toBe(1);
    expect(m.hops[0]).toMatchObject({ status: 499, flag: 'DC', attempts: 1 });
    expect(m.workloads['base/slow@v1']!.requests.map((r) => r.url)).toEqual(['/first']);
    // The first caller leaves too, so that nothing is left in flight.
    first.destroy();
    await expect.poll(() => m.hops.length).toBe(2);
  });
});
