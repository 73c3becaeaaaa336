import { vi } from 'vitest';
import { startStub, type Stub } from '../testing.js';

/**
 * A kit service traced as a pod runs it (`node --import @mesh-mall/kit/telemetry`): the preload with `env`, then the
 * kit loaded afresh so that the instrumentations see it load; one business request that calls a downstream, one
 * liveness and one readiness probe. Resolves with the bytes the collector received (OTLP protobuf, whose strings are
 * readable as they are) and the downstream request's headers.
 */
export async function tracedService(env: Record<string, string>): Promise<{ exported: string; downstream: Record<string, unknown> }> {
  const stubs: Stub[] = [await startStub(() => ({ body: {} })), await startStub(() => ({ body: { ok: true } }))];
  const [collector, downstream] = stubs as [Stub, Stub];
  try {
    for (const [name, value] of Object.entries({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SERVICE_NAME: 'traced', ...env })) vi.stubEnv(name, value);
    vi.resetModules();
    await import('../telemetry/register.js');
    const { shutdownTelemetry } = await import('../telemetry/sdk.js');
    const { startService } = await import('../server.js');
    const { expressApp } = await import('../express.js');
    const { ServiceClient } = await import('../http-client.js');
    const { silentLogger, testConfig } = await import('../testing.js');
    const client = new ServiceClient('stub', { baseUrl: downstream.url, timeoutMs: 2_000 });
    const app = expressApp(silentLogger, (a) => a.get('/things/:id', async (_req, res) => void res.json(await client.call('GET', '/downstream', { schema: (await import('zod')).z.unknown() }))));
    const running = await startService({ config: testConfig(), logger: silentLogger, handler: app, handleSignals: false });
    for (const path of ['/things/7', '/healthz', '/readyz']) await (await fetch(`http://127.0.0.1:${running.port}${path}`)).text();
    await running.shutdown('test');
    await shutdownTelemetry();
    return { exported: collector.requests.map((r) => r.body).join(''), downstream: downstream.requests[0]!.headers };
  } finally {
    await Promise.all(stubs.map((s) => s.close()));
    vi.unstubAllEnvs();
  }
}
