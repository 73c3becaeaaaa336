import { ServiceClient } from '@mesh-mall/kit';
import { silentLogger, startStub } from '@mesh-mall/kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => Promise.all(closers.splice(0).map((c) => c())));

async function favoritesStub(answer: Parameters<typeof startStub>[0]) {
  const stub = await startStub(answer);
  closers.push(stub.close);
  return { stub, client: new ServiceClient('favorites', { baseUrl: stub.url, timeoutMs: 500 }) };
}

describe('products API', () => {
  it('v1 answers catalog rows in the order asked, without favorites and without calling favorites', async () => {
    const { stub, client } = await favoritesStub(() => ({ body: {} }));
    const app = await buildApp({ logger: silentLogger, version: 'v1', favorites: client });
    const response = await app.inject('/products?ids=2,1,404');
    expect(response.json()).toEqual([
      { id: 2, title: 'Jaeger Socks', image: '/assets/products/2.svg', price: 8, sales: 408, stock: 3002 },
      { id: 1, title: 'Stainless Steel Sports Bottle', image: '/assets/products/1.svg', price: 8, sales: 502, stock: 2001 },
    ]);
    expect(stub.requests).toHaveLength(0);
  });

  it('v2 adds favorites counts from one batch call', async () => {
    const { stub, client } = await favoritesStub(() => ({ body: { '1': 90, '2': 43 } }));
    const app = await buildApp({ logger: silentLogger, version: 'v2', favorites: client });
    const products = (await app.inject('/products?ids=1,2')).json();
    expect(products.map((p: { favorites: number }) => p.favorites)).toEqual([90, 43]);
    expect(stub.requests.map((r) => r.url)).toEqual(['/favorites?ids=1%2C2']);
  });

  it('v2 still answers, without counts, when favorites fails', async () => {
    const { client } = await favoritesStub(() => ({ status: 403, raw: 'RBAC: access denied' }));
    const app = await buildApp({ logger: silentLogger, version: 'v2', favorites: client });
    const response = await app.inject('/products?ids=1');
    expect(response.statusCode).toBe(200);
    expect(response.json()[0]).not.toHaveProperty('favorites');
  });

  it('refuses ids=abc with 400', async () => {
    const { client } = await favoritesStub(() => ({ body: {} }));
    const response = await (await buildApp({ logger: silentLogger, version: 'v1', favorites: client })).inject('/products?ids=abc');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request' });
  });
});
