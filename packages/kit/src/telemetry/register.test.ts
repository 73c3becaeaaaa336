import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startStub, type Stub } from '../testing.js';

/**
 * `node --import @mesh-mall/kit/telemetry`: the preload names the service from its environment, as a pod sets it,
 * and starts the SDK. Each test loads it afresh, as a new process would.
 */

const stubs: Stub[] = [];
/** The SDK module the last preload started (each load brings its own). */
let sdk: typeof import('./sdk.js') | undefined;
afterEach(async () => {
  await sdk?.shutdownTelemetry();
  for (const api of [trace, propagation, context, metrics]) api.disable();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});

/** Loads the preload with `env`, records one span, stops, and hands back what the collector received. */
async function preloadWith(env: Record<string, string>): Promise<string> {
  const stub = await startStub(() => ({ body: {} }));
  stubs.push(stub);
  for (const name of ['OTEL_SERVICE_NAME', 'APP_VERSION', 'POD_NAMESPACE', 'OTEL_TRACES_EXPORTER', 'TRACE_DETAIL']) vi.stubEnv(name, '');
  for (const [name, value] of Object.entries({ OTEL_EXPORTER_OTLP_ENDPOINT: stub.url, ...env })) vi.stubEnv(name, value);
  vi.resetModules();
  await import('./register.js');
  sdk = await import('./sdk.js');
  trace.getTracer('test').startSpan('preloaded').end();
  await sdk.shutdownTelemetry();
  expect(stub.requests.map((r) => r.url)).toEqual(['/v1/traces']);
  return stub.requests[0]!.body;
}

describe('the telemetry preload', () => {
  it('names the service by OTEL_SERVICE_NAME, its version by APP_VERSION, its namespace by POD_NAMESPACE', async () => {
    const sent = await preloadWith({ OTEL_SERVICE_NAME: 'mall-preloaded', APP_VERSION: 'v2', POD_NAMESPACE: 'jason-lane' });
    for (const text of ['mall-preloaded', 'v2', 'jason-lane']) expect(sent).toContain(text);
  });

  it('names the service by its folder without OTEL_SERVICE_NAME, version v1 and namespace default without theirs', async () => {
    vi.spyOn(process, 'argv', 'get').mockReturnValue(['node', '/app/services/favorites-folder/dist/main.js']);
    const sent = await preloadWith({});
    // The attribute itself: the process resource's command line carries the folder too.
    expect(sent).toMatch(/service\.name\x12\x12\n\x10favorites-folder/);
    expect(sent).toMatch(/service\.version\x12\x04\n\x02v1/);
    expect(sent).toMatch(/k8s\.namespace\.name\x12\t\n\x07default/);
  });

  it('names the service "unknown" when nothing names it', async () => {
    vi.spyOn(process, 'argv', 'get').mockReturnValue(['node']);
    const sent = await preloadWith({});
    expect(sent).toMatch(/service\.name\x12\t\n\x07unknown/);
  });
});
