import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from './errors.js';
import { expressApp } from './express.js';
import { fastifyApp, fastifyHandler } from './fastify.js';
import { UpstreamError } from './http-client.js';
import { BODY_LIMIT_BYTES } from './limits.js';
import type { Logger } from './logger.js';
import { startService, type RequestHandler } from './server.js';
import { capturedLogger } from './test-fixtures/log-capture.js';
import { testConfig } from './testing.js';

/** The conventions both frameworks share in the kit: JSON errors, status mapping, body limits, the error log. */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

const thrown: Record<string, () => never> = {
  conflict: () => {
    throw new HttpError(409, 'name taken');
  },
  timeout: () => {
    throw new UpstreamError('scores', 'timeout', 'no answer within 50 ms');
  },
  refused: () => {
    throw new UpstreamError('users', 'connect', 'connect ECONNREFUSED');
  },
  secret: () => {
    throw new Error('secret detail');
  },
};

const apps: Record<string, (logger: Logger) => Promise<RequestHandler>> = {
  express: async (logger) =>
    expressApp(logger, (app) => {
      for (const [name, fn] of Object.entries(thrown)) app.get(`/${name}`, fn);
      app.post('/echo', (req, res) => void res.json({ body: req.body as unknown }));
      app.get('/query', (req, res) => void res.json(req.query));
    }),
  fastify: async (logger) =>
    fastifyHandler(
      await fastifyApp(logger, (app) => {
        for (const [name, fn] of Object.entries(thrown)) app.get(`/${name}`, fn);
        app.post('/echo', async (request) => ({ body: request.body }));
      }),
    ),
};

async function serve(framework: string) {
  const { logger, lines } = capturedLogger();
  const running = await startService({ config: testConfig(), logger, handler: await apps[framework]!(logger), handleSignals: false });
  cleanups.push(() => running.shutdown('test'));
  const base = `http://127.0.0.1:${running.port}`;
  const call = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${base}${path}`, init);
    return { status: response.status, body: (await response.json()) as unknown, poweredBy: response.headers.get('x-powered-by') };
  };
  return { call, lines };
}

const json = (body: string) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body });

for (const framework of Object.keys(apps)) {
  describe(`a ${framework} service`, () => {
    it('answers an unknown route with a JSON 404 naming the method and path, without the query', async () => {
      const { call } = await serve(framework);
      expect(await call('/nowhere?x=1')).toEqual({ status: 404, body: { error: 'Not Found', message: 'no route for GET /nowhere' }, poweredBy: null });
    });

    it('answers an HttpError with its status and message, a downstream timeout with 504, another downstream failure with 502', async () => {
      const { call, lines } = await serve(framework);
      expect(await call('/conflict')).toMatchObject({ status: 409, body: { error: 'Conflict', message: 'name taken' } });
      expect(await call('/timeout')).toMatchObject({ status: 504, body: { error: 'Gateway Timeout', message: 'scores: no answer within 50 ms' } });
      expect(await call('/refused')).toMatchObject({ status: 502, body: { error: 'Bad Gateway', message: 'users: connect ECONNREFUSED' } });
      expect(lines.filter((line) => line.msg === 'request failed')).toHaveLength(2);
    });

    it('answers anything else with a 500 "internal error", the detail only in the error log', async () => {
      const { call, lines } = await serve(framework);
      expect(await call('/secret')).toEqual({ status: 500, body: { error: 'Internal Server Error', message: 'internal error' }, poweredBy: null });
      const logged = lines.filter((line) => line.msg === 'request failed');
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ level: 50, err: { message: 'secret detail' } });
      if (framework === 'express') expect(logged[0]).toMatchObject({ path: '/secret' });
    });

    it(`takes a JSON body of ${BODY_LIMIT_BYTES} bytes and refuses one byte more with 413`, async () => {
      expect(BODY_LIMIT_BYTES).toBe(16 * 1024);
      const { call, lines } = await serve(framework);
      const body = (size: number) => JSON.stringify({ a: 'x'.repeat(size - 8) });
      expect(body(BODY_LIMIT_BYTES)).toHaveLength(BODY_LIMIT_BYTES);
      expect((await call('/echo', json(body(BODY_LIMIT_BYTES)))).status).toBe(200);
      expect(await call('/echo', json(body(BODY_LIMIT_BYTES + 1)))).toMatchObject({ status: 413, body: { error: 'Payload Too Large' } });
      expect(await call('/echo', json('{nope'))).toMatchObject({ status: 400, body: { error: 'Bad Request' } });
      // Client mistakes are the caller's: nothing in the error log.
      expect(lines.filter((line) => line.msg === 'request failed')).toEqual([]);
    });
  });
}

describe('an express service', () => {
  it('reads a JSON body whatever its content type, and refuses a body that is not an object or array', async () => {
    const { call } = await serve('express');
    expect((await call('/echo', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"name":"jason"}' })).body).toEqual({ body: { name: 'jason' } });
    expect(await call('/echo', json('"jason"'))).toMatchObject({ status: 400, body: { error: 'Bad Request' } });
  });

  it('parses the query string flat: brackets are part of a name', async () => {
    const { call } = await serve('express');
    expect((await call('/query?a[b]=1&ids=7,8')).body).toEqual({ 'a[b]': '1', ids: '7,8' });
  });

  it('sends helmet’s headers, with the service’s own Content-Security-Policy when it has one', async () => {
    const { logger } = capturedLogger();
    const app = expressApp(logger, (a) => a.get('/', (_req, res) => void res.json({})), { securityHeaders: { contentSecurityPolicy: { directives: { defaultSrc: ["'none'"] } } } });
    const running = await startService({ config: testConfig(), logger, handler: app, handleSignals: false });
    cleanups.push(() => running.shutdown('test'));
    const response = await fetch(`http://127.0.0.1:${running.port}/`);
    expect(response.headers.get('content-security-policy')).toMatch(/^default-src 'none';/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('never says it is Express, even when the service turns helmet’s hiding of it off', async () => {
    const { logger } = capturedLogger();
    const app = expressApp(logger, (a) => a.get('/', (_req, res) => void res.json({})), { securityHeaders: { xPoweredBy: false } });
    const running = await startService({ config: testConfig(), logger, handler: app, handleSignals: false });
    cleanups.push(() => running.shutdown('test'));
    expect((await fetch(`http://127.0.0.1:${running.port}/`)).headers.get('x-powered-by')).toBeNull();
  });
});

describe('a fastify service', () => {
  it('logs each request once, the kit’s way, not fastify’s own request lines too', async () => {
    const { call, lines } = await serve('fastify');
    await call('/echo', json('{}'));
    expect(lines.map((line) => line.msg)).toEqual(['listening', 'request']);
  });
});
