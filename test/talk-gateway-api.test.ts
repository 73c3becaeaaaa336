import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load as loadThrough, plain, see as seeThrough } from './support/shop.js';
import { startMeshMall, type MeshMall } from './support/mesh-mall.js';

/**
 * The talk played with istio/gateway-api/ instead of the Istio objects (its README's table): each act gives every
 * shopper what its Istio twin gives in talk.test.ts, through the proxy Istio deploys for the Gateway `mall`.
 */
const BASE_ACT = ['install/base_apps.yaml', 'istio/gateway-api/mall-versions.yaml', 'istio/gateway-api/gateway.yaml', 'istio/gateway-api/base-routes.yaml'];

interface GatewayObject {
  metadata: { namespace: string; name: string };
  status: { conditions: { type: string; status: string }[]; listeners: { name: string; attachedRoutes: number }[]; localListeners: { port: number; url: string }[] };
}
interface RouteObject {
  metadata: { namespace: string; name: string };
  status: { parents: { parentRef: { kind: string; name: string }; controllerName: string; conditions: { type: string; status: string; reason: string }[] }[] };
}

let mesh: MeshMall;
let gateway: string;
const see = (user?: string) => seeThrough(gateway, user);
const load = (count: number, concurrency: number) => loadThrough(gateway, count, concurrency);
const get = async <T>(what: string): Promise<T[]> => JSON.parse((await mesh.cli('get', what, '-o', 'json')).stdout) as T[];

beforeAll(async () => {
  // No simulated latency: the canary step loads the page a thousand times.
  mesh = await startMeshMall({ args: ['--env', 'LATENCY_MS=0', '-f', ...BASE_ACT] });
  const [mall] = await get<GatewayObject>('gateways');
  gateway = mall!.status.localListeners.find((l) => l.port === 80)!.url;
});
afterAll(async () => {
  await mesh?.stop();
});

describe('the talk in Gateway API form, step by step through mesh-mall apply', () => {
  it("base: the Gateway is programmed with the mall's route on its listener, and everyone sees mall v1 without banners", async () => {
    const [mall] = await get<GatewayObject>('gateways');
    expect(mall!.metadata).toMatchObject({ namespace: 'base', name: 'mall' });
    expect(mall!.status.conditions.map((c) => [c.type, c.status])).toEqual([
      ['Accepted', 'True'],
      ['Programmed', 'True'],
    ]);
    expect(mall!.status.listeners).toEqual([{ name: 'http', attachedRoutes: 1 }]);
    expect(mesh.output()).toContain(`Gateway base/mall  ${gateway}  (Gateway API; its port 80)`);
    for (const user of [undefined, 'jason', 'fox']) expect(await see(user), user).toEqual(plain);
  });

  it("jason's lane: jason sees the recommend banner, nobody else does", async () => {
    await mesh.apply('install/jason-apps.yaml');
    const applied = await mesh.apply('istio/gateway-api/jason-routes.yaml');
    expect(applied).toContain('httproute.gateway.networking.k8s.io/recommend created');
    expect(applied).toContain('referencegrant.gateway.networking.k8s.io/routes-from-base created');
    expect(await see('jason')).toEqual({ ...plain, recommendBanner: true });
    expect(await see()).toEqual(plain);
    expect(await see('fox')).toEqual(plain);
  });

  it("fox's lane: fox sees the discount banner and favorites in both sections; jason and guests unchanged", async () => {
    await mesh.apply('install/fox-apps.yaml');
    await mesh.apply('istio/gateway-api/fox-routes.yaml');
    expect(await see('fox')).toEqual({ ...plain, discountBanner: true, discountFavorites: true, recommendFavorites: true });
    expect(await see('jason')).toEqual({ ...plain, recommendBanner: true });
    expect(await see()).toEqual(plain);
  });

  it('get httproutes: every route accepted by its parent with every reference resolved, as istiod reports it', async () => {
    const routes = await get<RouteObject>('httproutes');
    expect(routes.map((r) => [`${r.metadata.namespace}/${r.metadata.name}`, r.status.parents.map((p) => [p.parentRef.kind, p.parentRef.name, p.controllerName, ...p.conditions.map((c) => `${c.type}=${c.status}`)])])).toEqual([
      ['base/mall', [['Gateway', 'mall', 'istio.io/gateway-controller', 'Accepted=True', 'ResolvedRefs=True']]],
      ['base/recommend', [['Service', 'recommend', 'istio.io/gateway-controller', 'Accepted=True', 'ResolvedRefs=True']]],
      ['base/discount', [['Service', 'discount', 'istio.io/gateway-controller', 'Accepted=True', 'ResolvedRefs=True']]],
      ['base/products', [['Service', 'products', 'istio.io/gateway-controller', 'Accepted=True', 'ResolvedRefs=True']]],
    ]);
    const table = await mesh.cli('get', 'httproutes');
    expect(table.stdout).toMatch(/^base\s+recommend\s+\*\s+Service\/recommend:7000\s+True\s+True\s+\S+$/m);
  });

  it("proxy-config routes: the Gateway's proxy (mall-istio) holds the mall's route, a base pod the lanes' merged routes", async () => {
    const table = JSON.parse((await mesh.cli('proxy-config', 'routes', 'mall-istio', '-o', 'json')).stdout) as { vhost: string; routes: { name: string; destinations: { upstream?: string }[] }[] }[];
    expect(table.map((h) => [h.vhost, h.routes.map((r) => [r.name, r.destinations.map((d) => d.upstream)])])).toEqual([['*:80', [['base.mall.0', ['mall-v1.base.svc.cluster.local|']]]]]);
    const mall = (await mesh.pods()).find((p) => p.namespace === 'base' && p.workload === 'mall-v1')!;
    const sidecar = JSON.parse((await mesh.cli('proxy-config', 'routes', mall.name, '-o', 'json')).stdout) as { vhost: string; routes: { name: string; match: string[] }[] }[];
    expect(sidecar.find((h) => h.vhost === 'recommend.base.svc.cluster.local:7000')!.routes.map((r) => [r.name, r.match])).toEqual([
      ['base.recommend.0', ['uri^=/,end-user=jason']],
      ['base.recommend.1', ['uri^=/']],
    ]);
  });

  it('canary 50/50: of 1000 page loads v1 serves exactly 500 and v2 exactly 500', async () => {
    await mesh.apply('install/mall-v2-apps.yaml');
    expect(await mesh.apply('istio/gateway-api/mall-canary-50.yaml')).toContain('httproute.gateway.networking.k8s.io/mall configured');
    const results = await load(1000, 20);
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    expect({ v1: results.filter((r) => r.version === 'v1').length, v2: results.filter((r) => r.version === 'v2').length }).toEqual({ v1: 500, v2: 500 });
  });

  it('100%: only v2 serves', async () => {
    await mesh.apply('istio/gateway-api/mall-v2-100.yaml');
    const after = await load(100, 10);
    expect(after.map((r) => `${r.status} ${r.version}`)).toEqual(Array.from({ length: 100 }, () => '200 v2'));
  });

  it("refuses the Istio twin of a lane on top of it: a VirtualService for a host an HTTPRoute routes is not merged with it", async () => {
    const result = await mesh.cli('apply', '-f', 'istio/jason-routing.yaml');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('HTTPRoute base/recommend: host recommend.base.svc.cluster.local already has VirtualService jason/recommend; route a host with VirtualServices or with HTTPRoutes, not both');
    expect(await see('jason')).toMatchObject({ recommendBanner: true });
  });

  it("deleting the Gateway stops its proxy: its address refuses connections and get gateways lists nothing", async () => {
    const deleted = await mesh.cli('delete', '-f', 'istio/gateway-api/gateway.yaml');
    expect(deleted.stdout).toBe('gateway.gateway.networking.k8s.io/mall deleted\n');
    await expect(fetch(`${gateway}/api/mall`)).rejects.toThrow();
    expect(await get('gateways')).toEqual([]);
  });
});
