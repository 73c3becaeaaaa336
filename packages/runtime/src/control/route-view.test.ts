import { describe, expect, it } from 'vitest';
import { MeshRoutes } from '../istio/compile.js';
import { MALL_GATEWAY, meshConfig } from '../istio/test-fixtures.js';
import { sampleRegistry } from '../k8s/test-fixtures.js';
import { ingressRouteView, sidecarRouteView } from './route-view.js';

// users in base (subsets lane and v1), routed for the mesh and the gateway: a lane with a mirror, and a split whose
// second destination and mirror cannot be resolved. products in fox has no VirtualService.
const ROUTING = `${MALL_GATEWAY}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: users, namespace: base}
spec:
  hosts: [users]
  gateways: [mesh, mall-gateway]
  http:
  - name: lane
    match: [{headers: {end-user: {exact: jason}}}, {uri: {prefix: /jason}}]
    route: [{destination: {host: users, subset: lane}}]
    mirror: {host: products.fox.svc.cluster.local}
  - name: split
    route: [{destination: {host: users, subset: v1}, weight: 90}, {destination: {host: nowhere.base.svc.cluster.local}, weight: 10}]
    mirror: {host: users, subset: nope}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: users, namespace: base}
spec:
  host: users
  subsets: [{name: lane, labels: {version: v2}}, {name: v1, labels: {version: v1}}]
`;

const tables = new MeshRoutes(meshConfig(ROUTING), sampleRegistry().snapshot());
const COLUMNS = ['NAME', 'VHOST NAME', 'DOMAINS', 'MATCH', 'ROUTE', 'DESTINATIONS', 'VIRTUAL SERVICE'];
const LANE = 'users/lane → users.base.svc.cluster.local|lane (mirror products.fox.svc.cluster.local|)';
const SPLIT =
  'users/v1 90% → users.base.svc.cluster.local|v1 + nowhere.base.svc.cluster.local 10% ! destination nowhere.base.svc.cluster.local is not a Service (mirror ! no subset nope for users.base.svc.cluster.local in any DestinationRule)';

describe('proxy-config routes: a compiled table as istioctl shows an Envoy\'s', () => {
  it("a sidecar's: one row per route of each virtual host, its domains shortened, each destination resolved or why not", () => {
    const result = sidecarRouteView(tables.sidecar('base'));
    expect(result.columns).toEqual(COLUMNS);
    expect(result.rows).toEqual([
      ['7000', 'users.base.svc.cluster.local:7000', 'users, users.base + 2 more...', 'end-user=jason | uri^=/jason', 'lane', LANE, 'users.base'],
      ['7000', 'users.base.svc.cluster.local:7000', 'users, users.base + 2 more...', '*', 'split', SPLIT, 'users.base'],
      // No VirtualService: the Service's own default route.
      ['7000', 'products.fox.svc.cluster.local:7000', 'products.fox, products.fox.svc + 1 more...', '*', 'default', 'products.fox.svc.cluster.local → products.fox.svc.cluster.local|', '-'],
    ]);
    expect(result.objects[0]).toEqual({
      name: '7000',
      vhost: 'users.base.svc.cluster.local:7000',
      domains: ['users.base.svc.cluster.local:7000', 'users.base.svc:7000', 'users.base:7000', 'users:7000'],
      virtualService: 'users.base',
      routes: [
        { name: 'lane', match: ['end-user=jason', 'uri^=/jason'], destinations: [{ written: 'users/lane', upstream: 'users.base.svc.cluster.local|lane' }], mirror: 'products.fox.svc.cluster.local|' },
        {
          name: 'split',
          match: ['*'],
          destinations: [
            { written: 'users/v1 90%', upstream: 'users.base.svc.cluster.local|v1' },
            { written: 'nowhere.base.svc.cluster.local 10%', error: 'destination nowhere.base.svc.cluster.local is not a Service' },
          ],
          mirror: '! no subset nope for users.base.svc.cluster.local in any DestinationRule',
        },
      ],
    });
    expect(result.objects[1]).toEqual({
      name: '7000',
      vhost: 'products.fox.svc.cluster.local:7000',
      domains: ['products.fox.svc.cluster.local:7000', 'products.fox.svc:7000', 'products.fox:7000'],
      virtualService: undefined,
      routes: [{ name: 'default', match: ['*'], destinations: [{ written: 'products.fox.svc.cluster.local', upstream: 'products.fox.svc.cluster.local|' }] }],
    });
  });

  it("the ingress gateway's: the virtual hosts its Gateways and VirtualServices make, on http.80, a route per match", () => {
    const result = ingressRouteView(tables.ingress({ labels: { istio: 'ingressgateway' }, ports: [80] }, 'istio-system'));
    expect(result.columns).toEqual(COLUMNS);
    expect(result.rows).toEqual([
      ['http.80', 'users.base.svc.cluster.local:80', 'users.base.svc.cluster.local', 'end-user=jason', 'lane', LANE, 'users.base'],
      ['http.80', 'users.base.svc.cluster.local:80', 'users.base.svc.cluster.local', 'uri^=/jason', 'lane', LANE, 'users.base'],
      ['http.80', 'users.base.svc.cluster.local:80', 'users.base.svc.cluster.local', '*', 'split', SPLIT, 'users.base'],
    ]);
  });

  it('has no rows for a gateway no Gateway selects', () => {
    expect(ingressRouteView(tables.ingress({ labels: { istio: 'other' }, ports: [80] }, 'istio-system'))).toEqual({ columns: COLUMNS, rows: [], objects: [] });
  });
});
