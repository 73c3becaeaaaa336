/** One span as the built-in collector keeps it: what Jaeger's query API and the analysis need. */
export interface StoredSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  service: string;
  operation: string;
  /** Microseconds since the epoch, as Jaeger counts. */
  startUs: number;
  durationUs: number;
  tags: Record<string, string | number | boolean>;
  /** Attributes of the process (resource): service.version, k8s.namespace.name… */
  process: Record<string, string | number | boolean>;
}

/** Jaeger's JSON shapes (jaeger-query's /api/traces), which the viewer, the analysis and real Jaeger share. */
export interface JaegerTag {
  key: string;
  type: 'string' | 'int64' | 'float64' | 'bool';
  value: string | number | boolean;
}
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: 'CHILD_OF' | 'FOLLOWS_FROM'; traceID: string; spanID: string }[];
  startTime: number;
  duration: number;
  tags: JaegerTag[];
  logs: unknown[];
  processID: string;
  warnings: string[] | null;
}
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: JaegerTag[] }>;
  warnings: string[] | null;
}

function tag(key: string, value: string | number | boolean): JaegerTag {
  const type = typeof value === 'boolean' ? 'bool' : typeof value === 'number' ? (Number.isInteger(value) ? 'int64' : 'float64') : 'string';
  return { key, type, value };
}

/**
 * The last `capacity` traces, in the order they were first seen: memory stays bounded however long the talk runs.
 */
export class TraceStore {
  private readonly traces = new Map<string, StoredSpan[]>();

  constructor(readonly capacity = 1000) {}

  add(spans: StoredSpan[]): void {
    for (const span of spans) {
      let trace = this.traces.get(span.traceId);
      if (!trace) {
        this.traces.set(span.traceId, (trace = []));
        if (this.traces.size > this.capacity) this.traces.delete(this.traces.keys().next().value!);
      }
      trace.push(span);
    }
  }

  services(): string[] {
    const names = new Set<string>();
    for (const spans of this.traces.values()) for (const span of spans) names.add(span.service);
    return [...names].sort();
  }

  get(traceId: string): JaegerTrace | undefined {
    const spans = this.traces.get(traceId.toLowerCase());
    return spans ? toJaeger(traceId.toLowerCase(), spans) : undefined;
  }

  /** Newest first: traces with a span of `service` (any, if omitted) that started within `lookbackMs`. */
  find(query: { service?: string | undefined; limit: number; lookbackMs: number; now?: number }): JaegerTrace[] {
    const since = ((query.now ?? Date.now()) - query.lookbackMs) * 1000;
    const found: JaegerTrace[] = [];
    for (const [id, spans] of [...this.traces].reverse()) {
      if (found.length >= query.limit) break;
      if (query.service && !spans.some((s) => s.service === query.service)) continue;
      if (Math.min(...spans.map((s) => s.startUs)) < since) continue;
      found.push(toJaeger(id, spans));
    }
    return found;
  }
}

export function toJaeger(traceId: string, spans: StoredSpan[]): JaegerTrace {
  const processes: JaegerTrace['processes'] = {};
  const processIds = new Map<string, string>();
  const jaegerSpans = [...spans]
    .sort((a, b) => a.startUs - b.startUs)
    .map((span): JaegerSpan => {
      const processKey = JSON.stringify([span.service, span.process]);
      let processID = processIds.get(processKey);
      if (!processID) {
        processID = `p${processIds.size + 1}`;
        processIds.set(processKey, processID);
        processes[processID] = { serviceName: span.service, tags: Object.entries(span.process).map(([k, v]) => tag(k, v)) };
      }
      return {
        traceID: traceId,
        spanID: span.spanId,
        operationName: span.operation,
        references: span.parentSpanId ? [{ refType: 'CHILD_OF', traceID: traceId, spanID: span.parentSpanId }] : [],
        startTime: span.startUs,
        duration: span.durationUs,
        tags: Object.entries(span.tags).map(([k, v]) => tag(k, v)),
        logs: [],
        processID,
        warnings: null,
      };
    });
  return { traceID: traceId, spans: jaegerSpans, processes, warnings: null };
}
