import { request } from 'node:http';
import { fetchJson, silentLogger } from '@mesh-mall/kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => Promise.all(closers.splice(0).map((c) => c())));

async function serve(status = 200): Promise<string> {
  const server = buildApp(silentLogger, { servedBy: 'base/echo@v1', status }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('echo', () => {
  it('answers any method and path with who served it and what it saw', async () => {
    const url = await serve();
    const body = await fetchJson(`${url}/any/path?x=1`, { method: 'DELETE', headers: { 'end-user': 'jason' } });
    expect(body).toMatchObject({ servedBy: 'base/echo@v1', method: 'DELETE', path: '/any/path?x=1', headers: { 'end-user': 'jason' } });
  });

  it('reports a header sent on several lines as the conformance suites do: its values joined by ","', async () => {
    const { port } = new URL(await serve());
    // fetch folds repeated headers into one line; node:http sends an array as one line per value, as Envoy adds one.
    const body = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', headers: { 'x-add': ['one', 'two'] } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject).end();
    });
    expect(JSON.parse(body)).toMatchObject({ headers: { 'x-add': 'one,two' } });
  });

  it('answers with the status it was given', async () => {
    const response = await fetch(`${await serve(503)}/`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ servedBy: 'base/echo@v1' });
  });

  it('holds the heap a request asks it to (x-echo-hold-mb): over 35 of 40 MiB measured, as a collection may free other garbage', async () => {
    const url = await serve();
    const before = process.memoryUsage().heapUsed;
    expect((await fetch(`${url}/`, { headers: { 'x-echo-hold-mb': '40' } })).status).toBe(200);
    // 40 MiB held, less whatever other garbage a collection in between freed.
    expect(process.memoryUsage().heapUsed - before).toBeGreaterThan(35 * 2 ** 20);
  });
});
