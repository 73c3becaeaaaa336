import type { AccessLog } from './access-log.js';
import type { Pod, SourceIdentity } from '../k8s/identity.js';
import type { ServiceTarget } from '../k8s/service-registry.js';
import type { MeshMetrics } from './metrics.js';
import type { TopologyRecorder } from './topology.js';
import type { TraceStore } from './tracing/store.js';

/** Everything known about one hop through a proxy once it has ended. */
export interface Hop {
  source: SourceIdentity;
  target: ServiceTarget | undefined;
  pod: Pod | undefined;
  routeName: string | undefined;
  method: string;
  path: string;
  status: number;
  flag: string | undefined;
  attempts: number;
  startedAt: number;
  durationMs: number;
  requestId: string;
  endUser: string | undefined;
  reason: string | undefined;
  /** The proxy's own span, as Envoy records one per hop. */
  span: { traceId: string; spanId: string; parentSpanId: string | undefined };
}

/** Where each hop goes once it ends: the access log, Istio's metrics, the topology, and the trace store. */
export class HopRecorder {
  constructor(
    private readonly accessLog: AccessLog,
    private readonly metrics: MeshMetrics,
    private readonly topology: TopologyRecorder,
    private readonly traces: TraceStore,
  ) {}

  record(hop: Hop): void {
    const { source, target, pod } = hop;
    this.accessLog.write({
      source_namespace: source.namespace,
      source_workload: source.workload,
      destination_namespace: pod?.namespace,
      destination_workload: pod?.workload,
      destination_version: pod?.labels.version,
      destination_service: target?.fqdn,
      route_name: hop.routeName,
      method: hop.method,
      path: hop.path,
      status: hop.status,
      response_flags: hop.flag,
      attempts: hop.attempts,
      duration_ms: hop.durationMs,
      x_request_id: hop.requestId,
      end_user: hop.endUser,
      trace_id: hop.span.traceId,
      ...(hop.reason ? { reason: hop.reason } : {}),
    });
    this.metrics.record({ source, target, pod, status: hop.status, flag: hop.flag, durationMs: hop.durationMs });
    this.topology.record({
      source: { namespace: source.namespace, workload: source.workload, version: source.labels.version },
      destination: pod ? { namespace: pod.namespace, workload: pod.workload, version: pod.labels.version } : undefined,
      status: hop.status,
      durationMs: hop.durationMs,
      at: hop.startedAt,
    });
    this.traces.add([
      {
        traceId: hop.span.traceId,
        spanId: hop.span.spanId,
        parentSpanId: hop.span.parentSpanId,
        service: `${source.workload}.${source.namespace}`,
        operation: `${target?.fqdn ?? hop.routeName ?? 'unrouted'}/*`,
        startUs: Math.round(hop.startedAt * 1000),
        durationUs: Math.round(hop.durationMs * 1000),
        tags: {
          component: 'proxy',
          'span.kind': 'client',
          'http.method': hop.method,
          'http.url': hop.path,
          'http.status_code': hop.status,
          'upstream_cluster': pod ? `${pod.namespace}/${pod.workload}` : '-',
          'response_flags': hop.flag ?? '-',
          ...(hop.routeName ? { route_name: hop.routeName } : {}),
          ...(hop.endUser ? { end_user: hop.endUser } : {}),
          ...(hop.status >= 500 ? { error: true } : {}),
        },
        process: { 'service.name': `${source.workload}.${source.namespace}`, 'k8s.namespace.name': source.namespace },
      },
    ]);
  }
}
