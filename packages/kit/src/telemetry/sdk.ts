import { FastifyOtelInstrumentation } from '@fastify/otel';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { traceDetail, type TraceDetail } from './detail.js';
import { traceExporterFromEnv } from './exporter.js';

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion: string;
  namespace: string;
  env?: NodeJS.ProcessEnv;
}

let sdk: NodeSDK | undefined;

/** The instrumentations for a level of detail (detail.ts): http server spans and mongodb calls always. */
function instrumentationsFor(detail: TraceDetail): NonNullable<ConstructorParameters<typeof NodeSDK>[0]>['instrumentations'] {
  // Probes are not the shop's traffic.
  const http = new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => req.url === '/healthz' || req.url === '/readyz' });
  if (detail === 'calls') {
    return [
      http,
      // No layer spans; the instrumentation still names the server span by its route (it sets the RPC metadata's
      // route before it checks whether a layer is ignored), as the kit's fastify hook does for fastify.
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER, ExpressLayerType.REQUEST_HANDLER] }),
      new MongoDBInstrumentation(),
    ];
  }
  return [
    http,
    // Body parsing and context re-entry are the kit's plumbing: a span each on every hop would tell nothing.
    new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
    new FastifyOtelInstrumentation({ registerOnInitialization: true }),
    new UndiciInstrumentation(),
    new MongoDBInstrumentation(),
  ];
}

/**
 * Starts OpenTelemetry for this process: resource (service.name, service.version = APP_VERSION,
 * k8s.namespace.name), the instrumentations TRACE_DETAIL asks for (detail.ts), and propagation of W3C trace context, baggage and B3 multi-header (what Envoy reads). Spans go to the exporter
 * OTEL_TRACES_EXPORTER names; with none, context still propagates. Metrics and logs are exported only when
 * OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER ask for them: the SDK's default for both is OTLP, which a Jaeger
 * collector answers with 404, and the mesh's metrics are the proxies' (Istio's) anyway.
 */
export async function startTelemetry(options: TelemetryOptions): Promise<void> {
  // Stryker disable next-line ConditionalExpression: only spares making an exporter: the check after the await keeps the first SDK all the same
  if (sdk) return;
  const env = options.env ?? process.env;
  const exporter = await traceExporterFromEnv(env);
  if (sdk) return;
  sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      [ATTR_SERVICE_VERSION]: options.serviceVersion,
      'k8s.namespace.name': options.namespace,
    }),
    spanProcessors: exporter ? [new BatchSpanProcessor(exporter)] : [],
    // Left undefined, the SDK reads the variable itself; an empty list turns the signal off.
    ...(env.OTEL_METRICS_EXPORTER ? {} : { metricReaders: [] }),
    ...(env.OTEL_LOGS_EXPORTER ? {} : { logRecordProcessors: [] }),
    textMapPropagator: new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator(), new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER })],
    }),
    instrumentations: instrumentationsFor(traceDetail(env)),
  });
  sdk.start();
}

/** How long shutdown waits to send buffered spans: a collector that is gone must not hold the exit. */
export const FLUSH_BUDGET_MS = 2000;

/** Sends what is buffered (within FLUSH_BUDGET_MS) and stops; part of the kit's graceful shutdown. */
export async function shutdownTelemetry(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  if (!running) return;
  await Promise.race([running.shutdown().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, FLUSH_BUDGET_MS).unref())]);
}
