import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { CompositePropagator, RPCType, setRPCMetadata, W3CTraceContextPropagator, type RPCMetadata } from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import { NodeSDK, tracing as sdkTracing } from '@opentelemetry/sdk-node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { expressApp } from './express.js';
import { fastifyApp, fastifyHandler } from './fastify.js';
import { ServiceClient } from './http-client.js';
import { currentTraceId, outboundHeaders, runWithContext, tracing } from './propagation.js';
import { startService, type RequestHandler } from './server.js';
import { silentLogger as logger, startStub, testConfig, type Stub } from './testing.js';

/**
 * What the kit does when OpenTelemetry traces a request: an SDK with the kit's propagators (W3C and B3 multi-header,
 * telemetry/sdk.ts) and spans kept in memory. The HTTP instrumentation's server span is stood in for by a span made
 * active where the service starts listening: its requests run in that context, as they would in the span the
 * instrumentation starts.
 */

const spans = new sdkTracing.InMemorySpanExporter();
const processor = new sdkTracing.SimpleSpanProcessor(spans);
const sdk = new NodeSDK({
  spanProcessors: [processor],
  textMapPropagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER })] }),
  instrumentations: [],
  metricReaders: [],
  logRecordProcessors: [],
});
beforeAll(() => sdk.start());
afterAll(() => sdk.shutdown());

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
  spans.reset();
});

const tracer = trace.getTracer('test');

/** The spans ended so far (an ended span is exported once the resource's attributes are known). */
async function finished() {
  await processor.forceFlush();
  return spans.getFinishedSpans();
}
const INBOUND_TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

async function stub(answer: Parameters<typeof startStub>[0] = () => ({ body: { ok: true } })): Promise<Stub> {
  const started = await startStub(answer);
  cleanups.push(started.close);
  return started;
}

/** Runs `fn` in a new active span (the stand-in server span), ended afterwards. */
async function inSpan<T>(fn: (span: Span) => Promise<T>, extra = context.active()): Promise<T> {
  return tracer.startActiveSpan('server', {}, extra, async (span) => {
    try {
      return await fn(span);
    } finally {
      span.end();
    }
  });
}

/** A service listening inside `span`'s context, so that its requests run in it. */
async function serveIn(handler: RequestHandler, config = testConfig(), extra = context.active()): Promise<{ port: number; span: Span }> {
  let server!: Span;
  const running = await tracer.startActiveSpan('server', {}, extra, async (span) => {
    server = span;
    return startService({ config, logger, handler, handleSignals: false });
  });
  cleanups.push(() => running.shutdown('test'));
  return { port: running.port, span: server };
}

describe('propagation while OpenTelemetry traces the request', () => {
  it('leaves the trace headers to the propagators and reads the trace id from the active span', async () => {
    await inSpan(async (span) => {
      expect(tracing()).toBe(true);
      const context = { 'end-user': 'jason', 'x-request-id': 'abc', traceparent: INBOUND_TRACEPARENT, b3: 'x', 'x-b3-traceid': 'y', baggage: 'z' };
      runWithContext(context, () => {
        expect(outboundHeaders()).toEqual({ 'end-user': 'jason', 'x-request-id': 'abc' });
        expect(currentTraceId()).toBe(span.spanContext().traceId);
      });
    });
  });
});

describe('the call span of a downstream call', () => {
  it('is a client span named for the operation, whose context the request carries in W3C and B3', async () => {
    const downstream = await stub();
    const client = new ServiceClient('scores', { baseUrl: downstream.url, timeoutMs: 1_000 });
    const port = Number(new URL(downstream.url).port);
    const parent = await inSpan(async (span) => {
      await runWithContext({ 'end-user': 'jason', 'x-request-id': 'abc', traceparent: INBOUND_TRACEPARENT, 'x-b3-sampled': '0' }, () =>
        client.call('GET', '/scores', { query: { ids: '7' }, schema: z.unknown() }),
      );
      return span.spanContext();
    });
    const call = (await finished()).find((s) => s.name === 'scores GET /scores')!;
    expect(call.kind).toBe(SpanKind.CLIENT);
    expect(call.instrumentationScope.name).toBe('@mesh-mall/kit');
    expect(call.parentSpanContext?.spanId).toBe(parent.spanId);
    expect(call.attributes).toEqual({
      'peer.service': 'scores',
      'http.request.method': 'GET',
      'server.address': '127.0.0.1',
      'server.port': port,
      'url.full': `http://127.0.0.1:${port}/scores`,
      'http.response.status_code': 200,
    });
    expect(call.status).toEqual({ code: SpanStatusCode.UNSET });
    const { traceId, spanId } = call.spanContext();
    expect(downstream.requests[0]!.headers).toMatchObject({
      traceparent: `00-${traceId}-${spanId}-01`,
      'x-b3-traceid': traceId,
      'x-b3-spanid': spanId,
      'x-b3-sampled': '1',
      'end-user': 'jason',
      'x-request-id': 'abc',
    });
  });

  it('names the cluster host and port 80 when the service URL has no port, whoever carries the connection', async () => {
    const sidecar = await stub();
    const client = new ServiceClient('users', { baseUrl: 'http://users.base.svc.cluster.local', timeoutMs: 1_000, outboundUrl: sidecar.url });
    await inSpan(() => client.call('POST', '/users', { body: { name: 'jason' }, schema: z.unknown() }));
    const call = (await finished()).find((s) => s.name === 'users POST /users')!;
    expect(call.attributes).toMatchObject({ 'server.address': 'users.base.svc.cluster.local', 'server.port': 80, 'url.full': 'http://users.base.svc.cluster.local/users' });
    expect(sidecar.requests[0]!.headers.host).toBe('users.base.svc.cluster.local');
  });

  it('is an error span naming the status for a 4xx or 5xx answer, and the failure for no answer', async () => {
    const failing = await stub(() => ({ status: 503, body: {} }));
    const refused = await stub(() => ({ status: 400, body: {} }));
    const notFound = await stub(() => ({ status: 404, body: {} }));
    await inSpan(async () => {
      await new ServiceClient('scores', { baseUrl: failing.url, timeoutMs: 1_000 }).send('GET', '/a', { schema: z.unknown() });
      await new ServiceClient('users', { baseUrl: notFound.url, timeoutMs: 1_000 }).send('GET', '/b', { schema: z.unknown() });
      await new ServiceClient('mall', { baseUrl: refused.url, timeoutMs: 1_000 }).send('POST', '/api/login', { body: {}, schema: z.unknown() });
      await new ServiceClient('gone', { baseUrl: 'http://127.0.0.1:1', timeoutMs: 1_000 }).send('GET', '/c', { schema: z.unknown() }).catch(() => undefined);
    });
    const byName = Object.fromEntries((await finished()).map((s) => [s.name, s]));
    expect(byName['scores GET /a']!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'scores answered 503' });
    expect(byName['scores GET /a']!.attributes['http.response.status_code']).toBe(503);
    expect(byName['users GET /b']!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'users answered 404' });
    expect(byName['mall POST /api/login']!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'mall answered 400' });
    expect(byName['gone GET /c']!.status.code).toBe(SpanStatusCode.ERROR);
    expect(byName['gone GET /c']!.status.message).toMatch(/^gone: /);
    expect(byName['gone GET /c']!.attributes).not.toHaveProperty('http.response.status_code');
  });

  it('keeps a 2xx answer below 400 an unset status', async () => {
    const created = await stub(() => ({ status: 201, body: {} }));
    await inSpan(() => new ServiceClient('users', { baseUrl: created.url, timeoutMs: 1_000 }).send('POST', '/users', { body: {}, schema: z.unknown() }));
    expect((await finished()).find((s) => s.name === 'users POST /users')!.status).toEqual({ code: SpanStatusCode.UNSET });
  });
});

describe('the call span at TRACE_DETAIL=full', () => {
  it('is internal, and leaves the trace headers to the HTTP client’s instrumentation (its child span carries them)', async () => {
    vi.stubEnv('TRACE_DETAIL', 'full');
    vi.resetModules();
    const { ServiceClient: FullDetailClient } = await import('./http-client.js');
    vi.unstubAllEnvs();
    const downstream = await stub();
    await inSpan(() => new FullDetailClient('scores', { baseUrl: downstream.url, timeoutMs: 1_000 }).call('GET', '/scores', { schema: z.unknown() }));
    expect((await finished()).find((s) => s.name === 'scores GET /scores')!.kind).toBe(SpanKind.INTERNAL);
    // No HTTP-client instrumentation runs here, so nothing carries the context.
    expect(downstream.requests[0]!.headers).not.toHaveProperty('traceparent');
  });
});

describe('the server while traced', () => {
  it('puts the end user on the request’s server span as user.id, and nothing for a guest', async () => {
    const app = expressApp(logger, (a) => a.get('/x', (_req, res) => void res.json({})));
    const jason = await serveIn(app);
    await fetch(`http://127.0.0.1:${jason.port}/x`, { headers: { 'end-user': 'jason' } });
    jason.span.end();
    const guest = await serveIn(app);
    await fetch(`http://127.0.0.1:${guest.port}/x`);
    guest.span.end();
    // An empty end-user header names nobody either.
    const nobody = await serveIn(app);
    await fetch(`http://127.0.0.1:${nobody.port}/x`, { headers: { 'end-user': '' } });
    nobody.span.end();
    const [first, second, third] = (await finished()).filter((s) => s.name === 'server');
    expect(first!.attributes).toEqual({ 'user.id': 'jason' });
    expect(second!.attributes).toEqual({});
    expect(third!.attributes).toEqual({});
  });

  it('shows the simulated processing as a span of its own under the request, ended before the handler runs', async () => {
    let handledAt = 0;
    const app = expressApp(logger, (a) =>
      a.get('/x', (_req, res) => {
        handledAt = performance.timeOrigin + performance.now();
        res.json({});
      }),
    );
    const { port, span } = await serveIn(app, testConfig({ LATENCY_MS: 20 }));
    await fetch(`http://127.0.0.1:${port}/x`);
    const work = (await finished()).find((s) => s.name === 'simulated work')!;
    expect(work.attributes).toEqual({ 'mesh_mall.latency_ms': 20 });
    expect(work.instrumentationScope.name).toBe('@mesh-mall/kit');
    expect(work.parentSpanContext?.spanId).toBe(span.spanContext().spanId);
    const [endSeconds, endNanos] = work.endTime;
    expect(endSeconds * 1_000 + endNanos / 1e6).toBeLessThanOrEqual(handledAt + 1);
    expect(work.duration[0] * 1_000 + work.duration[1] / 1e6).toBeGreaterThanOrEqual(19);
  });

  it('makes no simulated-work span when there is no simulated latency', async () => {
    const { port } = await serveIn(expressApp(logger, (a) => a.get('/x', (_req, res) => void res.json({}))));
    await fetch(`http://127.0.0.1:${port}/x`);
    expect((await finished()).map((s) => s.name)).not.toContain('simulated work');
  });

  it('names a fastify request’s server span by its route, and leaves an unrouted one as it is', async () => {
    const app = await fastifyApp(logger, (a) => void a.get('/scores/:id', async () => ({})));
    const routed: RPCMetadata = { type: RPCType.HTTP, span: trace.getActiveSpan()! };
    const routedService = await serveIn(fastifyHandler(app), testConfig(), setRPCMetadata(context.active(), routed));
    await fetch(`http://127.0.0.1:${routedService.port}/scores/7?x=1`);
    expect(routed.route).toBe('/scores/:id');

    const unrouted: RPCMetadata = { type: RPCType.HTTP, span: trace.getActiveSpan()! };
    const unroutedService = await serveIn(fastifyHandler(app), testConfig(), setRPCMetadata(context.active(), unrouted));
    expect((await fetch(`http://127.0.0.1:${unroutedService.port}/nowhere`)).status).toBe(404);
    expect(unrouted.route).toBeUndefined();
  });
});
