import { canonicalService, tracingServiceName } from '../../k8s/labels.js';
import type { Hop } from '../hop.js';
import type { StoredSpan } from './store.js';

/** Istio's defaults for the mesh and cluster ids that its tracing custom tags carry (values.global.meshID, clusterName). */
const MESH_ID = 'cluster.local';
const CLUSTER_ID = 'Kubernetes';

/**
 * The span a proxy's Envoy reports for one hop under Istio, every tag a string as Envoy's tracers set them
 * (Span::setTag takes a string; source/extensions/tracers/opentelemetry/tracer.cc): a client span (sidecar outbound and gateway listeners are
 * egress) named by the route's decorator, with the tags Envoy's HTTP tracer sets (source/common/tracing/
 * http_tracer_impl.cc finalizeDownstreamSpan, tracer_impl.cc finalizeSpan) and the custom tags pilot adds
 * (pilot/pkg/networking/core/tracing.go buildServiceTags).
 */
export function proxySpanOf(hop: Hop): StoredSpan {
  const { source } = hop;
  const service = tracingServiceName(source.labels, source.workload, source.namespace);
  const canonical = canonicalService(source.labels, source.workload);
  return {
    traceId: hop.span.traceId,
    spanId: hop.span.spanId,
    parentSpanId: hop.span.parentSpanId,
    service,
    operation: hop.operation,
    startUs: Math.round(hop.startedAt * 1000),
    durationUs: Math.round(hop.durationMs * 1000),
    kind: 'client',
    tags: {
      component: 'proxy',
      node_id: hop.nodeId,
      'guid:x-request-id': hop.requestId,
      'http.url': `http://${hop.authority}${hop.path}`,
      'http.method': hop.method,
      downstream_cluster: '-',
      user_agent: hop.userAgent ?? '-',
      'http.protocol': 'HTTP/1.1',
      'peer.address': '127.0.0.1',
      request_size: String(hop.requestBodyBytes),
      response_size: String(hop.responseBodyBytes),
      ...(hop.pod?.port !== undefined ? { upstream_address: `127.0.0.1:${hop.pod.port}` } : {}),
      ...(hop.upstreamCluster ? { upstream_cluster: hop.upstreamCluster, 'upstream_cluster.name': hop.upstreamCluster } : {}),
      'http.status_code': String(hop.status),
      response_flags: hop.flag ?? '-',
      ...(hop.status >= 500 || hop.status === 0 ? { error: 'true' } : {}),
      'istio.canonical_revision': canonical.revision,
      'istio.canonical_service': canonical.service,
      'istio.mesh_id': MESH_ID,
      'istio.namespace': source.namespace,
      'istio.cluster_id': CLUSTER_ID,
    },
    process: { 'service.name': service },
  };
}
