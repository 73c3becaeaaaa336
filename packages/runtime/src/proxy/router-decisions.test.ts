import { describe, expect, it } from 'vitest';
import { pod, sampleRegistry } from '../k8s/test-fixtures.js';
import { DEFAULT_RETRY } from '../istio/compile.js';
import { MALL_GATEWAY, meshConfig } from '../istio/test-fixtures.js';
import { Router } from './router.js';

const caller = (namespace: string, labels: Record<string, string> = { app: 'mall', version: 'v1' }) => ({ namespace, workload: 'mall-v1', labels, serviceAccount: 'mall' });
const request = (authority: string, url = '/', headers: Record<string, string> = {}) => ({ authority, method: 'GET', url, headers });
const INGRESS = { labels: { istio: 'ingressgateway' }, ports: [80] };

function router(yaml = ''): Router {
  const r = new Router(sampleRegistry());
  r.configure(meshConfig(yaml));
  return r;
}

describe('a host no VirtualService routes', () => {
  it('goes to its Service with Istio’s default retries, its cluster and its default operation', () => {
    const decision = router().decide(request('users.base:7000'), caller('base'));
    expect(decision).toMatchObject({
      kind: 'route',
      choice: undefined,
      retry: DEFAULT_RETRY,
      mirror: undefined,
      cluster: { name: 'outbound|7000||users.base.svc.cluster.local', port: 7000 },
      operation: 'users.base.svc.cluster.local:7000/*',
    });
    if (decision.kind !== 'route') throw new Error('reason' in decision ? decision.reason : decision.kind);
    expect(decision.target?.fqdn).toBe('users.base.svc.cluster.local');
    expect(decision.upstream).toMatchObject({ key: 'users.base.svc.cluster.local|', subset: undefined, labels: {} });
  });
});

describe('a host a VirtualService routes', () => {
  const LANE = `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: users, namespace: base}
spec:
  hosts: [users]
  http:
  - name: fox-lane
    match: [{sourceLabels: {app: fox-mall}, uri: {prefix: /api}}]
    route: [{destination: {host: users, subset: lane, port: {number: 7000}}}]
    mirror: {host: products.fox.svc.cluster.local}
  - match: [{sourceNamespace: jason}]
    route: [{destination: {host: users}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: users, namespace: base}
spec: {host: users, subsets: [{name: lane, labels: {version: v1}}]}
`;

  it('takes the route that matched, with its subset, cluster, operation and mirror', () => {
    const decision = router(LANE).decide(request('users:7000', '/api/x'), caller('base', { app: 'fox-mall' }));
    if (decision.kind !== 'route') throw new Error('reason' in decision ? decision.reason : decision.kind);
    expect(decision.choice?.route.name).toBe('fox-lane');
    expect(decision.cluster).toEqual({ name: 'outbound|7000|lane|users.base.svc.cluster.local', port: 7000 });
    expect(decision.operation).toBe('users.base.svc.cluster.local:7000/api*');
    expect(decision.upstream).toMatchObject({ subset: 'lane', labels: { version: 'v1' } });
    expect(decision.mirror?.target.fqdn).toBe('products.fox.svc.cluster.local');
    expect(decision.retry).toBe(DEFAULT_RETRY);
  });

  it('sends a caller none of whose routes pilot would keep to the Service itself', () => {
    const decision = router(LANE).decide(request('users:7000', '/api/x'), caller('base'));
    expect(decision).toMatchObject({ kind: 'route', choice: undefined, operation: 'users.base.svc.cluster.local:7000/*', cluster: { name: 'outbound|7000||users.base.svc.cluster.local' } });
  });

  it('answers 404 NR naming the VirtualService when a kept route does not match', () => {
    const decision = router(LANE).decide(request('users:7000', '/other'), caller('base', { app: 'fox-mall' }));
    expect(decision).toMatchObject({ kind: 'reject', status: 404, flag: 'NR', reason: 'no route of VirtualService base/users matched' });
    expect(decision.kind === 'reject' && decision.target?.fqdn).toBe('users.base.svc.cluster.local');
  });

  it('answers 503 NC when the chosen destination cannot be resolved, and mirrors nothing that cannot', () => {
    const broken = router(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: users, namespace: base}
spec:
  hosts: [users]
  http:
  - match: [{uri: {prefix: /gone}}]
    route: [{destination: {host: users, subset: nowhere}}]
  - route: [{destination: {host: users}}]
    mirror: {host: nobody}
`);
    expect(broken.decide(request('users:7000', '/gone'), caller('base'))).toMatchObject({ kind: 'reject', status: 503, flag: 'NC', reason: 'no subset nowhere for users.base.svc.cluster.local in any DestinationRule' });
    expect(broken.decide(request('users:7000', '/'), caller('base'))).toMatchObject({ kind: 'route', mirror: undefined });
  });
});

describe('the ingress gateway', () => {
  const GATEWAY = `${MALL_GATEWAY}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: mall, namespace: base}
spec:
  hosts: [shop.example.com]
  gateways: [mall-gateway]
  http: [{match: [{port: 80, uri: {prefix: /api}}], route: [{destination: {host: users}}]}]
`;
  const ingress = caller('istio-system', { istio: 'ingressgateway' });

  it('routes by the Host without its port, matching the listener port whatever the Host says', () => {
    const decision = router(GATEWAY).decide(request('Shop.Example.com:8080', '/api/x'), ingress, INGRESS);
    expect(decision).toMatchObject({ kind: 'route', cluster: { name: 'outbound|7000||users.base.svc.cluster.local' }, operation: 'users.base.svc.cluster.local:7000/api*' });
  });

  it('answers 404 NR for a host no virtual host takes', () => {
    expect(router(GATEWAY).decide(request('localhost'), ingress, INGRESS)).toMatchObject({
      kind: 'reject',
      status: 404,
      flag: 'NR',
      reason: 'no virtual host for localhost: the gateway has shop.example.com',
    });
  });
});

describe('authorization at the destination', () => {
  const DENY_BASE = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: no-base, namespace: base}
spec: {action: DENY, rules: [{from: [{source: {namespaces: [base]}}], to: [{operation: {paths: [/private]}}]}]}
`;
  const users = pod('users-v1-1', 'base', { app: 'users', version: 'v1' }, 1001);
  const ask = (r: Router, namespace: string | undefined, url: string) =>
    r.authorize(users, namespace ? caller(namespace) : undefined, { method: 'GET', url, host: 'users:7000', headers: {} });

  it('allows everything without policies', () => {
    expect(ask(router(), 'base', '/private')).toBe(true);
  });

  it('applies the pod’s policies to the path without its query', () => {
    const r = router(DENY_BASE);
    expect(ask(r, 'base', '/private?x=1')).toBe(false);
    expect(ask(r, 'base', '/public?x=/private')).toBe(true);
    expect(ask(r, 'fox', '/private')).toBe(true);
  });

  it('sees no caller identity under PeerAuthentication DISABLE', () => {
    const r = router(`${DENY_BASE}---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: plain, namespace: base}
spec: {mtls: {mode: DISABLE}}
`);
    expect(r.plainText(users)).toBe(true);
    expect(ask(r, 'base', '/private')).toBe(true);
    expect(router().plainText(users)).toBe(false);
  });
});

describe('endpoints', () => {
  it('are the Service’s ready pods, narrowed to the subset’s labels', () => {
    const registry = sampleRegistry();
    registry.addPod(pod('users-v2-1', 'base', { app: 'users', version: 'v2' }, 1005));
    const r = new Router(registry);
    r.configure(meshConfig(`
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: users, namespace: base}
spec: {host: users, subsets: [{name: v2, labels: {version: v2}}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: users, namespace: base}
spec: {hosts: [users], http: [{route: [{destination: {host: users, subset: v2}}]}]}
`));
    const decision = r.decide(request('users:7000'), caller('base'));
    if (decision.kind !== 'route') throw new Error('reason' in decision ? decision.reason : decision.kind);
    expect(r.endpointsOf(decision.upstream).map((p) => p.name)).toEqual(['users-v2-1']);
  });
});

describe('edges of routing', () => {
  it('routes a sidecar’s request by a match on the `mesh` gateway, the sidecars’ own', () => {
    const decision = router(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: users, namespace: base}
spec:
  hosts: [users]
  gateways: [mesh, mall-gateway]
  http:
  - {name: at-gateway, match: [{gateways: [mall-gateway]}], route: [{destination: {host: users}}]}
  - {name: in-mesh, match: [{gateways: [mesh]}], route: [{destination: {host: users}}]}
`).decide(request('users:7000'), caller('base'));
    expect(decision.kind === 'route' && decision.choice?.route.name).toBe('in-mesh');
  });

  it('names a route that splits traffic after its VirtualService and listener port, as Envoy’s decorator', () => {
    const decision = router(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: users-split, namespace: base}
spec:
  hosts: [users]
  http: [{match: [{uri: {prefix: /api}}], route: [{destination: {host: users}, weight: 100}, {destination: {host: products.fox.svc.cluster.local}, weight: 0}]}]
`).decide(request('users:7000', '/api/x'), caller('base'));
    expect(decision).toMatchObject({ kind: 'route', operation: 'users-split:7000/api*' });
  });

  it('reports the host’s Service as the target of a 503 NC for a destination that cannot be resolved', () => {
    const decision = router(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: users, namespace: base}
spec:
  hosts: [users]
  http: [{route: [{destination: {host: users, subset: nowhere}}]}]
`).decide(request('users:7000'), caller('base'));
    expect(decision).toMatchObject({ kind: 'reject', status: 503, flag: 'NC' });
    expect(decision.target?.fqdn).toBe('users.base.svc.cluster.local');
  });
});
