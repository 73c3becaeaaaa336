import { describe, expect, it } from 'vitest';
import { parseManifests, type ServiceManifest } from '../api/manifests.js';
import { pod, sampleRegistry, serviceManifest } from '../k8s/test-fixtures.js';
import { MeshRoutes, type IngressIdentity } from './compile.js';
import { MALL_GATEWAY, meshConfig, source } from './test-fixtures.js';

const INGRESS: IngressIdentity = { labels: { istio: 'ingressgateway' }, ports: [80] };

// jason's lane as istio/jason-routing.yaml writes it, with a DestinationRule for its subset in each namespace.
const LANE = `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: users, namespace: jason}
spec:
  hosts: [users.base.svc.cluster.local]
  http:
  - name: jason-lane
    match: [{headers: {end-user: {exact: jason}}}]
    route: [{destination: {host: users.base.svc.cluster.local, subset: lane}}]
  - name: base
    route: [{destination: {host: users.base.svc.cluster.local}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: users, namespace: base}
spec:
  host: users
  subsets: [{name: lane, labels: {version: v1}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: users, namespace: jason}
spec:
  host: users.base.svc.cluster.local
  trafficPolicy: {loadBalancer: {simple: RANDOM}}
  subsets: [{name: lane, labels: {version: v2}}]
`;

function tables(yaml: string): MeshRoutes {
  return new MeshRoutes(meshConfig(yaml), sampleRegistry().snapshot());
}

const facts = (headers: Record<string, string>, from = source('base')) => ({ method: 'GET', url: '/', headers, port: 7000, source: from, gateways: new Set(['mesh']) });

describe('compiled sidecar tables', () => {
  it('give each Service one virtual host under every name cluster DNS gives it from the caller namespace', () => {
    const base = tables('').sidecar('base');
    const users = base.virtualHosts.find((h) => h.name === 'users.base.svc.cluster.local:7000')!;
    expect(users.domains).toEqual(['users.base.svc.cluster.local:7000', 'users.base.svc:7000', 'users.base:7000', 'users:7000']);
    for (const authority of users.domains) expect(base.lookup(authority)).toBe(users.host);
    expect(base.lookup('USERS.BASE:7000')).toBe(users.host);
    // Only the Service's own namespace may use the short name.
    const jason = tables('').sidecar('jason');
    expect(jason.virtualHosts.find((h) => h.name === 'users.base.svc.cluster.local:7000')!.domains).toEqual([
      'users.base.svc.cluster.local:7000',
      'users.base.svc:7000',
      'users.base:7000',
    ]);
    expect(jason.lookup('users:7000')).toEqual({ reason: 'no Service for host users:7000 from namespace jason' });
    expect(base.lookup('users:8080')).toMatchObject({ reason: 'Service users.base.svc.cluster.local has no port 8080' });
  });

  it('send a host no VirtualService routes straight to its Service, and resolve a routed one per caller namespace', () => {
    const compiled = tables(LANE);
    expect(compiled.sidecar('fox').lookup('products.fox:7000')).toMatchObject({ passthrough: { key: 'products.fox.svc.cluster.local|', labels: {} }, routes: [] });
    // The caller's own namespace has the first say on the DestinationRule (Istio's lookup order).
    const fromBase = compiled.sidecar('base').lookup('users:7000');
    const fromJason = compiled.sidecar('jason').lookup('users.base:7000');
    if ('reason' in fromBase || 'reason' in fromJason) throw new Error('users should be routed');
    expect(fromBase.routes[0]!.destinations[0]).toMatchObject({ key: 'users.base.svc.cluster.local|lane', labels: { version: 'v1' }, policy: {} });
    expect(fromJason.routes[0]!.destinations[0]).toMatchObject({ labels: { version: 'v2' }, policy: { loadBalancer: { simple: 'RANDOM' } } });
    // Both callers share the one translation of each route (its matchers and its weights' state).
    expect(fromBase.routes.map((r) => r.route)).toEqual(fromJason.routes.map((r) => r.route));
    expect(fromBase.routes[0]!.route).toBe(fromJason.routes[0]!.route);
    expect(fromBase.routes[0]!.route.matches[0]!.test(facts({ 'end-user': 'jason' }))).toBe(true);
    expect(fromBase.routes[0]!.route.matches[0]!.test(facts({ 'end-user': 'fox' }))).toBe(false);
  });

  it('record a destination that is no Service, or a subset no DestinationRule defines, with the reason', () => {
    const compiled = tables(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: users, namespace: base}
spec:
  hosts: [users]
  http:
  - route: [{destination: {host: nobody}}]
    mirror: {host: users, subset: missing}
`);
    const users = compiled.sidecar('base').lookup('users:7000');
    if ('reason' in users) throw new Error('users should be routed');
    expect(users.routes[0]!.destinations).toEqual([{ reason: 'destination nobody.base.svc.cluster.local is not a Service' }]);
    expect(users.routes[0]!.mirror).toEqual({ reason: 'no subset missing for users.base.svc.cluster.local in any DestinationRule' });
  });

  it('are built from the Services they were given: a Service added later needs new tables', () => {
    const registry = sampleRegistry();
    const before = new MeshRoutes(meshConfig(''), registry.snapshot());
    registry.putService(serviceManifest('scores', 'base'));
    registry.addPod(pod('scores-v1-1', 'base', { app: 'scores' }, 1010));
    expect(before.sidecar('base').lookup('scores:7000')).toEqual({ reason: 'no Service for host scores:7000 from namespace base' });
    expect(new MeshRoutes(meshConfig(''), registry.snapshot()).sidecar('base').lookup('scores:7000')).toMatchObject({ passthrough: { key: 'scores.base.svc.cluster.local|' } });
  });
});

describe('Services on several ports, or on port 80', () => {
  /** The sample registry and `shop` in base on ports 80 and 9080. */
  const withShop = (yaml: string) => {
    const registry = sampleRegistry();
    const shop = `apiVersion: v1\nkind: Service\nmetadata: {name: shop, namespace: base}\nspec:\n  selector: {app: shop}\n  ports: [{name: http, port: 80}, {name: admin, port: 9080}]\n`;
    registry.putService(parseManifests(shop, 't').manifests[0] as ServiceManifest);
    return new MeshRoutes(meshConfig(yaml), registry.snapshot());
  };

  it('list every virtual host of the sidecar table, one per Service and port', () => {
    expect(withShop('').sidecar('fox').virtualHosts.map((v) => v.name)).toEqual([
      'users.base.svc.cluster.local:7000',
      'products.fox.svc.cluster.local:7000',
      'shop.base.svc.cluster.local:80',
      'shop.base.svc.cluster.local:9080',
    ]);
  });

  it('answer a Host without a port, and with :80, for a Service on port 80 (pilot generateVirtualHostDomains)', () => {
    const base = withShop('').sidecar('base');
    const http = base.virtualHosts.find((h) => h.name === 'shop.base.svc.cluster.local:80')!;
    expect(http.domains).toEqual([
      'shop.base.svc.cluster.local',
      'shop.base.svc.cluster.local:80',
      'shop.base.svc',
      'shop.base.svc:80',
      'shop.base',
      'shop.base:80',
      'shop',
      'shop:80',
    ]);
    expect(base.lookup('shop')).toBe(http.host);
    expect(base.lookup('shop:80')).toBe(http.host);
    expect(base.lookup('shop:9080')).toBe(base.virtualHosts.find((h) => h.name === 'shop.base.svc.cluster.local:9080')!.host);
  });

  it('resolve a destination port the Service has, of several, and say so of one it lacks (no such cluster)', () => {
    const compiled = withShop(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: base}
spec:
  hosts: [shop]
  http:
  - match: [{headers: {x-admin: {exact: "1"}}}]
    route: [{destination: {host: shop, port: {number: 9080}}}]
  - route: [{destination: {host: shop, port: {number: 81}}}]
`);
    const [admin, wrong] = compiled.routesOf(compiled.config.virtualServices[0]!, 'base');
    expect(admin!.destinations).toEqual([expect.objectContaining({ key: 'shop.base.svc.cluster.local|' })]);
    expect(wrong!.destinations).toEqual([{ reason: 'Service shop.base.svc.cluster.local has no port 81' }]);
  });
});

describe('rebuilt tables', () => {
  it('keep the translated routes (and the state of weighted splits) when only Services changed', () => {
    const config = meshConfig(LANE);
    const first = new MeshRoutes(config, sampleRegistry().snapshot());
    const routesOf = (tables: MeshRoutes) => tables.routesOf(config.virtualServices[0]!, 'base').map((r) => r.route);
    expect(routesOf(new MeshRoutes(config, sampleRegistry().snapshot(), first))).toEqual(routesOf(first));
    expect(routesOf(new MeshRoutes(config, sampleRegistry().snapshot(), first))[0]).toBe(routesOf(first)[0]);
    const reapplied = meshConfig(LANE);
    expect(new MeshRoutes(reapplied, sampleRegistry().snapshot(), first).routesOf(reapplied.virtualServices[0]!, 'base')[0]!.route).not.toBe(routesOf(first)[0]);
  });
});

describe('compiled ingress tables', () => {
  const GATEWAY = `${MALL_GATEWAY}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: users, namespace: base}
spec:
  hosts: ["*"]
  gateways: [mall-gateway]
  http: [{name: users-v1, route: [{destination: {host: users}}]}]
`;

  it('find the VirtualService bound to the Gateways that accept a host, resolved for the gateway namespace', () => {
    const ingress = tables(GATEWAY).ingress(INGRESS, 'istio-system');
    const found = ingress.lookup('localhost');
    if ('reason' in found) throw new Error(found.reason);
    expect([...found.gateways]).toEqual(['base/mall-gateway']);
    expect(found.host.virtualService).toEqual({ namespace: 'base', name: 'users' });
    expect(found.host.routes[0]!.destinations[0]).toMatchObject({ key: 'users.base.svc.cluster.local|' });
    expect(ingress.lookup('localhost')).toBe(found);
    expect(ingress.virtualHosts).toEqual([{ port: 80, domain: '*', entry: found }]);
  });

  it('say why a host has no routes: nothing bound to this ingress, or no virtual host for the host', () => {
    expect(tables(GATEWAY).ingress({ labels: { istio: 'other' }, ports: [80] }, 'istio-system').lookup('localhost')).toEqual({
      reason: 'no Gateway server of this ingress has a VirtualService bound to it',
    });
    expect(tables(GATEWAY.replace('hosts: ["*"]\n  gateways', 'hosts: ["shop.example.com"]\n  gateways')).ingress(INGRESS, 'istio-system').lookup('localhost')).toEqual({
      reason: 'no virtual host for localhost: the gateway has shop.example.com',
    });
  });

  /** Two VirtualServices on the mall gateway, `a` applied before `b`. */
  const twoOnGateway = (serverHosts: string, aHosts: string, bHosts: string, aHttp = '[{route: [{destination: {host: users}}]}]', bHttp = '[{route: [{destination: {host: scores}}]}]') =>
    tables(`${MALL_GATEWAY.replace('hosts: ["*"]', `hosts: ${serverHosts}`)}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: a, namespace: base}
spec: {hosts: ${aHosts}, gateways: [mall-gateway], http: ${aHttp}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: b, namespace: base}
spec: {hosts: ${bHosts}, gateways: [mall-gateway], http: ${bHttp}}
`).ingress(INGRESS, 'istio-system');
  const servedBy = (ingress: ReturnType<typeof twoOnGateway>, host: string) => {
    const found = ingress.lookup(host);
    return 'reason' in found ? found.reason : found.host.routes.map((r) => r.route.spec.route[0]!.destination.host);
  };

  it('list every domain it has when none is the Host’s', () => {
    expect(servedBy(twoOnGateway('["*"]', '["a.example.com"]', '["b.example.com"]'), 'localhost')).toBe('no virtual host for localhost: the gateway has a.example.com, b.example.com');
  });

  it('pick an exact domain before a wildcard as long, whichever came first', () => {
    const ingress = twoOnGateway('["*"]', '["*.example.com"]', '["a.example.com"]');
    expect(ingress.virtualHosts.map((v) => v.domain)).toEqual(['*.example.com', 'a.example.com']);
    expect(servedBy(ingress, 'a.example.com')).toEqual(['scores']);
    expect(servedBy(ingress, 'b.example.com')).toEqual(['users']);
  });

  it('keep a match that names this gateway among others', () => {
    const ingress = twoOnGateway('["*"]', '["*"]', '["*"]', `[{match: [{gateways: [mesh, mall-gateway], uri: {prefix: /a}}], route: [{destination: {host: users}}]}]`);
    expect(servedBy(ingress, 'localhost')).toEqual(['users', 'scores']);
  });

  it('serve a Host on several ports by the first port’s virtual host', () => {
    const ingress = tables(`${MALL_GATEWAY}---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: admin-gateway, namespace: base}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 8080, name: admin, protocol: HTTP}, hosts: ["*"]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: admin, namespace: base}
spec: {hosts: [shop.example.com], gateways: [admin-gateway], http: [{route: [{destination: {host: scores}}]}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: base}
spec: {hosts: [shop.example.com], gateways: [mall-gateway], http: [{route: [{destination: {host: users}}]}]}
`).ingress({ ...INGRESS, ports: [80, 8080] }, 'istio-system');
    expect(ingress.virtualHosts.map((v) => `${v.domain}:${v.port}`)).toEqual(['shop.example.com:80', 'shop.example.com:8080']);
    expect(servedBy(ingress, 'shop.example.com')).toEqual(['users']);
  });

  it('name each virtual host by the more specific of a server host and a VirtualService host (host.Names.Intersection)', () => {
    // Server *.example.com with hosts "*" and "*.com": both narrow to *.example.com, one virtual host, routes merged.
    const ingress = twoOnGateway('["*.example.com"]', '["*"]', '["*.com"]');
    expect(ingress.virtualHosts.map((v) => v.domain)).toEqual(['*.example.com']);
    expect(servedBy(ingress, 'shop.example.com')).toEqual(['users', 'scores']);
    expect(servedBy(ingress, 'shop.example.org')).toBe('no virtual host for shop.example.org: the gateway has *.example.com');
  });

  it('pick the virtual host as Envoy does: exact domain, then the longest wildcard, then *', () => {
    const ingress = twoOnGateway('["*"]', '["*"]', '["*.example.com", "shop.example.com"]');
    expect(ingress.virtualHosts.map((v) => v.domain)).toEqual(['*', '*.example.com', 'shop.example.com']);
    expect(servedBy(ingress, 'shop.example.com')).toEqual(['scores']);
    expect(servedBy(ingress, 'a.example.com')).toEqual(['scores']);
    expect(servedBy(ingress, 'localhost')).toEqual(['users']);
  });

  it('move catch-all routes after the others, match by match, and drop what follows a catch-all (SortVHostRoutes)', () => {
    const ingress = twoOnGateway(
      '["*"]',
      '["*"]',
      '["*"]',
      `[{match: [{headers: {x-a: {exact: "1"}}}, {uri: {prefix: /}}], route: [{destination: {host: users}}]}, {match: [{uri: {prefix: /never}}], route: [{destination: {host: favorites}}]}]`,
      `[{match: [{uri: {prefix: /b}}], route: [{destination: {host: scores}}]}]`,
    );
    const found = ingress.lookup('localhost');
    if ('reason' in found) throw new Error(found.reason);
    expect(found.host.routes.map((r) => [r.route.spec.route[0]!.destination.host, r.route.matches.map((m) => Object.keys(m.match))])).toEqual([
      ['users', [['headers']]],
      ['scores', [['uri']]],
      ['users', [['uri']]],
    ]);
  });

  it('leave out a VirtualService none of whose routes apply at the gateway: its domain does not hide a wildcard', () => {
    const ingress = twoOnGateway('["*"]', '["shop.example.com"]', '["*"]', `[{match: [{gateways: [mesh]}], route: [{destination: {host: users}}]}]`);
    expect(ingress.virtualHosts.map((v) => v.domain)).toEqual(['*']);
    expect(servedBy(ingress, 'shop.example.com')).toEqual(['scores']);
  });

  it('keep a match only for the gateway it names, and the listener port it names', () => {
    const ingress = twoOnGateway('["*"]', '["*"]', '["*"]', `[{match: [{gateways: [other-gateway]}, {port: 8080}], route: [{destination: {host: users}}]}]`);
    expect(servedBy(ingress, 'localhost')).toEqual(['scores']);
  });
});

describe('AuthorizationPolicies by pod', () => {
  it("are the pod's namespace's (by selector) and the root namespace's, found once per pod", () => {
    const compiled = tables(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: users-only, namespace: base}
spec: {selector: {matchLabels: {app: users}}, action: ALLOW}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: mesh-wide, namespace: istio-system}
spec: {action: DENY, rules: [{to: [{operation: {paths: [/never]}}]}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: elsewhere, namespace: fox}
spec: {action: ALLOW}
`);
    const users = pod('users-v1-1', 'base', { app: 'users' }, 1001);
    expect(compiled.policiesFor(users).map((p) => p.name).sort()).toEqual(['mesh-wide', 'users-only']);
    expect(compiled.policiesFor(users)).toBe(compiled.policiesFor(users));
    expect(compiled.policiesFor(pod('other', 'base', { app: 'other' }, 1004)).map((p) => p.name)).toEqual(['mesh-wide']);
  });
});
