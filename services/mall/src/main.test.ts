import type { RunningService, ServiceOptions } from '@mesh-mall/kit';
import { startStub, type Stub } from '@mesh-mall/kit/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';

/**
 * main.ts as it starts in a pod, in this process: the kit's `main` runs the start-up here (a failure fails the test
 * instead of ending the process) and `startService` leaves signals alone. Everything else — loadConfig reading the
 * environment, serviceClient, buildApp — is the real thing, so these tests see which budget each call really gets.
 */
const started = vi.hoisted(() => ({ services: [] as Promise<RunningService>[], failures: [] as unknown[] }));
vi.mock('@mesh-mall/kit', async (importOriginal) => {
  const kit = await importOriginal<typeof import('@mesh-mall/kit')>();
  return {
    ...kit,
    main: (start: () => Promise<unknown>) => void start().catch((error: unknown) => started.failures.push(error)),
    startService: (options: ServiceOptions) => {
      const service = kit.startService({ ...options, handleSignals: false });
      started.services.push(service);
      return service;
    },
  };
});

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  vi.unstubAllEnvs();
  expect(started.failures.splice(0)).toEqual([]);
});

/** How long a delayed stub holds its answer: past every budget below, and past the kit's default UPSTREAM_TIMEOUT_MS. */
const HELD_MS = 3000;

/**
 * The budgets, distinct so that one section given another's budget is caught, and none of them the kit's default
 * (UPSTREAM_TIMEOUT_MS, 2000 ms here), which a mall that ignored its variables would use.
 */
const BUDGETS = { USERS_TIMEOUT_MS: 300, RECOMMEND_TIMEOUT_MS: 600, DISCOUNT_TIMEOUT_MS: 900 } as const;

/**
 * The tolerance of the window a degraded page must answer in, [budget, budget + TOLERANCE_MS): the other two calls
 * (to loopback stubs answering at once) and express's own work, on a loaded 2-core machine. Smaller than the steps
 * between the budgets (300 ms), so each budget is told apart from the others and from the default.
 */
const TOLERANCE_MS = 200;

async function stub(delayed: boolean, body: unknown): Promise<Stub> {
  const s = await startStub(() => ({ body, delayMs: delayed ? HELD_MS : 0 }));
  closers.push(s.close);
  return s;
}

/** Starts main.ts with the budgets above, one section's service holding its answer past them. */
async function startMall(slow: 'user' | 'recommend' | 'discount'): Promise<string> {
  const users = await stub(slow === 'user', { id: 'u1', name: 'jason', image: '/assets/avatars/jason.svg' });
  const recommend = await stub(slow === 'recommend', { products: [] });
  const discount = await stub(slow === 'discount', { products: [] });
  const env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    LATENCY_MS: '0',
    SHUTDOWN_DELAY_MS: '0',
    DRAIN_TIMEOUT_MS: '0',
    APP_VERSION: 'v1',
    UPSTREAM_TIMEOUT_MS: '2000',
    MESH_OUTBOUND_URL: '',
    USERS_URL: users.url,
    RECOMMEND_URL: recommend.url,
    DISCOUNT_URL: discount.url,
    ...Object.fromEntries(Object.entries(BUDGETS).map(([key, ms]) => [key, String(ms)])),
  };
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  vi.resetModules();
  const before = started.services.length;
  await import('./main.js');
  await expect.poll(() => started.services.length + started.failures.length).toBe(before + 1);
  expect(started.failures).toEqual([]);
  const service = await started.services.at(-1)!;
  closers.push(async () => {
    service.server.closeAllConnections();
    await new Promise((resolve) => service.server.close(resolve));
  });
  return `http://127.0.0.1:${service.port}`;
}

describe('mall main: each call gets the budget its variable sets', () => {
  it.each([
    ['user', 'USERS_TIMEOUT_MS'],
    ['recommend', 'RECOMMEND_TIMEOUT_MS'],
    ['discount', 'DISCOUNT_TIMEOUT_MS'],
  ] as const)('a %s call that does not answer is given up after %s: the page answers then, the section unavailable', async (section, variable) => {
    const url = await startMall(section);
    const begun = performance.now();
    const response = await fetch(`${url}/api/mall`, { headers: { cookie: 'user=jason' } });
    const view = (await response.json()) as { meta: { unavailable: string[] } };
    const ms = performance.now() - begun;
    expect(response.status).toBe(200);
    expect(view.meta.unavailable).toEqual([section]);
    const budget = BUDGETS[variable];
    expect(ms, `${section} given up after ${Math.round(ms)} ms; ${variable}=${budget}`).toBeGreaterThanOrEqual(budget);
    expect(ms, `${section} given up after ${Math.round(ms)} ms; ${variable}=${budget}`).toBeLessThan(budget + TOLERANCE_MS);
  });
});
