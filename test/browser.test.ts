import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, watchPage } from './support/browser.js';
import { recommendedFor } from './support/catalog.js';
import { REPO_ROOT, startMeshMall, type MeshMall } from './support/mesh-mall.js';

const ARTIFACTS = join(REPO_ROOT, 'test/artifacts');

let mesh: MeshMall;
let browser: Browser;
let page: Page;
/** Every URL the page asked for, and every console error (a CSP violation shows up there). */
let watched: ReturnType<typeof watchPage>;

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  mesh = await startMeshMall({ args: ['--env', 'LATENCY_MS=0'] });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  watched = watchPage(page);
});
afterAll(async () => {
  await browser?.close();
  await mesh?.stop();
});

async function open(state: string): Promise<void> {
  const response = await page.goto(mesh.gateway);
  expect(response?.status()).toBe(200);
  await page.screenshot({ path: join(ARTIFACTS, `${state}.png`), fullPage: true });
}

const footerVersion = () => page.getByTestId('footer').getAttribute('data-version');
/** The ids of the recommended products, in the order the page shows them. */
const recommendedIds = () => page.locator('[data-section="recommend"] [data-product]').evaluateAll((cards) => cards.map((card) => Number(card.getAttribute('data-product'))));
const visible = (selector: string) => page.locator(selector).first().isVisible();

async function logIn(name: string): Promise<void> {
  await page.fill('#name', name);
  await Promise.all([page.waitForURL(mesh.gateway + '/'), page.waitForSelector('[data-testid="user"]'), page.click('#login button')]);
}

describe('the mall in a browser', () => {
  it('a guest sees the login form, both sections without banners, and mall v1 in the footer', async () => {
    await mesh.apply('install/jason-apps.yaml', 'istio/jason-routing.yaml', 'install/fox-apps.yaml', 'istio/fox-routing.yaml');
    await open('guest');
    expect(await visible('[data-testid="login"]')).toBe(true);
    expect(await recommendedIds()).toEqual(recommendedFor(undefined));
    expect(await page.locator('[data-section="discount"] [data-product]').count()).toBe(6);
    expect(await visible('[data-banner]')).toBe(false);
    expect(await footerVersion()).toBe('v1');
    expect(await page.getByTestId('footer').textContent()).toContain('user guest');
  });

  it('an invalid name is refused on the page, with the reason', async () => {
    // Past the form's own pattern check, as a user with an old page or a script would be: the server must refuse.
    await page.evaluate("document.querySelector('#name').removeAttribute('pattern')");
    await page.fill('#name', 'Not Valid!');
    await page.click('#login button');
    await expect.poll(() => page.locator('#login-error').textContent()).toMatch(/name/i);
    await page.screenshot({ path: join(ARTIFACTS, 'login-refused.png') });
    expect(await visible('[data-testid="login"]')).toBe(true);
  });

  it("jason logs in: his recommend banner shows, the discount banner does not", async () => {
    await logIn('jason');
    await page.screenshot({ path: join(ARTIFACTS, 'jason.png'), fullPage: true });
    expect(await page.getByTestId('user').textContent()).toContain('jason');
    expect(await visible('[data-banner="recommend"]')).toBe(true);
    expect(await visible('[data-banner="discount"]')).toBe(false);
    expect(await recommendedIds()).toEqual(recommendedFor('jason'));
    const cookie = (await page.context().cookies()).find((c) => c.name === 'user');
    expect(cookie).toMatchObject({ value: 'jason', httpOnly: true, sameSite: 'Lax' });
  });

  it('fox logs in after jason logs out: the discount banner and favorites counts show', async () => {
    await Promise.all([page.waitForSelector('[data-testid="login"]'), page.click('#logout')]);
    await logIn('fox');
    await page.screenshot({ path: join(ARTIFACTS, 'fox.png'), fullPage: true });
    expect(await visible('[data-banner="discount"]')).toBe(true);
    expect(await visible('[data-banner="recommend"]')).toBe(false);
    expect(await page.locator('[data-section="discount"] [data-favorites]').count()).toBe(6);
    expect(await page.locator('[data-section="recommend"] [data-favorites]').count()).toBe(6);
    expect(await recommendedIds()).toEqual(recommendedFor('fox'));
  });

  it('logging out returns to the guest view', async () => {
    await Promise.all([page.waitForSelector('[data-testid="login"]'), page.click('#logout')]);
    await page.screenshot({ path: join(ARTIFACTS, 'logged-out.png'), fullPage: true });
    expect(await page.getByTestId('footer').textContent()).toContain('user guest');
    expect(await recommendedIds()).toEqual(recommendedFor(undefined));
    expect((await page.context().cookies()).some((c) => c.name === 'user')).toBe(false);
  });

  it('canary at 50/50: reloads show both mall versions in the footer; at 100: only v2', async () => {
    await mesh.apply('install/mall-v2-apps.yaml', 'istio/mall-canary-50.yaml');
    const seen50: string[] = [];
    for (let i = 0; i < 10; i++) {
      await open(`canary-50-${i % 2}`);
      seen50.push((await footerVersion())!);
    }
    console.log(`canary 50/50, ten reloads: ${seen50.join(' ')}`);
    expect(new Set(seen50)).toEqual(new Set(['v1', 'v2']));

    await mesh.apply('istio/mall-v2-100.yaml');
    const seen100: string[] = [];
    for (let i = 0; i < 6; i++) {
      await open('canary-100');
      seen100.push((await footerVersion())!);
    }
    expect(seen100).toEqual(Array(6).fill('v2'));
  });

  it("the page asked nothing outside the mall's origin, and the browser reported no error (CSP included)", () => {
    const origin = new URL(mesh.gateway).origin;
    const outside = watched.requested.filter((url) => new URL(url).origin !== origin);
    console.log(`${watched.requested.length} requests, all to ${origin}`);
    expect(outside).toEqual([]);
    // Not a count the page promises (the browser's cache decides how many asset requests repeat): a guard that the
    // watch saw the pages' traffic at all, so that `outside` being empty means something.
    expect(watched.requested.length).toBeGreaterThan(20);
    expect(watched.errors.filter((e) => !e.includes('400 (Bad Request)'))).toEqual([]);
  });
});
