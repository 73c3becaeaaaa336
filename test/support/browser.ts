import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from './mesh-mall.js';

/** Debian's Chromium (`.ci/run` installs it); playwright never downloads a browser of its own here. */
const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium), as .ci/run does`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

const ARTIFACTS = join(REPO_ROOT, 'test/artifacts');
const DOCS_IMAGES = join(REPO_ROOT, 'docs/images');

/**
 * Saves what the page shows to test/artifacts/<name>.png; with DOCS_IMAGES=1 (`npm run docs:images`) also to
 * docs/images, where the README's pictures live. Tests never write docs/ on their own: a run leaves the tree clean.
 */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, ...options });
  if (process.env.DOCS_IMAGES === '1') {
    await mkdir(DOCS_IMAGES, { recursive: true });
    await copyFile(path, join(DOCS_IMAGES, `${name}.png`));
  }
}

/** What a page asked for and what went wrong in it: every URL requested, every console error and uncaught error. */
export function watchPage(page: Page): { requested: string[]; errors: string[] } {
  const seen = { requested: [] as string[], errors: [] as string[] };
  page.on('request', (request) => seen.requested.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') seen.errors.push(message.text());
  });
  page.on('pageerror', (error) => seen.errors.push(error.message));
  return seen;
}
