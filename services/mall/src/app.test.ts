import { createHash } from 'node:crypto';
import { BODY_LIMIT_BYTES, ServiceClient } from '@mesh-mall/kit';
import { fetchJson, silentLogger, startStub, type Stub, type StubAnswer } from '@mesh-mall/kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => Promise.all(closers.splice(0).map((c) => c())));

const product = (id: number) => ({ id, title: `p${id}`, image: `/assets/products/${id}.svg`, price: 8, sales: 1, stock: 1 });
const USERS: Record<string, { id: string; name: string; image: string }> = {
  jason: { id: 'u1', name: 'jason', image: '/assets/avatars/jason.svg' },
};

async function stub(answer: (url: URL, body: string) => StubAnswer): Promise<Stub> {
  const s = await startStub((req, body) => answer(new URL(req.url!, 'http://x'), body));
  closers.push(s.close);
  return s;
}

async function mall(version: 'v1' | 'v2', overrides: { recommend?: () => StubAnswer; delayMs?: number } = {}) {
  const delayMs = overrides.delayMs ?? 0;
  const users = await stub((url, body) => {
    if (body) return { status: 201, body: { id: 'new', name: JSON.parse(body).name, image: '' } };
    const user = USERS[url.searchParams.get('name') ?? ''];
    return user ? { body: user, delayMs } : { status: 404, body: { error: 'Not Found', message: 'no user' }, delayMs };
  });
  const recommend = await stub(
    overrides.recommend ?? (() => ({ body: { products: [{ ...product(10), score: 100 }, { ...product(8), score: 93 }] }, delayMs })),
  );
  const discount = await stub(() => ({ body: { products: [1, 2, 3, 4, 5, 6].map(product), banner: { title: 'Sale <b>', image: '/assets/banners/discount.svg' } }, delayMs }));
  const client = (name: string, s: Stub) => new ServiceClient(name, { baseUrl: s.url, timeoutMs: 1000 });
  const app = buildApp({
    logger: silentLogger,
    version,
    users: client('users', users),
    recommend: client('recommend', recommend),
    discount: client('discount', discount),
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, users, recommend, discount };
}

describe('mall /api/mall', () => {
  it('shows a guest view without asking users', async () => {
    const { url, users } = await mall('v1');
    const view = await fetchJson(`${url}/api/mall`);
    expect(view.user).toBeNull();
    expect(view.recommend.products.map((p: { id: number }) => p.id)).toEqual([10, 8]);
    expect(view.discount.products).toHaveLength(6);
    expect(view.meta).toMatchObject({ version: 'v1', traceId: expect.stringMatching(/^[\da-f]{32}$/), unavailable: [] });
    expect(users.requests).toHaveLength(0);
  });

  it('turns cookie user into end-user on every downstream call, and shows the user', async () => {
    const { url, users, recommend, discount } = await mall('v1');
    const view = await fetchJson(`${url}/api/mall`, { headers: { cookie: 'user=jason' } });
    expect(view.user).toEqual(USERS.jason);
    for (const s of [users, recommend, discount]) expect(s.requests[0]!.headers['end-user']).toBe('jason');
  });

  it('treats an unknown or invalid cookie as a guest with 200', async () => {
    const { url } = await mall('v1');
    for (const cookie of ['user=ghost', 'user=..%2Fx', `user=${'a'.repeat(500)}`, 'user=%E0%A4%A', 'user']) {
      const response = await fetch(`${url}/api/mall`, { headers: { cookie } });
      expect(response.status, cookie).toBe(200);
      expect(((await response.json()) as { user: unknown }).user, cookie).toBeNull();
    }
  });

  it('v1 calls users, recommend, discount one after another; v2 all at once', async () => {
    for (const version of ['v1', 'v2'] as const) {
      const { url, users, recommend, discount } = await mall(version, { delayMs: 60 });
      await fetch(`${url}/api/mall`, { headers: { cookie: 'user=jason' } });
      const [u, r, d] = [users, recommend, discount].map((s) => s.requests[0]!);
      const serial = u!.endedAt <= r!.startedAt && r!.endedAt <= d!.startedAt;
      const overlapping = Math.max(u!.startedAt, r!.startedAt, d!.startedAt) < Math.min(u!.endedAt, r!.endedAt, d!.endedAt);
      expect({ version, serial, overlapping }).toEqual({ version, serial: version === 'v1', overlapping: version === 'v2' });
    }
  });

  it('marks a failing section unavailable and keeps the rest', async () => {
    const { url } = await mall('v2', { recommend: () => ({ status: 500, body: {} }) });
    const view = await fetchJson(`${url}/api/mall`);
    expect(view.recommend).toBeNull();
    expect(view.discount.products).toHaveLength(6);
    expect(view.meta.unavailable).toEqual(['recommend']);
    const page = await (await fetch(`${url}/`)).text();
    expect(page).toContain('Recommendations are unavailable right now');
  });
});

describe('mall login and page', () => {
  it('logs in: creates the user through users and sets an HttpOnly, SameSite=Lax cookie', async () => {
    const { url, users } = await mall('v1');
    const response = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"jason"}' });
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toMatch(/^user=jason;.*HttpOnly.*SameSite=Lax/);
    expect(JSON.parse(users.requests[0]!.body)).toEqual({ name: 'jason' });
    expect(users.requests[0]!.headers['end-user']).toBe('jason');
  });

  it('logs out by clearing the cookie', async () => {
    const { url } = await mall('v1');
    const response = await fetch(`${url}/api/logout`, { method: 'POST' });
    expect(response.headers.get('set-cookie')).toMatch(/^user=;.*Expires=Thu, 01 Jan 1970/);
  });

  it.each([
    ['../x', '{"name":"../x"}'],
    ['500 characters', JSON.stringify({ name: 'a'.repeat(500) })],
    ['an operator object', '{"name":{"$gt":""}}'],
    ['not JSON', 'name=jason'],
    ['empty', ''],
  ])('refuses a login with %s: 400 JSON, users not called', async (_, body) => {
    const { url, users } = await mall('v1');
    const response = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'Bad Request', message: expect.any(String) });
    expect(users.requests).toHaveLength(0);
  });

  it('renders the page with stars, banners escaped, and a footer naming version, user and trace', async () => {
    const { url } = await mall('v2');
    const page = await (await fetch(`${url}/`, { headers: { cookie: 'user=jason' } })).text();
    expect(page).toContain('data-score="100"');
    expect(page).toContain('Sale &lt;b&gt;');
    expect(page).not.toContain('Sale <b>');
    expect(page).toMatch(/Served by mall <b>v2<\/b> · user <b>jason<\/b> · trace <code>[\da-f]{32}<\/code>/);
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('serves its own SVG assets and nothing outside them', async () => {
    const { url } = await mall('v1');
    for (const path of ['/assets/products/1.svg', '/assets/banners/recommend.svg', '/assets/avatars/jason.svg', '/assets/favicon.svg']) {
      const response = await fetch(`${url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toContain('image/svg+xml');
    }
    for (const path of ['/assets/products/99.svg', '/assets/..%2F..%2Fpackage.json', '/assets/banners/x.svg', '/assets/avatars/%3Cscript%3E.svg']) {
      expect((await fetch(`${url}${path}`)).status, path).toBe(404);
    }
  });

  it('sends security headers with the page; its CSP allows its own inline script by hash and nothing from elsewhere', async () => {
    const { url } = await mall('v1');
    const response = await fetch(`${url}/`);
    const page = await response.text();
    const csp = response.headers.get('content-security-policy') ?? '';
    const script = /<script>([\s\S]*?)<\/script>/.exec(page)![1]!;
    expect(csp).toContain(`script-src 'self' 'sha256-${createHash('sha256').update(script).digest('base64')}'`);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it(`refuses a body over ${BODY_LIMIT_BYTES} bytes with 413 JSON, users not called`, async () => {
    const { url, users } = await mall('v1');
    const body = JSON.stringify({ name: 'a'.repeat(BODY_LIMIT_BYTES) });
    const response = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: 'Payload Too Large', message: expect.any(String) });
    expect(users.requests).toHaveLength(0);
  });
});
