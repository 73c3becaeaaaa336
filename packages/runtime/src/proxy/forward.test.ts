import { createServer, request, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { drainEndpoint, relay, send } from './forward.js';

const servers: Server[] = [];
afterEach(() =>
  servers.splice(0).forEach((s) => {
    s.closeAllConnections();
    s.close();
  }),
);

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; port: number; url: string }> {
  const server = createServer(handler);
  // Far beyond any test: a connection that closes was closed by the proxy's side, never by the server's idle timer.
  server.keepAliveTimeout = 60_000;
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

describe('the connections to an endpoint', () => {
  it('are one pool per endpoint: draining it closes every connection any earlier request opened', async () => {
    const upstream = await listen((_req, res) => res.end('ok'));
    const closed: Promise<void>[] = [];
    upstream.server.on('connection', (socket) => closed.push(new Promise((resolve) => socket.once('close', () => resolve()))));
    for (let i = 0; i < 3; i++) expect(await (await send(upstream.port, get, AbortSignal.timeout(5000))).body.text()).toBe('ok');
    drainEndpoint(upstream.port);
    await Promise.all(closed);
  });

  it('of an upstream whose caller leaves mid-answer are cut, so the upstream stops sending', async () => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    const upstream = await listen((_req, res) => {
      res.once('close', upstreamClosed);
      res.writeHead(200).write('first half');
    });
    const proxy = await listen(async (_req, res) => void relay(await send(upstream.port, get, AbortSignal.timeout(5000)), res, {}).catch(() => undefined));
    await new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port: proxy.port, agent: false }, (res) => res.once('data', () => (req.destroy(), resolve())));
      req.on('error', () => undefined).end();
    });
    await closed;
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
    let connections = 0;
    upstream.server.on('connection', () => connections++);
    await (await send(upstream.port, get, AbortSignal.timeout(5000))).body.text();
    drainEndpoint(upstream.port);
    expect(await (await send(upstream.port, get, AbortSignal.timeout(5000))).body.text()).toBe('ok');
    expect(connections).toBe(2);
  });

  it('does nothing for an endpoint no request was sent to', () => {
    expect(() => drainEndpoint(9)).not.toThrow();
  });
});
