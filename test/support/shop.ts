import { expect } from 'vitest';
import { recommendedFor } from './catalog.js';

/** What a shopper sees of the mall page: which mall version served it and which lanes' features show. */
export interface Sight {
  version: string;
  recommendBanner: boolean;
  discountBanner: boolean;
  discountFavorites: boolean;
  recommendFavorites: boolean;
}

/** Loads the mall page through `gateway` as `user` (a guest when undefined). */
export async function see(gateway: string, user?: string): Promise<Sight> {
  const response = await fetch(`${gateway}/api/mall`, { headers: user ? { cookie: `user=${user}` } : {} });
  expect(response.status).toBe(200);
  const view = (await response.json()) as {
    recommend: { products: { id: number; favorites?: number }[]; banner?: unknown };
    discount: { products: { favorites?: number }[]; banner?: unknown };
    meta: { version: string; unavailable: string[] };
  };
  expect(view.meta.unavailable).toEqual([]);
  // Whichever lane serves them, each shopper is recommended their own six (recommend picks by end-user).
  expect(view.recommend.products.map((p) => p.id), `recommended to ${user ?? 'a guest'}`).toEqual(recommendedFor(user));
  return {
    version: view.meta.version,
    recommendBanner: view.recommend.banner !== undefined,
    discountBanner: view.discount.banner !== undefined,
    discountFavorites: view.discount.products.every((p) => typeof p.favorites === 'number'),
    recommendFavorites: view.recommend.products.every((p) => typeof p.favorites === 'number'),
  };
}

/** The base act's page: mall v1, no lane's features. */
export const plain: Sight = { version: 'v1', recommendBanner: false, discountBanner: false, discountFavorites: false, recommendFavorites: false };

/**
 * Loads the page `count` times, `concurrency` at a time; resolves with each answer's status and mall version. With
 * `requestIds`, the n-th load is sent with `x-request-id: <requestIds>-<n>`, to find it in the access log.
 */
export async function load(gateway: string, count: number, concurrency: number, requestIds?: string): Promise<{ status: number; version?: string }[]> {
  const results: { status: number; version?: string }[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const n = next++;
        const response = await fetch(`${gateway}/api/mall`, requestIds ? { headers: { 'x-request-id': `${requestIds}-${n}` } } : {});
        const body = response.ok ? ((await response.json()) as { meta: { version: string } }) : undefined;
        results.push({ status: response.status, ...(body ? { version: body.meta.version } : {}) });
      }
    }),
  );
  return results;
}
