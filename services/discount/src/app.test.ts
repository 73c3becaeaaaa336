import { ServiceClient } from '@mesh-mall/kit';
import { fetchJson, silentLogger, startStub } from '@mesh-mall/kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => Promise.all(closers.splice(0).map((c) => c())));

const product = (id: number) => ({ id, title: `p${id}`, image: `/assets/products/${id}.svg`, price: 1, sales: 1, stock: 1 });

async function serve(version: 'v1' | 'v2') {
  const stub = await startStub(() => ({ body: [1, 2, 3, 4, 5, 6].map(product) }));
  closers.push(stub.close);
  const app = buildApp({ logger: silentLogger, version, products: new ServiceClient('products', { baseUrl: stub.url, timeoutMs: 500 }) });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  const { port } = server.address() as { port: number };
  return { stub, url: `http://127.0.0.1:${port}` };
}

describe('discount API', () => {
  it('v1 answers products 1–6 from one batch call, no banner', async () => {
    const { stub, url } = await serve('v1');
    const body = await fetchJson(`${url}/discount`);
    expect(body.products.map((p: { id: number }) => p.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(body).not.toHaveProperty('banner');
    expect(stub.requests.map((r) => r.url)).toEqual(['/products?ids=1%2C2%2C3%2C4%2C5%2C6']);
  });

  it("v2 adds fox's banner", async () => {
    const { url } = await serve('v2');
    const body = await fetchJson(`${url}/discount`);
    expect(body.banner).toEqual({ title: expect.stringContaining('Fox'), image: '/assets/banners/discount.svg' });
  });
});
