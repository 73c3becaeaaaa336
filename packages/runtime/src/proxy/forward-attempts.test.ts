import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { BodyTooLarge } from '../lib/read-body.js';
import { AttemptError, readBody, relay, send } from './forward.js';

const servers: Server[] = [];
afterEach(() =>
  servers.splice(0).forEach((s) => {
    s.closeAllConnections();
    s.close();
  }),
);

async function listen(handler: Parameters<typeof createServer>[1]): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** The body as the proxy reads it, for a request sent with `headers` and `body`. */
async function bodyOf(headers: Record<string, string>, body: string | undefined, limit = 1024): Promise<Buffer | undefined | Error> {
  let read!: (value: Buffer | undefined | Error) => void;
  const result = new Promise<Buffer | undefined | Error>((resolve) => (read = resolve));
  const port = await listen((req: IncomingMessage, res) => {
    readBody(req, limit).then(read, read);
    res.end();
  });
  const req = request({ host: '127.0.0.1', port, method: 'POST', headers });
  req.on('error', () => undefined);
  req.end(body);
  return result;
}

describe('reading a request body to send it, perhaps more than once', () => {
  it('reads none without Content-Length or Transfer-Encoding, or with Content-Length 0', async () => {
    expect(await bodyOf({}, undefined)).toBeUndefined();
    expect(await bodyOf({ 'content-length': '0' }, '')).toBeUndefined();
  });

  it('reads none for a request that declares no body (a GET), so none is sent on', async () => {
    let read!: (value: Buffer | undefined) => void;
    const result = new Promise<Buffer | undefined>((resolve) => (read = resolve));
    const port = await listen((req: IncomingMessage, res) => {
      void readBody(req, 1024).then(read);
      res.end();
    });
    request({ host: '127.0.0.1', port, method: 'GET' }).on('error', () => undefined).end();
    expect(await result).toBeUndefined();
  });

  it('reads a body of a given length, or a chunked one', async () => {
    expect(String(await bodyOf({ 'content-length': '5' }, 'hello'))).toBe('hello');
    expect(String(await bodyOf({ 'transfer-encoding': 'chunked' }, 'chunked body'))).toBe('chunked body');
  });

  it('refuses one over the limit', async () => {
    expect(await bodyOf({ 'content-length': '11' }, 'hello world', 10)).toBeInstanceOf(BodyTooLarge);
  });
});

describe('one attempt', () => {
  it('sends the body with its length', async () => {
    let seen: { length: string | undefined; body: string } | undefined;
    const port = await listen((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        seen = { length: req.headers['content-length'], body };
        res.end();
      });
    });
    await (await send(port, { method: 'POST', path: '/x', headers: { host: 'a' }, body: Buffer.from('héllo') }, AbortSignal.timeout(5_000))).body.text();
    expect(seen).toEqual({ length: '6', body: 'héllo' });
  });

  it('fails with connect-failure when nothing listens', async () => {
    const error = await send(1, { method: 'GET', path: '/', headers: {}, body: undefined }, AbortSignal.timeout(5_000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AttemptError);
    expect((error as AttemptError).failure).toBe('connect-failure');
    expect((error as AttemptError).message).toMatch(/^connect-failure: .*ECONNREFUSED/);
  });

  it('fails with reset when the connection is broken off before the answer', async () => {
    const port = await listen((req) => req.socket.destroy());
    const error = (await send(port, { method: 'GET', path: '/', headers: {}, body: undefined }, AbortSignal.timeout(5_000)).catch((e: unknown) => e)) as AttemptError;
    expect(error.failure).toBe('reset');
    expect(error.message).toMatch(/^reset: /);
  });

  it('fails with timeout when its signal ends for a timeout, and cancelled for any other reason', async () => {
    const port = await listen(() => undefined);
    const ended = (reason: string) => {
      const controller = new AbortController();
      const attempt = send(port, { method: 'GET', path: '/', headers: {}, body: undefined }, controller.signal).catch((e: AttemptError) => e.failure);
      controller.abort(reason);
      return attempt;
    };
    expect(await ended('timeout')).toBe('timeout');
    expect(await ended('client gone')).toBe('cancelled');
  });
});

describe('relaying an answer', () => {
  it('resolves with the body bytes sent to the caller', async () => {
    const upstream = await listen((_req, res) => res.end('x'.repeat(3_000)));
    let sent: number | undefined;
    const proxy = await listen(async (_req, res) => {
      sent = await relay(await send(upstream, { method: 'GET', path: '/', headers: {}, body: undefined }, AbortSignal.timeout(5_000)), res, { 'x-relayed': '1' });
    });
    const response = await fetch(`http://127.0.0.1:${proxy}/`);
    expect(response.headers.get('x-relayed')).toBe('1');
    expect(await response.text()).toHaveLength(3_000);
    await expect.poll(() => sent).toBe(3_000);
  });
});
