import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot, watchPage } from './support/browser.js';
import { startMeshMall, type MeshMall } from './support/mesh-mall.js';

let mesh: MeshMall;
let browser: Browser;
let page: Page;
let watched: ReturnType<typeof watchPage>;

beforeAll(async () => {
  mesh = await startMeshMall();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  watched = watchPage(page);
});
afterAll(async () => {
  await browser?.close();
  await mesh?.stop();
});

/** One page load through the gateway, as `user` (a guest without); resolves with the mall version that served it. */
async function load(user?: string): Promise<string> {
  const response = await fetch(`${mesh.gateway}/api/mall`, { headers: user ? { cookie: `user=${user}` } : {} });
  expect(response.status).toBe(200);
  return ((await response.json()) as { meta: { version: string } }).meta.version;
}

async function logIn(name: string): Promise<void> {
  const response = await fetch(`${mesh.gateway}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
  expect(response.ok).toBe(true);
}

/**
 * Pages for every shopper of the talk, so that every edge seen so far stays in the minute's window, and the expected
 * graph of each act is the sum of the acts so far; while versions are split, each shopper's loads go on until they
 * have seen each of `versions`.
 */
async function loadPages(users: (string | undefined)[], versions = ['v1']): Promise<void> {
  for (const user of users) {
    const seen = new Set<string>();
    for (let i = 0; i < 40 && versions.some((v) => !seen.has(v)); i++) seen.add(await load(user));
    expect([...seen].sort(), `versions ${user ?? 'a guest'} saw`).toEqual(versions);
  }
}

/** What the page shows: the lists' nodes and edges and the graph's, which must agree. */
async function shown(): Promise<{ nodes: string[]; edges: string[] }> {
  const listed = {
    nodes: (await page.locator('[data-node]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-node')!))).sort(),
    edges: (await page.locator('[data-edge]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-edge')!))).sort(),
  };
  const drawn = await page.evaluate(() => {
    const graph = (globalThis as unknown as TopologyWindow).meshTopology.graph;
    return { nodes: graph.nodes('[type != "box"]').map((n) => n.id()).sort(), edges: graph.edges().map((e) => e.id()).sort() };
  });
  expect(drawn).toEqual(listed);
  return listed;
}

/** Waits, without reloading, until the page shows exactly these nodes and edges; then checks it was never reloaded. */
async function expectGraph(act: string, nodes: string[], edges: string[]): Promise<void> {
  await expect.poll(shown, { timeout: 20_000, interval: 500 }).toEqual({ nodes: [...nodes].sort(), edges: [...edges].sort() });
  expect(await page.evaluate(() => (globalThis as unknown as TopologyWindow).noReload), 'the page was reloaded').toBe(true);
  await screenshot(page, `topology-${act}`);
}

/** What the page's script exposes (packages/runtime/src/telemetry/topology/client.ts), as far as the test reads it. */
interface DrawnElement {
  id(): string;
  style(property: string): string;
  hasClass(name: string): boolean;
  renderedMidpoint(): { x: number; y: number };
}
interface TopologyWindow {
  noReload?: boolean;
  meshTopology: { graph: { nodes(selector: string): DrawnElement[]; edges(): DrawnElement[]; getElementById(id: string): DrawnElement } };
}

const edgeOf = (id: string) => page.locator(`[data-edge="${id}"]`);

const GATEWAY = 'istio-system/istio-ingressgateway';
const BASE_NODES = [GATEWAY, 'base/mall-v1', 'base/recommend-v1', 'base/scores-v1', 'base/products-v1', 'base/discount-v1'];
const BASE_EDGES = [
  `${GATEWAY}→base/mall-v1`,
  'base/mall-v1→base/recommend-v1',
  'base/mall-v1→base/discount-v1',
  'base/recommend-v1→base/products-v1',
  'base/recommend-v1→base/scores-v1',
  'base/discount-v1→base/products-v1',
];
// jason's lane: recommend v2 (scores and products from base); fox's: discount v2, products v2 and favorites, which
// base's recommend reaches for fox too (full-link lanes). Both are logged in, so the mall asks users for them.
const LANE_NODES = ['base/users-v1', 'jason/recommend-v2', 'fox/discount-v2', 'fox/products-v2', 'fox/favorites-v1'];
const LANE_EDGES = [
  'base/mall-v1→base/users-v1',
  'base/mall-v1→jason/recommend-v2',
  'jason/recommend-v2→base/products-v1',
  'jason/recommend-v2→base/scores-v1',
  'base/mall-v1→fox/discount-v2',
  'base/recommend-v1→fox/products-v2',
  'fox/discount-v2→fox/products-v2',
  'fox/products-v2→fox/favorites-v1',
];
const CANARY_EDGES = [
  `${GATEWAY}→base/mall-v2`,
  'base/mall-v2→base/users-v1',
  'base/mall-v2→base/recommend-v1',
  'base/mall-v2→base/discount-v1',
  'base/mall-v2→jason/recommend-v2',
  'base/mall-v2→fox/discount-v2',
];
const SHOPPERS = [undefined, 'jason', 'fox'];

describe('the topology as a graph, through the acts of the talk', () => {
  it('base: the gateway, mall v1 and its services in namespace base, drawn as the pages load', async () => {
    expect((await page.goto(`${mesh.viewer}/topology`))?.status()).toBe(200);
    await page.evaluate(() => ((globalThis as unknown as TopologyWindow).noReload = true));
    await loadPages([undefined, undefined]);
    await expectGraph('base', BASE_NODES, BASE_EDGES);
    await expect.poll(() => edgeOf(`${GATEWAY}→base/mall-v1`).getAttribute('data-health')).toBe('healthy');
    expect(await edgeOf('base/mall-v1→base/recommend-v1').getAttribute('data-errors')).toBe('0.0');
    expect(Number(await edgeOf('base/mall-v1→base/recommend-v1').getAttribute('data-p99'))).toBeGreaterThan(0);
  });

  it("lanes: jason's recommend v2 in namespace jason, fox's discount v2, products v2 and favorites in fox", async () => {
    await mesh.apply('install/jason-apps.yaml', 'istio/jason-routing.yaml', 'install/fox-apps.yaml', 'istio/fox-routing.yaml');
    await logIn('jason');
    await logIn('fox');
    await loadPages(SHOPPERS);
    await expectGraph('lanes', [...BASE_NODES, ...LANE_NODES], [...BASE_EDGES, ...LANE_EDGES]);
    const polls = Number(await page.locator('#topology-state').getAttribute('data-polls'));
    expect(polls, 'updates fetched in place').toBeGreaterThan(1);
  });

  it('canary at 50/50: mall v2 appears beside v1 and calls the same services', async () => {
    await mesh.apply('install/mall-v2-apps.yaml', 'istio/mall-canary-50.yaml');
    await loadPages(SHOPPERS, ['v1', 'v2']);
    await expectGraph('canary', [...BASE_NODES, ...LANE_NODES, 'base/mall-v2'], [...BASE_EDGES, ...LANE_EDGES, ...CANARY_EDGES]);
  });

  it("fault: fox's aborted calls to discount count against discount's service node, and the edge turns red", async () => {
    await mesh.apply('istio/faults/discount-abort-fox.yaml');
    const aborted = ['base/mall-v1→discount.fox', 'base/mall-v2→discount.fox'];
    // Half of fox's calls to discount are aborted (the mall then marks discount unavailable): load fox's pages until
    // each mall version has had both an aborted and an answered call, then everyone else's.
    const outcomes = new Set<string>();
    for (let i = 0; i < 80 && outcomes.size < 4; i++) {
      const response = await fetch(`${mesh.gateway}/api/mall`, { headers: { cookie: 'user=fox' } });
      const { meta } = (await response.json()) as { meta: { version: string; unavailable: string[] } };
      outcomes.add(`${meta.version} ${meta.unavailable.includes('discount') ? 'aborted' : 'answered'}`);
    }
    expect([...outcomes].sort()).toEqual(['v1 aborted', 'v1 answered', 'v2 aborted', 'v2 answered']);
    await loadPages(SHOPPERS.slice(0, 2), ['v1', 'v2']);
    await expectGraph('fault', [...BASE_NODES, ...LANE_NODES, 'base/mall-v2', 'discount.fox'], [...BASE_EDGES, ...LANE_EDGES, ...CANARY_EDGES, ...aborted]);
    for (const id of aborted) {
      // Every hop into the service node is an abort: 100 % 5xx, Kiali's failure, drawn red.
      expect(await edgeOf(id).getAttribute('data-errors')).toBe('100.0');
      expect(await edgeOf(id).getAttribute('data-health')).toBe('failure');
      expect(await edgeOf(id).getAttribute('data-colour')).toBe('#c9190b');
      const colour = await page.evaluate((edge) => (globalThis as unknown as TopologyWindow).meshTopology.graph.getElementById(edge).style('line-color'), id);
      expect(colour).toBe('rgb(201,25,11)');
    }
    expect(await page.locator('[data-node="discount.fox"]').getAttribute('data-kind')).toBe('service');
    expect(await page.locator('[data-node="discount.fox"]').getAttribute('data-health')).toBe('failure');
    // The half that passed the fault still reaches fox's discount v2, healthy.
    expect(await edgeOf('base/mall-v1→fox/discount-v2').getAttribute('data-health')).toBe('healthy');
    // Pointed at, an edge shows its latency too: the picture for the README.
    const box = await page.evaluate((edge) => {
      return (globalThis as unknown as TopologyWindow).meshTopology.graph.getElementById(edge).renderedMidpoint();
    }, aborted[0]!);
    const graphBox = (await page.locator('#graph').boundingBox())!;
    await page.mouse.move(graphBox.x + box.x, graphBox.y + box.y);
    await expect.poll(() => page.evaluate((edge) => (globalThis as unknown as TopologyWindow).meshTopology.graph.getElementById(edge).hasClass('pointed'), aborted[0]!)).toBe(true);
    await screenshot(page, 'topology-fault');
  });

  it('the page loaded everything from the viewer itself, and the browser reported no error', () => {
    const origin = new URL(mesh.viewer).origin;
    expect(watched.requested.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect([...new Set(watched.requested.map((url) => new URL(url).pathname))].sort()).toEqual(['/api/topology', '/assets/cytoscape-dagre.min.js', '/assets/cytoscape.min.js', '/assets/topology.js', '/topology']);
    expect(watched.requested.filter((url) => new URL(url).pathname === '/topology')).toHaveLength(1);
    expect(watched.errors).toEqual([]);
  });
});
