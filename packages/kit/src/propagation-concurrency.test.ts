import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { expressApp } from './express.js';
import { fastifyApp, fastifyHandler } from './fastify.js';
import { ServiceClient } from './http-client.js';
import { setPropagatedHeader } from './propagation.js';
import { startService, type RequestHandler } from './server.js';
import { silentLogger as logger, startStub, testConfig, type Stub } from './testing.js';

/**
 * The request context is per request (AsyncLocalStorage), not per process: many requests in flight at once, each
 * with its own identity and trace, each downstream call carrying its own request's headers. Every request waits at a
 * barrier until all of them have arrived, so all their contexts are alive together when the later calls go out: a
 * context kept in one process-wide variable would give them all the last request's headers.
 */

const REQUESTS = 24;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

/** The headers request `i` arrives with: every propagated header, each value unique to the request. */
function inboundHeaders(i: number): Record<string, string> {
  const hex = (width: number) => i.toString(16).padStart(width, '0');
  return {
    'end-user': `user-${i}`,
    'x-request-id': `request-${i}`,
    traceparent: `00-${hex(32)}-${hex(16)}-01`,
    tracestate: `vendor=state${i}`,
    baggage: `member=${i}`,
    b3: `${hex(32)}-${hex(16)}-1`,
    'x-b3-traceid': hex(32),
    'x-b3-spanid': hex(16),
    'x-b3-parentspanid': `f${hex(15)}`,
    'x-b3-sampled': '1',
    'x-b3-flags': String(i % 2),
    'x-ot-span-context': `ot-${i}`,
  };
}

/** Resolves once `count` requests have reached it. */
function barrier(count: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    if (++arrived === count) open();
    return opened;
  };
}

/** Request `i`: a call, the barrier, a lane change of its own, then two calls at once. */
function work(client: ServiceClient, wait: () => Promise<void>) {
  const ok = z.object({ ok: z.boolean() });
  return async (i: string) => {
    await client.call('GET', `/first/${i}`, { schema: ok });
    await wait();
    setPropagatedHeader('end-user', `lane-${i}`);
    await Promise.all([client.call('GET', `/second/${i}`, { schema: ok }), client.call('POST', `/third/${i}`, { body: {}, schema: ok })]);
    return { done: i };
  };
}

async function serve(handler: RequestHandler): Promise<number> {
  const running = await startService({ config: testConfig(), logger, handler, handleSignals: false });
  cleanups.push(() => running.shutdown('test'));
  return running.port;
}

async function downstream(): Promise<Stub> {
  const stub = await startStub(() => ({ body: { ok: true } }));
  cleanups.push(stub.close);
  return stub;
}

const frameworks: Record<string, (client: ServiceClient, wait: () => Promise<void>) => Promise<RequestHandler>> = {
  express: async (client, wait) => {
    const run = work(client, wait);
    return expressApp(logger, (app) => app.get('/work/:i', async (req, res) => void res.json(await run(req.params.i))));
  },
  fastify: async (client, wait) => {
    const run = work(client, wait);
    return fastifyHandler(await fastifyApp(logger, (app) => void app.get<{ Params: { i: string } }>('/work/:i', (request) => run(request.params.i))));
  },
};

describe('the request context under concurrent requests', () => {
  for (const [framework, make] of Object.entries(frameworks)) {
    it(`gives each downstream call the headers of its own request, ${REQUESTS} requests interleaved (${framework})`, async () => {
      const stub = await downstream();
      const client = new ServiceClient('stub', { baseUrl: stub.url, timeoutMs: 5_000 });
      const port = await serve(await make(client, barrier(REQUESTS)));

      const answers = await Promise.all(
        Array.from({ length: REQUESTS }, async (_, i) => (await fetch(`http://127.0.0.1:${port}/work/${i}`, { headers: inboundHeaders(i) })).json()),
      );
      expect(answers).toEqual(Array.from({ length: REQUESTS }, (_, i) => ({ done: String(i) })));

      expect(stub.requests).toHaveLength(3 * REQUESTS);
      for (const request of stub.requests) {
        const [, call, i] = request.url.split('/') as [string, string, string];
        const expected = { ...inboundHeaders(Number(i)), ...(call === 'first' ? {} : { 'end-user': `lane-${i}` }) };
        const propagated = Object.fromEntries(Object.keys(expected).map((name) => [name, request.headers[name]]));
        expect(propagated, `${call} call of request ${i}`).toEqual(expected);
      }
    });
  }
});
