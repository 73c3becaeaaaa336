import { describe, expect, it } from 'vitest';
import { ServiceDirectory } from '../k8s/service-registry.js';
import { MeshRoutes } from './compile.js';
import type { RequestFacts } from './match.js';
import type { MeshConfig, VirtualService } from './mesh-config.js';
import { chooseRoute, type RouteChoice } from './route-table.js';
import { MALL_GATEWAY, meshConfig, source } from './test-fixtures.js';
import { validateMeshConfig } from './validate.js';

const request = (headers: Record<string, string> = {}, url = '/', from = source('default')): RequestFacts => ({
  method: 'GET',
  url,
  headers,
  port: 9080,
  source: from,
  gateways: new Set(['mesh']),
});

/** A VirtualService's routes as its callers' tables hold them (compiled once, so weights keep their state). */
function router(config: MeshConfig, vs: VirtualService): (request: RequestFacts) => RouteChoice | undefined {
  const routes = new MeshRoutes(config, new ServiceDirectory()).routesOf(vs, 'default');
  return (request) => chooseRoute({ target: undefined, virtualService: vs, routes, passthrough: undefined }, request) as RouteChoice | undefined;
}

// Istio's "Request Routing" task: jason sees reviews v2, everyone else v1.
const REVIEWS = `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - match:
    - headers:
        end-user: {exact: jason}
    route:
    - destination: {host: reviews, subset: v2}
  - route:
    - destination: {host: reviews, subset: v1}
`;

describe('VirtualService routes', () => {
  it('resolves short hosts from the VirtualService namespace and finds it for mesh traffic', () => {
    const config = meshConfig(REVIEWS);
    expect(config.meshVirtualService('reviews.default.svc.cluster.local', 'default')?.name).toBe('reviews');
    expect(config.meshVirtualService('reviews.other.svc.cluster.local', 'default')).toBeUndefined();
  });

  it('matches a wildcard host when no VirtualService names the host exactly', () => {
    const config = meshConfig(`${REVIEWS}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: everything-in-shop, namespace: shop}
spec:
  hosts: ["*.shop.svc.cluster.local"]
  http: [{route: [{destination: {host: cart}}]}]
`);
    expect(config.meshVirtualService('cart.shop.svc.cluster.local', 'shop')?.name).toBe('everything-in-shop');
    expect(config.meshVirtualService('reviews.default.svc.cluster.local', 'shop')?.name).toBe('reviews');
    expect(config.meshVirtualService('cart.other.svc.cluster.local', 'shop')).toBeUndefined();
  });

  it('takes the first route that matches, in order (the header route, then the catch-all)', () => {
    const config = meshConfig(REVIEWS);
    const choose = router(config, config.virtualServices[0]!);
    expect(choose(request({ 'end-user': 'jason' }))?.destination.destination.subset).toBe('v2');
    expect(choose(request({ 'end-user': 'fox' }))?.destination.destination.subset).toBe('v1');
    expect(choose(request())?.destination.destination.subset).toBe('v1');
  });

  it('does not reorder by specificity: an earlier broad route shadows a later specific one', () => {
    const config = meshConfig(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: r, namespace: default}
spec:
  hosts: [reviews]
  http:
  - name: broad
    match: [{uri: {prefix: /}}]
    route: [{destination: {host: reviews, subset: v1}}]
  - name: specific
    match: [{uri: {exact: /reviews/7}}]
    route: [{destination: {host: reviews, subset: v2}}]
`);
    expect(router(config, config.virtualServices[0]!)(request({}, '/reviews/7'))?.route.name).toBe('broad');
  });

  it('ORs the entries of a match list, and has no route when none matches (Envoy answers 404)', () => {
    const config = meshConfig(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: r, namespace: default}
spec:
  hosts: [reviews]
  http:
  - match: [{headers: {end-user: {exact: jason}}}, {uri: {prefix: /beta}}]
    route: [{destination: {host: reviews, subset: v2}}]
`);
    const choose = router(config, config.virtualServices[0]!);
    expect(choose(request({ 'end-user': 'jason' }))).toBeDefined();
    expect(choose(request({}, '/beta/x'))).toBeDefined();
    expect(choose(request({ 'end-user': 'fox' }, '/'))).toBeUndefined();
  });

  it('splits by weight exactly over every run of requests (Istio docs: reviews 50/50 v1/v3)', () => {
    const config = meshConfig(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 80
    - destination: {host: reviews, subset: v3}
      weight: 20
`);
    const choose = router(config, config.virtualServices[0]!);
    const picks = Array.from({ length: 100 }, () => choose(request())!.destination.destination.subset);
    expect(picks.filter((s) => s === 'v1')).toHaveLength(80);
    expect(picks.slice(0, 10).filter((s) => s === 'v3')).toHaveLength(2);
  });

  it('refuses two VirtualServices for one host, several destinations all of weight 0, and invalid RE2', () => {
    const config = meshConfig(`${REVIEWS}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews-again, namespace: other}
spec:
  hosts: [reviews.default.svc.cluster.local]
  http:
  - match: [{uri: {regex: "(?<=x)"}}]
    route:
    - destination: {host: reviews.default.svc.cluster.local, subset: v1}
      weight: 0
    - destination: {host: reviews.default.svc.cluster.local, subset: v2}
      weight: 0
`);
    const errors = validateMeshConfig(config);
    expect(errors).toHaveLength(3);
    // Created together, they are taken by name.namespace (Istio's order): reviews-again.other comes first.
    expect(errors).toContain(
      'VirtualService default/reviews: host reviews.default.svc.cluster.local already has VirtualService other/reviews-again; use one VirtualService per host',
    );
    expect(errors.join('\n')).toMatch(/regex/);
    expect(errors.join('\n')).toMatch(/add up to 0/);
  });
});

describe('Gateways and DestinationRules', () => {
  const config = meshConfig(`${MALL_GATEWAY}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: mall, namespace: base}
spec:
  hosts: ["*"]
  gateways: [mall-gateway]
  http: [{route: [{destination: {host: mall, subset: v1}}]}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: mall, namespace: base}
spec:
  host: mall
  trafficPolicy: {loadBalancer: {simple: RANDOM}}
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}, trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}}
`);

  it('binds a gateway VirtualService to ingresses its Gateway selects, not to the mesh', () => {
    const vhosts = config.gatewayVirtualHosts({ istio: 'ingressgateway' }, 80, 'istio-system');
    expect(vhosts.map((v) => [v.domain, v.bound.map((b) => [b.gateway, b.vs.name])])).toEqual([['*', [['base/mall-gateway', 'mall']]]]);
    expect(config.gatewayVirtualHosts({ istio: 'other' }, 80, 'istio-system')).toEqual([]);
    expect(config.gatewayVirtualHosts({ istio: 'ingressgateway' }, 443, 'istio-system')).toEqual([]);
    expect(config.meshVirtualService('mall.base.svc.cluster.local', 'base')).toBeUndefined();
  });

  it('finds the DestinationRule from the client namespace, the service namespace, then the root', () => {
    expect(config.destinationRule('mall.base.svc.cluster.local', 'jason', 'base')?.name).toBe('mall');
  });
});
