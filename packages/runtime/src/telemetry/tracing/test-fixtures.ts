import type { JaegerSpan, JaegerTrace } from './store.js';

/** Builds traces in Jaeger's shape for the tracing tests: spans by service, times in microseconds. */
export class TraceBuilder {
  private readonly spans: JaegerSpan[] = [];
  private readonly processes: JaegerTrace['processes'] = {};
  private next = 1;

  constructor(readonly traceID = 'abc0000000000000000000000000cdef') {}

  span(service: string, operation: string, startUs: number, durationUs: number, parent?: string, tags: Record<string, string | number | boolean> = {}): string {
    const spanID = (this.next++).toString(16).padStart(16, '0');
    const processID = `p-${service}`;
    this.processes[processID] ??= { serviceName: service, tags: [] };
    this.spans.push({
      traceID: this.traceID,
      spanID,
      operationName: operation,
      references: parent ? [{ refType: 'CHILD_OF', traceID: this.traceID, spanID: parent }] : [],
      startTime: startUs,
      duration: durationUs,
      tags: Object.entries(tags).map(([key, value]) => ({ key, type: typeof value === 'boolean' ? 'bool' : typeof value === 'number' ? 'int64' : 'string', value })),
      logs: [],
      processID,
      warnings: null,
    });
    return spanID;
  }

  /** A call as the mesh traces it: the caller's client span, its proxy's span, the callee's server span. */
  call(caller: string, callee: string, path: string, startUs: number, durationUs: number, parent: string, status = 200): string {
    const client = this.span(caller, `${callee} GET ${path}`, startUs, durationUs, parent, { 'span.kind': 'client', 'peer.service': callee, 'http.response.status_code': status, ...(status >= 400 ? { error: true } : {}) });
    const proxy = this.span(`${caller}.base`, `${callee}.base.svc.cluster.local:7000/*`, startUs + 100, durationUs - 200, client, { 'span.kind': 'client', component: 'proxy', 'http.status_code': status });
    return this.span(callee, `GET ${path}`, startUs + 200, durationUs - 400, proxy, { 'span.kind': 'server', 'http.status_code': status });
  }

  build(): JaegerTrace {
    return { traceID: this.traceID, spans: [...this.spans].reverse(), processes: this.processes, warnings: null };
  }
}

/**
 * Mall v1's page for an unknown user: users (404), recommend (products, then scores once per product), discount
 * (products), one after another, each service with its simulated work first; a few microseconds between one call's end and the next's start.
 */
export function mallV1Trace(): JaegerTrace {
  const t = new TraceBuilder();
  const gateway = t.span('istio-ingressgateway.istio-system', 'mall.base.svc.cluster.local:7000/*', 0, 100_000, undefined, { component: 'proxy' });
  const mall = t.span('mall', 'GET /api/mall', 100, 99_800, gateway, { 'span.kind': 'server' });
  t.span('mall', 'simulated work', 100, 9_950, mall);
  t.call('mall', 'users', '/users', 10_100, 10_000, mall, 404);
  const recommend = t.call('mall', 'recommend', '/recommend', 20_150, 50_000, mall);
  t.span('recommend', 'simulated work', 20_350, 4_900, recommend);
  t.call('recommend', 'products', '/products', 25_300, 6_000, recommend);
  for (let i = 0; i < 6; i++) t.call('recommend', 'scores', '/scores', 31_350 + i * 6_050, 6_000, recommend);
  const discount = t.call('mall', 'discount', '/discount', 70_200, 29_000, mall);
  t.call('discount', 'products', '/products', 75_000, 24_000, discount);
  return t.build();
}
