import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startStub, type Stub } from '../testing.js';
import { FLUSH_BUDGET_MS, shutdownTelemetry, startTelemetry } from './sdk.js';

/** The kit's OpenTelemetry set-up as a service starts it, its spans sent to a stub collector. */

const stubs: Stub[] = [];
afterEach(async () => {
  await shutdownTelemetry();
  // A process starts its telemetry once; each test here is such a process, so the global registrations go too.
  for (const api of [trace, propagation, context, metrics, logs]) api.disable();
  vi.unstubAllEnvs();
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});

async function collector(delayMs = 0): Promise<Stub> {
  const stub = await startStub(() => ({ body: {}, delayMs }));
  stubs.push(stub);
  return stub;
}

/** The SDK reads some variables itself, so they are set on the process as a pod's environment would set them. */
function environment(env: Record<string, string>): Record<string, string> {
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  return env;
}

describe('the kit’s telemetry', () => {
  it('sends the service’s spans, named by service, version and namespace, when it stops, and no metrics', async () => {
    const stub = await collector();
    const env = environment({ OTEL_EXPORTER_OTLP_ENDPOINT: stub.url });
    await startTelemetry({ serviceName: 'scores-test', serviceVersion: 'v3', namespace: 'lane-fox', env });
    trace.getTracer('test').startSpan('unit of work').end();
    // A metric recorded is not exported: the mesh's metrics are the proxies'.
    metrics.getMeter('test').createCounter('work_done').add(1);
    await shutdownTelemetry();
    expect(stub.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /v1/traces']);
    const body = stub.requests[0]!.body;
    for (const text of ['unit of work', 'service.name', 'scores-test', 'service.version', 'v3', 'k8s.namespace.name', 'lane-fox']) expect(body).toContain(text);
  });

  it('exports no log records unless OTEL_LOGS_EXPORTER asks for them', async () => {
    const stub = await collector();
    const env = environment({ OTEL_EXPORTER_OTLP_ENDPOINT: stub.url });
    await startTelemetry({ serviceName: 'logs-test', serviceVersion: 'v1', namespace: 'default', env });
    logs.getLogger('test').emit({ body: 'a log record' });
    trace.getTracer('test').startSpan('unit of work').end();
    await shutdownTelemetry();
    expect(stub.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /v1/traces']);
  });

  it('propagates W3C trace context, baggage and B3 multi-header (what Envoy reads)', async () => {
    await startTelemetry({ serviceName: 's', serviceVersion: 'v1', namespace: 'default', env: environment({ OTEL_TRACES_EXPORTER: 'none' }) });
    expect(propagation.fields()).toEqual(['traceparent', 'tracestate', 'baggage', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-flags', 'x-b3-sampled', 'x-b3-parentspanid']);
  });

  it('starts once: a second start, even one begun while the first is under way, keeps the first', async () => {
    const first = await collector();
    const second = await collector();
    await Promise.all([
      startTelemetry({ serviceName: 'first', serviceVersion: 'v1', namespace: 'default', env: environment({ OTEL_EXPORTER_OTLP_ENDPOINT: first.url }) }),
      startTelemetry({ serviceName: 'second', serviceVersion: 'v1', namespace: 'default', env: { OTEL_EXPORTER_OTLP_ENDPOINT: second.url } }),
    ]);
    await startTelemetry({ serviceName: 'third', serviceVersion: 'v1', namespace: 'default', env: { OTEL_EXPORTER_OTLP_ENDPOINT: second.url } });
    trace.getTracer('test').startSpan('once').end();
    await shutdownTelemetry();
    expect(first.requests).toHaveLength(1);
    expect(first.requests[0]!.body).toContain('first');
    expect(second.requests).toEqual([]);
  });

  it('stops at once when it was never started, or was stopped already', async () => {
    const started = performance.now();
    await shutdownTelemetry();
    await shutdownTelemetry();
    expect(performance.now() - started).toBeLessThan(100);
  });

  it(`gives a collector that does not answer ${FLUSH_BUDGET_MS} ms, and stops without it`, async () => {
    expect(FLUSH_BUDGET_MS).toBe(2_000);
    const silent = await collector(60_000);
    await startTelemetry({ serviceName: 's', serviceVersion: 'v1', namespace: 'default', env: environment({ OTEL_EXPORTER_OTLP_ENDPOINT: silent.url }) });
    trace.getTracer('test').startSpan('stuck').end();
    const started = performance.now();
    await shutdownTelemetry();
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(FLUSH_BUDGET_MS - 5);
    expect(elapsed).toBeLessThan(FLUSH_BUDGET_MS + 1_500);
  });

  it('refuses a TRACE_DETAIL it does not know', async () => {
    await expect(startTelemetry({ serviceName: 's', serviceVersion: 'v1', namespace: 'default', env: { TRACE_DETAIL: 'everything' } })).rejects.toThrow('TRACE_DETAIL=everything is not one of calls, full');
  });
});
