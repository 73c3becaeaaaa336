import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { expressApp } from './express.js';
import { fastifyApp, fastifyHandler } from './fastify.js';
import { ServiceClient } from './http-client.js';
import { PROPAGATED_HEADERS, setPropagatedHeader } from './propagation.js';
import { startService, type RequestHandler, type RunningService } from './server.js';
import { silentLogger as logger, startStub, testConfig, type Stub } from './testing.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function downstream(): Promise<Stub> {
  const stub = await startStub(() => ({ body: { ok: true } }));
  cleanups.push(stub.close);
  return stub;
}

async function serve(handler: RequestHandler): Promise<RunningService> {
  const running = await startService({ config: testConfig(), logger, handler, handleSignals: false });
  cleanups.push(() => running.shutdown('test'));
  return running;
}

/** Two services, one per framework, each calling the stub twice (after an await) while serving GET and POST. */
async function frameworks(stub: Stub): Promise<Record<string, RunningService>> {
  const client = new ServiceClient('stub', { baseUrl: stub.url, timeoutMs: 2000 });
  const ok = z.object({ ok: z.boolean() });
  const work = async () => {
    await client.call('GET', '/first', { schema: ok });
    await new Promise((r) => setTimeout(r, 5));
    await client.call('GET', '/second', { schema: ok });
    return { done: true };
  };
  const express = expressApp(logger, (app) => {
    app.get('/work', async (_req, res) => void res.json(await work()));
    app.post('/work', async (_req, res) => void res.json(await work()));
  });
  const fastify = await fastifyApp(logger, (app) => {
    app.get('/work', work);
    app.post('/work', work);
  });
  return { express: await serve(express), fastify: await serve(fastifyHandler(fastify)) };
}

const inbound = {
  'end-user': 'jason',
  'x-request-id': 'abc',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  tracestate: 'congo=t61rcWkgMzE',
  baggage: 'team=mesh',
  'x-b3-traceid': '0af7651916cd43dd8448eb211c80319c',
  'x-b3-spanid': 'b7ad6b7169203331',
  'x-b3-parentspanid': '00f067aa0ba902b7',
  'x-b3-sampled': '1',
  'x-b3-flags': '0',
  b3: '0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1',
  'x-ot-span-context': 'ot-context',
};

describe('header propagation', () => {
  for (const method of ['GET', 'POST'] as const) {
    it(`forwards every propagated header on every outbound call (express and fastify, ${method})`, async () => {
      const stub = await downstream();
      for (const [framework, running] of Object.entries(await frameworks(stub))) {
        stub.requests.length = 0;
        const response = await fetch(`http://127.0.0.1:${running.port}/work`, {
          method,
          headers: { ...inbound, 'content-type': 'application/json', 'x-unrelated': 'no' },
          body: method === 'POST' ? JSON.stringify({ name: 'x' }) : undefined,
        });
        expect(response.status, framework).toBe(200);
        expect(stub.requests.map((r) => r.url)).toEqual(['/first', '/second']);
        for (const request of stub.requests) {
          for (const [name, value] of Object.entries(inbound)) expect(request.headers[name], `${framework} ${name}`).toBe(value);
          expect(request.headers['x-unrelated']).toBeUndefined();
        }
      }
    });
  }

  it('starts a request id and a trace context at the edge and keeps them for the whole request', async () => {
    const stub = await downstream();
    for (const running of Object.values(await frameworks(stub))) {
      stub.requests.length = 0;
      await fetch(`http://127.0.0.1:${running.port}/work`);
      const [first, second] = stub.requests;
      expect(first!.headers['x-request-id']).toMatch(/^[\da-f-]{36}$/);
      expect(first!.headers.traceparent).toMatch(/^00-[\da-f]{32}-[\da-f]{16}-01$/);
      expect(second!.headers['x-request-id']).toBe(first!.headers['x-request-id']);
      expect(second!.headers.traceparent).toBe(first!.headers.traceparent);
    }
  });

  it('keeps concurrent requests apart', async () => {
    const stub = await downstream();
    const { fastify } = await frameworks(stub);
    const users = Array.from({ length: 20 }, (_, i) => `user${i}`);
    await Promise.all(users.map((u) => fetch(`http://127.0.0.1:${fastify!.port}/work`, { headers: { 'end-user': u, 'x-request-id': u } })));
    for (const request of stub.requests) expect(request.headers['end-user']).toBe(request.headers['x-request-id']);
    expect(stub.requests).toHaveLength(40);
  });

  it('lets the edge change end-user for the rest of the request', async () => {
    const stub = await downstream();
    const client = new ServiceClient('stub', { baseUrl: stub.url, timeoutMs: 2000 });
    const app = expressApp(logger, (a) =>
      a.get('/', async (_req, res) => {
        setPropagatedHeader('end-user', 'fox');
        res.json(await client.call('GET', '/x', { schema: z.unknown() }));
      }),
    );
    const running = await serve(app);
    await fetch(`http://127.0.0.1:${running.port}/`, { headers: { 'end-user': 'jason' } });
    expect(stub.requests[0]!.headers['end-user']).toBe('fox');
  });

  it('propagates exactly: end-user, x-request-id, W3C trace context and baggage, B3 single and multi-header, and the OT span context', () => {
    // The contract of design.md ("Identity, propagation, lanes"), plus what Istio asks applications to forward (b3,
    // x-ot-span-context); in this order, so that the list reads as the design does.
    expect(PROPAGATED_HEADERS).toEqual([
      'end-user',
      'x-request-id',
      'traceparent',
      'tracestate',
      'baggage',
      'b3',
      'x-b3-traceid',
      'x-b3-spanid',
      'x-b3-parentspanid',
      'x-b3-sampled',
      'x-b3-flags',
      'x-ot-span-context',
    ]);
  });
});
