import { ServiceClient } from '@mesh-mall/kit';
import { fetchJson, silentLogger, startStub } from '@mesh-mall/kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, pickFor } from './app.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => Promise.all(closers.splice(0).map((c) => c())));

const SCORES: Record<string, number> = { '7': 98, '8': 93, '9': 94, '10': 100, '11': 89, '12': 92, '13': 96, '14': 82, '15': 94 };

/**
 * What each shopper is recommended: six of ids 7–15 chosen by a hash of `end-user` and id, best score first (equal
 * scores by id). Exact, so that a recommend that ignores `end-user` (everyone the guest's six) fails.
 */
const PICKED = {
  '': [7, 13, 9, 15, 8, 11],
  jason: [10, 7, 13, 15, 8, 11],
  fox: [10, 13, 9, 15, 8, 11],
  ann: [7, 13, 15, 12, 11, 14],
} satisfies Record<string, number[]>;

async function serve(version: 'v1' | 'v2' | 'v3') {
  const products = await startStub((req) => {
    const ids = new URL(req.url!, 'http://x').searchParams.get('ids')!.split(',').map(Number);
    return { body: ids.map((id) => ({ id, title: `p${id}`, image: '', price: 1, sales: 1, stock: 1 })) };
  });
  const scores = await startStub((req) => {
    const ids = new URL(req.url!, 'http://x').searchParams.get('ids')!.split(',');
    return { body: Object.fromEntries(ids.map((id) => [id, SCORES[id]])) };
  });
  closers.push(products.close, scores.close);
  const app = buildApp({
    logger: silentLogger,
    version,
    products: new ServiceClient('products', { baseUrl: products.url, timeoutMs: 500 }),
    scores: new ServiceClient('scores', { baseUrl: scores.url, timeoutMs: 500 }),
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  const { port } = server.address() as { port: number };
  return { products, scores, url: `http://127.0.0.1:${port}` };
}

describe('recommend API', () => {
  it('v1 answers six of ids 7–15 sorted by score, calling scores once per product (the N+1)', async () => {
    const { products, scores, url } = await serve('v1');
    const body = await fetchJson(`${url}/recommend`, { headers: { 'end-user': 'jason' } });
    expect(body.products.map((p: { id: number; score: number }) => [p.id, p.score])).toEqual(PICKED.jason.map((id) => [id, SCORES[id]]));
    expect(body).not.toHaveProperty('banner');
    expect(products.requests).toHaveLength(1);
    expect(products.requests[0]!.url).toBe(`/products?ids=${encodeURIComponent(pickFor('jason').join(','))}`);
    expect(scores.requests.map((r) => r.url)).toEqual(pickFor('jason').map((id) => `/scores?ids=${id}`));
  });

  it.each(['v1', 'v2', 'v3'] as const)('%s answers each shopper their own six, by the inbound end-user', async (version) => {
    const { url } = await serve(version);
    for (const [user, ids] of Object.entries(PICKED)) {
      const body = await fetchJson(`${url}/recommend`, { headers: user ? { 'end-user': user } : {} });
      expect(body.products.map((p: { id: number }) => p.id), user || 'a guest').toEqual(ids);
    }
  });

  it('v2 adds the banner and keeps the N+1; v3 asks scores once', async () => {
    const v2 = await serve('v2');
    const body = await fetchJson(`${v2.url}/recommend`);
    expect(body.banner).toEqual({ title: "Jason's picks: new hoodies for the mesh season", image: '/assets/banners/recommend.svg' });
    expect(v2.scores.requests).toHaveLength(6);
    const v3 = await serve('v3');
    const v3Body = await fetchJson(`${v3.url}/recommend`);
    expect(v3Body.banner).toEqual(body.banner);
    expect(v3Body.products).toEqual(body.products);
    expect(v3.scores.requests.map((r) => r.url)).toEqual([`/scores?ids=${encodeURIComponent(pickFor('').join(','))}`]);
  });

  it('picks a stable six per shopper', () => {
    // pickFor's order is the hash order; the answer sorts it by score (PICKED).
    expect(pickFor('')).toEqual([13, 8, 11, 7, 9, 15]);
    expect(pickFor('jason')).toEqual([8, 10, 11, 7, 13, 15]);
    expect(pickFor('fox')).toEqual([8, 11, 15, 9, 10, 13]);
    expect(pickFor('ann')).toEqual([12, 15, 14, 11, 7, 13]);
    expect(pickFor('jason')).toEqual(pickFor('jason'));
  });

  it('answers 502 with a JSON message when products cannot be reached', async () => {
    const { url, products } = await serve('v1');
    await products.close();
    const response = await fetch(`${url}/recommend`);
    expect(response.status).toBe(502);
    expect((await response.json() as { message: string }).message).toMatch(/^products:/);
  });
});
