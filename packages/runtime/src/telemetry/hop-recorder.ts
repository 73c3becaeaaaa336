import type { AccessLog } from './access-log.js';
import type { Hop } from './hop.js';
import type { MeshMetrics } from './metrics.js';
import { topologyHopOf, type TopologyRecorder } from './topology.js';
import { proxySpanOf } from './tracing/proxy-span.js';
import type { TraceStore } from './tracing/store.js';

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
    this.metrics.record(hop);
    this.topology.record(topologyHopOf(hop));
    // Envoy reports the span only when the request is sampled (Span::finishSpan).
    if (hop.span.sampled) this.traces.add([proxySpanOf(hop)]);
  }
}
