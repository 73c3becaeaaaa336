import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { relay, send } from './forward.js';

const servers: Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('relay', () => {
  it('passes status, headers and body through', async () => {
    const upstream = await listen((_req, res) => res.writeHead(201, { 'x-from': 'upstream' }).end('hello'));
    const proxy = await listen(async (_req, res) => {
      const answer = await send(upstream, { method: 'GET', path: '/', headers: {}, body: undefined }, AbortSignal.timeout(5000));
      await relay(answer, res, { 'x-from': String(answer.headers['x-from']) });
    });
    const response = await fetch(proxy);
    expect(response.status).toBe(201);
    expect(response.headers.get('x-from')).toBe('upstream');
    expect(await response.text()).toBe('hello');
  });

  it('rejects, without an unhandled error, when the caller left before the upstream answered', async () => {
    const upstream = await listen((_req, res) => res.end('too late'));
    let outcome: string | undefined;
    const proxy = await listen(async (req, res) => {
      const answer = await send(upstream, { method: 'GET', path: '/', headers: {}, body: undefined }, AbortSignal.timeout(5000));
      req.socket.destroy();
      await new Promise((resolve) => res.once('close', resolve));
      outcome = await relay(answer, res, {}).then(() => 'relayed', (error: Error) => error.message);
    });
    await fetch(proxy).catch(() => undefined);
    await expect.poll(() => outcome).toBe('client closed the connection');
  });
});
