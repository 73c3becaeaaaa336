import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load as loadThrough, plain, see as seeThrough } from './support/shop.js';
import { isAlive, startMeshMall, type MeshMall } from './support/mesh-mall.js';

let mesh: MeshMall;
const see = (user?: string) => seeThrough(mesh.gateway, user);
const load = (count: number, concurrency: number, requestIds?: string) => loadThrough(mesh.gateway, count, concurrency, requestIds);
beforeAll(async () => {
  // No simulated latency: the canary step loads the page a thousand times.
  mesh = await startMeshMall({ args: ['--env', 'LATENCY_MS=0'] });
});
afterAll(async () => {
  await mesh?.stop();
});

describe('the talk, step by step through mesh-mall apply', () => {
  it('base: everyone sees mall v1 without banners', async () => {
    for (const user of [undefined, 'jason', 'fox']) expect(await see(user), user).toEqual(plain);
  });

  it("jason's lane: jason sees the recommend banner, nobody else does", async () => {
    expect(await mesh.apply('install/jason-apps.yaml')).toContain('deployment.apps/recommend-v2 created');
    expect(await mesh.apply('istio/jason-routing.yaml')).toContain('virtualservice.networking.istio.io/recommend created');
    expect(await see('jason')).toEqual({ ...plain, recommendBanner: true });
    expect(await see()).toEqual(plain);
    expect(await see('fox')).toEqual(plain);
    expect(await mesh.apply('istio/jason-routing.yaml')).toContain('virtualservice.networking.istio.io/recommend unchanged');
  });

  it("fox's lane: fox sees the discount banner and favorites in both sections; jason and guests unchanged", async () => {
    await mesh.apply('install/fox-apps.yaml');
    await mesh.apply('istio/fox-routing.yaml');
    expect(await see('fox')).toEqual({ ...plain, discountBanner: true, discountFavorites: true, recommendFavorites: true });
    expect(await see('jason')).toEqual({ ...plain, recommendBanner: true });
    expect(await see()).toEqual(plain);
  });

  it("proxy-config routes: a base pod's sidecar and the gateway show the tables compiled for both lanes", async () => {
    interface Listed {
      name: string;
      vhost: string;
      domains: string[];
      virtualService: string | undefined;
      routes: { name: string; match: string[]; destinations: { written: string; upstream?: string; error?: string }[] }[];
    }
    const mall = (await mesh.pods()).find((p) => p.namespace === 'base' && p.workload === 'mall-v1')!;
    const sidecar = await mesh.cli('proxy-config', 'routes', mall.name, '-o', 'json');
    expect(sidecar.stderr).toBe('');
    const hosts = new Map((JSON.parse(sidecar.stdout) as Listed[]).map((h) => [h.vhost, h]));
    const routesOf = (vhost: string) => hosts.get(vhost)?.routes.map((r) => [r.name, r.match, r.destinations.map((d) => d.upstream ?? d.error)]);
    expect(hosts.get('recommend.base.svc.cluster.local:7000')).toMatchObject({ name: '7000', virtualService: 'recommend.jason' });
    expect(hosts.get('recommend.base.svc.cluster.local:7000')!.domains).toEqual([
      'recommend.base.svc.cluster.local:7000',
      'recommend.base.svc:7000',
      'recommend.base:7000',
      'recommend:7000',
    ]);
    expect(routesOf('recommend.base.svc.cluster.local:7000')).toEqual([
      ['jason-lane', ['end-user=jason'], ['recommend.jason.svc.cluster.local|']],
      ['base', ['*'], ['recommend.base.svc.cluster.local|']],
    ]);
    expect(routesOf('discount.base.svc.cluster.local:7000')).toEqual([
      ['fox-lane', ['end-user=fox'], ['discount.fox.svc.cluster.local|']],
      ['base', ['*'], ['discount.base.svc.cluster.local|']],
    ]);
    // A Service no VirtualService routes is sent to as a plain Service.
    expect(routesOf('users.base.svc.cluster.local:7000')).toEqual([['default', ['*'], ['users.base.svc.cluster.local|']]]);
    // A base pod may not call the lanes' Services by their short names.
    expect(hosts.get('recommend.jason.svc.cluster.local:7000')!.domains).toEqual([
      'recommend.jason.svc.cluster.local:7000',
      'recommend.jason.svc:7000',
      'recommend.jason:7000',
    ]);

    const table = await mesh.cli('proxy-config', 'routes', mall.name);
    expect(table.stdout).toMatch(/^NAME\s+VHOST NAME\s+DOMAINS\s+MATCH\s+ROUTE\s+DESTINATIONS\s+VIRTUAL SERVICE$/m);
    expect(table.stdout).toMatch(/^7000\s+recommend\.base\.svc\.cluster\.local:7000\s+recommend, recommend\.base \+ 2 more\.\.\.\s+end-user=jason\s+jason-lane\s+recommend\.jason\.svc\.cluster\.local → recommend\.jason\.svc\.cluster\.local\|\s+recommend\.jason$/m);

    const gateway = await mesh.cli('proxy-config', 'routes', 'istio-ingressgateway', '-o', 'json');
    expect(JSON.parse(gateway.stdout)).toEqual([
      {
        name: 'http.80',
        vhost: '*:80',
        domains: ['*'],
        virtualService: 'mall.base',
        routes: [{ name: 'mall-v1', match: ['*'], destinations: [{ written: 'mall.base.svc.cluster.local/v1', upstream: 'mall.base.svc.cluster.local|v1' }] }],
      },
    ]);

    // design.md's spelling of the same view.
    expect((await mesh.cli('get', 'routes', 'istio-ingressgateway', '-o', 'json')).stdout).toBe(gateway.stdout);

    const unknown = await mesh.cli('proxy-config', 'routes', 'nope-123');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('mesh-mall: no pod nope-123 (see mesh-mall get pods), and it is not istio-ingressgateway\n');
  });

  it("the original talk's variant routes products by caller: favorites in fox's discounts, not in its recommendations", async () => {
    await mesh.apply('istio/fox-routing-by-source.yaml');
    expect(await see('fox')).toEqual({ ...plain, discountBanner: true, discountFavorites: true, recommendFavorites: false });
    expect(await see()).toEqual(plain);
    await mesh.apply('istio/fox-routing.yaml');
    expect(await see('fox')).toEqual({ ...plain, discountBanner: true, discountFavorites: true, recommendFavorites: true });
  });

  it('rolls a changed Deployment: a new pod takes over and the old one is gone', async () => {
    const before = (await mesh.pods()).find((p) => p.workload === 'recommend-v2')!;
    const file = join(tmpdir(), `mesh-mall-roll-${process.pid}.yaml`);
    const { readFile } = await import('node:fs/promises');
    const manifest = await readFile('install/jason-apps.yaml', 'utf8');
    await writeFile(file, manifest.replace('          env:\n', '          env:\n            - name: UPSTREAM_TIMEOUT_MS\n              value: "1500"\n'));
    expect(await mesh.apply(file)).toContain('deployment.apps/recommend-v2 configured');
    const after = (await mesh.pods()).filter((p) => p.workload === 'recommend-v2');
    expect(after).toHaveLength(1);
    expect(after[0]!.name).not.toBe(before.name);
    expect(isAlive(before.pid)).toBe(false);
    expect(await see('jason')).toMatchObject({ recommendBanner: true });
  });

  it('favorites answers 403 to every workload outside namespace fox and 200 to the fox workloads', async () => {
    const pods = await mesh.pods();
    const call = async (workload: string) => {
      const sidecar = pods.find((p) => p.workload === workload)!.sidecarPort;
      const { request } = await import('node:http');
      return new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: sidecar, path: '/favorites?ids=1', headers: { host: 'favorites.fox.svc.cluster.local:7000' } }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        });
        req.on('error', reject);
        req.end();
      });
    };
    for (const pod of pods) {
      const expected = pod.namespace === 'fox' ? { status: 200, body: '{"1":90}' } : { status: 403, body: 'RBAC: access denied' };
      expect(await call(pod.workload), `${pod.namespace}/${pod.workload}`).toEqual(expected);
    }
    // Every pod of the talk so far was asked: the base act, jason's lane and fox's, one replica each.
    expect(pods.map((p) => `${p.namespace}/${p.workload}`).sort()).toEqual([
      'base/discount-v1',
      'base/mall-v1',
      'base/products-v1',
      'base/recommend-v1',
      'base/scores-v1',
      'base/users-v1',
      'fox/discount-v2',
      'fox/favorites-v1',
      'fox/products-v2',
      'jason/recommend-v2',
    ]);
  });

  it('canary 50/50: of 1000 page loads v1 serves exactly 500 and v2 exactly 500', async () => {
    await mesh.apply('install/mall-v2-apps.yaml');
    await mesh.apply('istio/mall-canary-50.yaml');
    // The runtime splits by smooth weighted round-robin (packages/runtime/src/istio/weighted.ts): exact over any run of
    // picks, and 50/50 alternates. The picks are the gateway's route mall-canary, which only these loads take: the
    // access log below shows that no other request went through it.
    const results = await load(1000, 20, 'canary');
    const v2 = results.filter((r) => r.version === 'v2').length;
    const v1 = results.filter((r) => r.version === 'v1').length;
    console.log(`canary: ${results.length} page loads, v1 ${v1}, v2 ${v2}, failed ${results.filter((r) => r.status !== 200).length}`);
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    expect({ v1, v2 }).toEqual({ v1: 500, v2: 500 });
    const throughCanary = async () => (await mesh.accessLog()).filter((h) => h.source_workload === 'istio-ingressgateway' && h.route_name === 'mall-canary');
    await expect.poll(async () => (await throughCanary()).length, { timeout: 10_000 }).toBe(1000);
    const hops = await throughCanary();
    expect(hops.filter((h) => !/^canary-\d+$/.test(String(h.x_request_id)))).toEqual([]);
    expect(new Set(hops.map((h) => h.x_request_id)).size).toBe(1000);
    expect({ v1: hops.filter((h) => h.destination_version === 'v1').length, v2: hops.filter((h) => h.destination_version === 'v2').length }).toEqual({ v1: 500, v2: 500 });
  });

  it('100%: switching while requests flow fails none of them, and then only v2 serves', async () => {
    let flowing = true;
    const during: { status: number; version?: string }[] = [];
    const traffic = (async () => {
      while (flowing) during.push(...(await load(20, 10)));
    })();
    try {
      // Traffic flows before the switch and goes on well after it: however fast this machine is.
      await expect.poll(() => during.length, { timeout: 30_000 }).toBeGreaterThan(50);
      await mesh.apply('istio/mall-v2-100.yaml');
      const switchedAt = during.length;
      await expect.poll(() => during.length, { timeout: 30_000 }).toBeGreaterThan(switchedAt + 100);
    } finally {
      flowing = false;
      await traffic;
    }
    console.log(`switch: ${during.length} page loads during the switch, failed ${during.filter((r) => r.status !== 200).length}`);
    expect(during.filter((r) => r.status !== 200)).toEqual([]);
    const after = await load(100, 10);
    expect(after.every((r) => r.version === 'v2')).toBe(true);
  });

  it("exposes Istio's request metrics with Istio's labels, and the access log names route and version", async () => {
    const metrics = await (await fetch(`${mesh.control}/metrics`)).text();
    expect(metrics).toMatch(/istio_requests_total\{reporter="source",source_workload="istio-ingressgateway",.*destination_workload="mall-v2",.*destination_version="v2",.*response_code="200"/);
    expect(metrics).toContain('istio_request_duration_milliseconds_bucket{');
    const hops = await mesh.accessLog();
    expect(hops.some((h) => h.route_name === 'mall-canary' && h.destination_version === 'v2')).toBe(true);
    expect(hops.some((h) => h.route_name === 'fox-lane' && h.destination_workload === 'products-v2')).toBe(true);
  });

  it('refuses, naming the field, a VirtualService that uses something the runtime does not implement', async () => {
    const file = join(tmpdir(), `mesh-mall-cors-${process.pid}.yaml`);
    await writeFile(
      file,
      'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: scores, namespace: base}\nspec:\n  hosts: [scores]\n  http:\n  - corsPolicy: {allowOrigins: [{exact: "https://example.com"}]}\n    route: [{destination: {host: scores}}]\n',
    );
    const result = await mesh.cli('apply', '-f', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('spec.http[0].corsPolicy is not supported by the local runtime');
    // Nothing of the refused file was applied.
    expect((await mesh.cli('delete', '-f', file)).stdout).toBe('virtualservice.networking.istio.io/scores not found\n');
  });

  it('refuses a second VirtualService for a host already routed', async () => {
    const file = join(tmpdir(), `mesh-mall-dup-${process.pid}.yaml`);
    await writeFile(file, 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: recommend-too, namespace: base}\nspec:\n  hosts: [recommend]\n  http: [{route: [{destination: {host: recommend}}]}]\n');
    const result = await mesh.cli('apply', '-f', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('host recommend.base.svc.cluster.local already has VirtualService jason/recommend');
  });

  it('refuses objects for a namespace that does not exist, and bodies that are not documents', async () => {
    const file = join(tmpdir(), `mesh-mall-nowhere-${process.pid}.yaml`);
    await writeFile(file, 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: lost, namespace: nowhere}\n');
    const result = await mesh.cli('apply', '-f', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('serviceaccount/lost: namespace "nowhere" not found');
    const response = await fetch(`${mesh.control}/apply`, { method: 'POST', body: '{"documents": 3}' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'Bad Request', message: expect.stringContaining('documents') });
  });

  it('deleting a lane takes its namespace, workloads and pods away; everyone is back on base', async () => {
    const foxPids = (await mesh.pods()).filter((p) => p.namespace === 'fox').map((p) => p.pid);
    expect(foxPids).toHaveLength(3);
    expect((await mesh.cli('delete', '-f', 'istio/fox-routing.yaml')).code).toBe(0);
    const deleted = await mesh.cli('delete', '-f', 'install/fox-apps.yaml');
    expect(deleted.stdout).toContain('namespace/fox deleted');
    expect((await mesh.pods()).filter((p) => p.namespace === 'fox')).toEqual([]);
    expect(foxPids.filter(isAlive)).toEqual([]);
    expect((await mesh.cli('get', 'workloads')).stdout).not.toMatch(/^fox /m);
    expect(await see('fox')).toMatchObject({ discountBanner: false, discountFavorites: false });
  });
});
