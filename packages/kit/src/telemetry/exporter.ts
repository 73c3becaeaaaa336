import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ConsoleSpanExporter, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { eventLoopLookup } from '../dns-lookup.js';

export type TracesExporter = 'otlp' | 'jaeger' | 'console' | 'none';

/**
 * The span exporter named by the standard OTEL_TRACES_EXPORTER: `otlp` (the default when OTEL_EXPORTER_OTLP_ENDPOINT
 * is set; Jaeger v2 ingests it), `jaeger` (Jaeger v1 collectors; built here because the SDK no longer maps that
 * value), `console`, or `none`. The exporters read their own standard variables (endpoints, headers). The Jaeger
 * exporter and its Thrift codec are loaded only when chosen: every pod would otherwise carry them.
 */
export async function traceExporterFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<SpanExporter | undefined> {
  const chosen = (env.OTEL_TRACES_EXPORTER?.split(',')[0]?.trim() || (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? 'otlp' : 'none')) as string;
  switch (chosen) {
    case 'otlp':
      return new OTLPTraceExporter({
        url: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? `${(env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://localhost:4318').replace(/\/$/, '')}/v1/traces`,
        // The exporter's own default is keepAlive; its lookup stays off the thread pool a stopping pod must join.
        httpAgentOptions: { keepAlive: true, lookup: eventLoopLookup() },
      });
    case 'jaeger': {
      const { JaegerExporter } = await import('@opentelemetry/exporter-jaeger');
      return new JaegerExporter(env.OTEL_EXPORTER_JAEGER_ENDPOINT ? { endpoint: env.OTEL_EXPORTER_JAEGER_ENDPOINT } : {});
    }
    case 'console':
      return new ConsoleSpanExporter();
    case 'none':
      return undefined;
    default:
      throw new Error(`OTEL_TRACES_EXPORTER=${chosen} is not one of otlp, jaeger, console, none`);
  }
}
