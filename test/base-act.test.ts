import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recommendedFor } from './support/catalog.js';
import { isAlive, runCli, startMeshMall, type MeshMall } from './support/mesh-mall.js';

interface MallView {
  user: { name: string } | null;
  recommend: { products: { id: number; score: number }[]; banner?: unknown };
  discount: { products: { id: number }[]; banner?: unknown };
  meta: { version: string; traceId: string };
}

let mesh: MeshMall;
beforeAll(async () => {
  mesh = await startMeshMall();
});
afterAll(async () => {
  await mesh?.stop();
});

async function view(headers: Record<string, string> = {}): Promise<MallView> {
  const response = await fetch(`${mesh.gateway}/api/mall`, { headers });
  expect(response.status).toBe(200);
  return (await response.json()) as MallView;
}

async function login(name: string): Promise<Response> {
  return fetch(`${mesh.gateway}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
}

describe('the base act through mesh-mall up', () => {
  it('prints the mall URL and serves a guest view: six of 7–15 by score, discount 1–6, no banners, mall v1', async () => {
    const output = mesh.output();
    expect(output).toContain('base/mongodb: image mongo:8.0.12@sha256:95a98776f273721a295b03098578b06bc10281bb56aa828c77e9f60ecc70b150 is not a mesh-mall image; not run locally');
    // The hardened manifests' cluster-only fields are summed up once, with no warning per object.
    expect(output.match(/^note: cluster-only fields not used locally: .*resources\.limits\.cpu.*securityContext/gm)).toHaveLength(1);
    expect(output).not.toMatch(/^warning:/m);
    const guest = await view();
    expect(guest.user).toBeNull();
    expect(guest.recommend.products.map((p) => p.id)).toEqual(recommendedFor(undefined));
    const scores = guest.recommend.products.map((p) => p.score);
    expect(scores).toEqual([98, 96, 94, 94, 93, 89]);
    expect(guest.discount.products.map((p) => p.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(guest.recommend.banner).toBeUndefined();
    expect(guest.discount.banner).toBeUndefined();
    expect(guest.meta.version).toBe('v1');
    const page = await (await fetch(mesh.gateway)).text();
    expect(page).toContain('Served by mall <b>v1</b>');
  });

  it('logs jason in with cookie user=jason, who is recommended his own six; unknown cookie names are guests', async () => {
    const response = await login('jason');
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toMatch(/^user=jason;/);
    const jason = await view({ cookie: 'user=jason' });
    expect(jason.user?.name).toBe('jason');
    expect(jason.recommend.products.map((p) => p.id)).toEqual(recommendedFor('jason'));
    expect((await view({ 'end-user': 'fox' })).recommend.products.map((p) => p.id)).toEqual(recommendedFor('fox'));
    expect((await view({ cookie: 'user=nobody-here' })).user).toBeNull();
  });

  it('answers bad input with 4xx JSON and keeps serving', async () => {
    const pods = await mesh.pods();
    const podUrl = (workload: string) => `http://127.0.0.1:${pods.find((p) => p.workload === workload)!.port}`;
    const cases: [string, RequestInit, number][] = [
      [`${mesh.gateway}/api/login`, { method: 'POST', body: '{"name":"../x"}', headers: { 'content-type': 'application/json' } }, 400],
      [`${mesh.gateway}/api/login`, { method: 'POST', body: JSON.stringify({ name: 'x'.repeat(500) }), headers: { 'content-type': 'application/json' } }, 400],
      [`${mesh.gateway}/api/login`, { method: 'POST', body: 'name=jason', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 400],
      [`${podUrl('products-v1')}/products?ids=abc`, {}, 400],
      [`${podUrl('scores-v1')}/scores?ids=`, {}, 400],
    ];
    for (const [url, init, status] of cases) {
      const response = await fetch(url, init);
      expect(response.status, url).toBe(status);
      expect(await response.json(), url).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    }
    expect((await view()).discount.products).toHaveLength(6);
    expect((await mesh.pods()).every((p) => p.restarts === 0)).toBe(true);
  });

  it('logs every hop of one request with its x-request-id and end-user', async () => {
    await view({ 'end-user': 'jason', 'x-request-id': 'abc' });
    const expected = [
      'istio-ingressgateway→mall-v1',
      'mall-v1→users-v1',
      'mall-v1→recommend-v1',
      'recommend-v1→products-v1',
      ...Array(6).fill('recommend-v1→scores-v1'),
      'mall-v1→discount-v1',
      'discount-v1→products-v1',
    ].sort();
    await expect
      .poll(async () => (await mesh.accessLog()).filter((e) => e.x_request_id === 'abc').length, { timeout: 5000 })
      .toBe(expected.length);
    const hops = (await mesh.accessLog()).filter((e) => e.x_request_id === 'abc');
    expect(hops.map((h) => `${h.source_workload}→${h.destination_workload}`).sort()).toEqual(expected);
    for (const hop of hops) expect(hop).toMatchObject({ end_user: 'jason', status: 200, method: 'GET', destination_namespace: 'base' });
  });

  it('restarts a killed users pod, and jason still exists', async () => {
    const users = (await mesh.pods()).find((p) => p.workload === 'users-v1')!;
    process.kill(users.pid, 'SIGKILL');
    await expect
      .poll(async () => (await mesh.pods()).find((p) => p.workload === 'users-v1'), { timeout: 10_000, interval: 100 })
      .toMatchObject({ ready: true, restarts: 1 });
    expect((await view({ cookie: 'user=jason' })).user?.name).toBe('jason');
  });

  it('stops cleanly on Ctrl-C, leaves no process behind, and keeps jason for the next start', async () => {
    const pids = (await mesh.pods()).map((p) => p.pid);
    expect(pids).toHaveLength(6);
    expect(await mesh.stop()).toBe(0);
    expect(pids.filter(isAlive)).toEqual([]);
    mesh = await startMeshMall({ stateDir: mesh.stateDir });
    expect((await view({ cookie: 'user=jason' })).user?.name).toBe('jason');
  });

  it('says which port is taken, and how to choose another, instead of a stack trace', async () => {
    const port = new URL(mesh.gateway).port;
    const second = await runCli(['up', '--port', port, '--control-port', '0', '--otlp-port', '0', '--ui-port', '0', '--state-dir', mesh.stateDir]);
    expect(second.code).toBe(1);
    expect(second.stderr).toBe(`mesh-mall: gateway port ${port} is already in use (another mesh-mall up?); choose another with --port or MESH_MALL_GATEWAY_PORT\n`);
  });

  it('takes its workloads down with it when the runtime itself is killed', async () => {
    const pids = (await mesh.pods()).map((p) => p.pid);
    mesh.process.kill('SIGKILL');
    await expect.poll(() => pids.filter(isAlive), { timeout: 10_000, interval: 100 }).toEqual([]);
  });
});
