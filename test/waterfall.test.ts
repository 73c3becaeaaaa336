import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot } from './support/browser.js';
import { startMeshMall, type MeshMall } from './support/mesh-mall.js';

let mesh: MeshMall;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  mesh = await startMeshMall();
  browser = await launchChromium();
  // The talk's projector: the staircase must fit this in compact mode.
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  // A first page warms every pod (connections, compiled code), so the traced pages show the mall's steady state.
  expect((await fetch(`${mesh.gateway}/api/mall`)).status).toBe(200);
});
afterAll(async () => {
  await browser?.close();
  await mesh?.stop();
});

/** Loads the mall's page data as `user` and opens its trace once every service's server span has arrived. */
async function openTrace(user: string, serverSpans: number): Promise<string> {
  const view = (await (await fetch(`${mesh.gateway}/api/mall`, { headers: { cookie: `user=${user}` } })).json()) as { meta: { traceId: string } };
  await expect
    .poll(async () => {
      const response = await fetch(`${mesh.viewer}/api/traces/${view.meta.traceId}`);
      if (!response.ok) return 0;
      const [trace] = ((await response.json()) as { data: { spans: { tags: { key: string; value: unknown }[] }[] }[] }).data;
      return trace!.spans.filter((s) => s.tags.some((t) => t.key === 'span.kind' && t.value === 'server')).length;
    }, { timeout: 10_000, interval: 200 })
    .toBe(serverSpans);
  await page.goto(`${mesh.viewer}/trace/${view.meta.traceId}`);
  return view.meta.traceId;
}

const traceIds: Record<string, string> = {};

const rows = () =>
  page.$$eval('tr.span', (trs) =>
    trs.map((tr) => ({
      id: tr.getAttribute('data-span')!,
      parent: tr.getAttribute('data-parent')!,
      depth: Number(tr.getAttribute('data-depth')),
      name: tr.querySelector('td')!.textContent!.replace(/^[▾▸]/, '').trim(),
      hidden: (tr as unknown as { hidden: boolean }).hidden,
      critical: tr.classList.contains('crit'),
      error: tr.classList.contains('err'),
    })),
  );

const rowOf = (name: string) => page.locator('tr.span', { hasText: name });

describe('the waterfall in a browser', () => {
  it('mall v1: every row directly follows its parent or an earlier sibling’s subtree', async () => {
    traceIds.v1 = await openTrace('nobody-knows-me', 12);
    const all = await rows();
    expect(all).toHaveLength(47);
    expect(all[0]!.depth).toBe(0);
    for (let i = 1; i < all.length; i++) {
      const parent = all.findIndex((r) => r.id === all[i]!.parent);
      expect(parent, all[i]!.name).toBeGreaterThanOrEqual(0);
      expect(parent).toBeLessThan(i);
      expect(all[i]!.depth).toBe(all[parent]!.depth + 1);
      // Between the parent and this row only the parent's deeper rows: its earlier children's subtrees.
      expect(all.slice(parent + 1, i).every((r) => r.depth > all[parent]!.depth)).toBe(true);
    }
    // The users 404 is marked.
    expect(all.filter((r) => r.error).map((r) => r.name)).toEqual(['mall: users GET /users']);
    // Mall v1 waits on every call: each of the 12 server spans is marked on the critical path.
    const servers = all.filter((r) => /^\w+: GET \//.test(r.name));
    expect(servers).toHaveLength(12);
    expect(servers.filter((r) => !r.critical)).toEqual([]);
    await screenshot(page, 'waterfall-v1', { fullPage: true });
  });

  it('a row opens to its tags and process; a collapsed call hides its subtree', async () => {
    const proxy = rowOf('mall.base: recommend.base.svc.cluster.local:7000/*');
    await proxy.click();
    const detail = page.locator(`tr.detail[data-detail-of="${await proxy.getAttribute('data-span')}"]`);
    await expect.poll(() => detail.isVisible()).toBe(true);
    const text = await detail.textContent();
    expect(text).toContain('outbound|7000||recommend.base.svc.cluster.local');
    expect(text).toContain('istio.canonical_service');
    expect(text).toContain('process mall.base');
    await proxy.click();
    await expect.poll(() => detail.isVisible()).toBe(false);

    await rowOf('mall: recommend GET /recommend').locator('.toggle').click();
    const hidden = (await rows()).filter((r) => r.hidden).map((r) => r.name);
    // The proxy span, recommend's server span, its work, and products + six scores calls: client, proxy, server, work.
    expect(hidden).toHaveLength(1 + 1 + 1 + 7 * 4);
    expect(hidden.every((name) => !name.startsWith('mall: discount'))).toBe(true);
    await rowOf('mall: recommend GET /recommend').locator('.toggle').click();
    expect((await rows()).filter((r) => r.hidden)).toEqual([]);
  });

  it('compact mode: mall v1’s staircase, from the page to the last call, fits 1280×720', async () => {
    await page.check('#compact');
    for (const name of ['mall: GET /api/mall', 'mall: users GET /users', 'mall: recommend GET /recommend', 'mall: discount GET /discount', 'products: GET /products']) {
      const box = await rowOf(name).last().boundingBox();
      expect(box, name).not.toBeNull();
      expect(box!.y + box!.height, name).toBeLessThanOrEqual(720);
    }
    await screenshot(page, 'waterfall-v1-compact');
  });

  it('mall v2: the three calls’ bars overlap', async () => {
    await mesh.apply('install/mall-v2-apps.yaml', 'istio/mall-v2-100.yaml');
    traceIds.v2 = await openTrace('nobody-knows-me-v2', 12);
    const mall = (await rows()).find((r) => r.name === 'mall: GET /api/mall')!;
    const bars = await page.$$eval(
      `tr.span[data-parent="${mall.id}"]`,
      (trs) => trs.filter((tr) => !tr.textContent!.includes('simulated work')).map((tr) => {
        const style = (tr.querySelector('.bar span') as unknown as { style: { left: string; width: string } }).style;
        return { left: parseFloat(style.left), right: parseFloat(style.left) + parseFloat(style.width) };
      }),
    );
    expect(bars).toHaveLength(3);
    // Each starts before any of the others has ended: they run at once.
    expect(Math.max(...bars.map((b) => b.left))).toBeLessThan(Math.min(...bars.map((b) => b.right)));
    await screenshot(page, 'waterfall-v2');
  });

  it('the trace list searches as Jaeger UI does: service, operation, tags, durations, time range, limit', async () => {
    await page.goto(mesh.viewer);
    await page.selectOption('select[name=service]', 'mall');
    await page.click('form.search button');
    // The service chosen, its operations are offered.
    expect(await page.locator('select[name=operation] option').allTextContents()).toContain('GET /api/mall');
    await page.selectOption('select[name=operation]', 'GET /api/mall');
    await page.fill('input[name=tags]', '{"user.id":"nobody-knows-me"}');
    await page.fill('input[name=minDuration]', '1ms');
    await page.click('form.search button');
    expect(await page.$$eval('tr[data-trace]', (trs) => trs.map((tr) => tr.getAttribute('data-trace')))).toEqual([traceIds.v1]);
    await screenshot(page, 'trace-search');
    // Refused as the API refuses it, with Jaeger's message, and nothing listed.
    await page.fill('input[name=minDuration]', 'soon');
    await page.click('form.search button');
    expect(await page.locator('.error').textContent()).toBe(`unable to parse param 'minDuration': time: invalid duration "soon"`);
    expect(await page.locator('tr[data-trace]').count()).toBe(0);
  });
});
