import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { drainEndpoint, relay, send } from './forward.js';

const servers: Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; port: number; url: string }> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { server, port, url: `http://127.0.0.1:${port}` };
}

const get = { method: 'GET', path: '/', headers: {}, body: undefined };

/** Resolves when the server's side of its next (or current) connection closes. */
function connectionClosed(server: Server): Promise<void> {
  return new Promise((resolve) => server.once('connection', (socket) => socket.once('close', () => resolve())));
}

describe('relay', () => {
  it('passes status, headers and body through', async () => {
    const upstream = await listen((_req, res) => res.writeHead(201, { 'x-from': 'upstream' }).end('hello'));
    const proxy = await listen(async (_req, res) => {
      const answer = await send(upstream.port, get, AbortSignal.timeout(5000));
      await relay(answer, res, { 'x-from': String(answer.headers['x-from']) });
    });
    const response = await fetch(proxy.url);
    expect(response.status).toBe(201);
    expect(response.headers.get('x-from')).toBe('upstream');
    expect(await response.text()).toBe('hello');
  });

  it('rejects, without an unhandled error, when the caller left before the upstream answered', async () => {
    const upstream = await listen((_req, res) => res.end('too late'));
    let outcome: string | undefined;
    const proxy = await listen(async (req, res) => {
      const answer = await send(upstream.port, get, AbortSignal.timeout(5000));
      req.socket.destroy();
      await new Promise((resolve) => res.once('close', resolve));
      outcome = await relay(answer, res, {}).then(() => 'relayed', (error: Error) => error.message);
    });
    await fetch(proxy.url).catch(() => undefined);
    await expect.poll(() => outcome).toBe('client closed the connection');
  });
});

describe('drainEndpoint: an endpoint removed from its Service, as Envoy drains a removed host', () => {
  it('closes an idle keep-alive connection from the caller side, so the pod never closes it under a request', async () => {
    const upstream = await listen((_req, res) => res.end('ok'));
    const closed = connectionClosed(upstream.server);
    await (await send(upstream.port, get, AbortSignal.timeout(5000))).body.text();
    let closedYet = false;
    void closed.then(() => (closedYet = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(closedYet).toBe(false);
    drainEndpoint(upstream.port);
    await closed;
  });

  it('lets a request in flight finish, then closes its connection', async () => {
    let answer: (() => void) | undefined;
    const upstream = await listen((_req, res) => (answer = () => res.end('finished')));
    const closed = connectionClosed(upstream.server);
    const response = send(upstream.port, get, AbortSignal.timeout(5000));
    await expect.poll(() => answer).toBeDefined();
    drainEndpoint(upstream.port);
    answer!();
    expect(await (await response).body.text()).toBe('finished');
    await closed;
  });

  it('opens a new connection for a request sent after the drain', async () => {
    const upstream = await listen((_req, res) => res.end('ok'));
    await (await send(upstream.port, get, AbortSignal.timeout(5000))).body.text();
    drainEndpoint(upstream.port);
    const reconnected = new Promise((resolve) => upstream.server.once('connection', resolve));
    expect(await (await send(upstream.port, get, AbortSignal.timeout(5000))).body.text()).toBe('ok');
    await reconnected;
  });
});
