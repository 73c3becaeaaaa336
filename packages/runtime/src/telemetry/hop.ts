import type { Pod, SourceIdentity } from '../k8s/identity.js';
import type { ServiceTarget } from '../k8s/service-registry.js';

/** Everything known about one hop through a proxy once it has ended: what the access log, metrics, topology and traces read. */
export interface Hop {
  source: SourceIdentity;
  target: ServiceTarget | undefined;
  pod: Pod | undefined;
  routeName: string | undefined;
  /** The route's decorator, Envoy's name for the proxy's span (`recommend.base.svc.cluster.local:7000/*`). */
  operation: string;
  /** Envoy's cluster the request was sent to (`outbound|7000||recommend.base.svc.cluster.local`); unset without a route. */
  upstreamCluster: string | undefined;
  /**
   * The Service of that cluster (pilot puts it in the cluster's metadata, cluster_builder.go addTelemetryMetadata):
   * where the route sent the request, which may differ from `target`, the Service the caller named.
   */
  upstreamService: ServiceTarget | undefined;
  /** The proxy's Envoy node id: `sidecar~<ip>~<pod>.<namespace>~<namespace>.svc.cluster.local` (`router~…` for a gateway). */
  nodeId: string;
  method: string;
  /** The authority the caller asked for (Host), as Envoy's `:authority`. */
  authority: string;
  path: string;
  status: number;
  flag: string | undefined;
  attempts: number;
  startedAt: number;
  durationMs: number;
  requestId: string;
  endUser: string | undefined;
  userAgent: string | undefined;
  reason: string | undefined;
  /** Body bytes received from the caller and sent back to it (Envoy's bytesReceived / bytesSent). */
  requestBodyBytes: number;
  responseBodyBytes: number;
  /** Header bytes, names and values (Envoy's HeaderMap::byteSize), of the request as received and the response as sent. */
  requestHeaderBytes: number;
  responseHeaderBytes: number;
  /**
   * The request reached `pod` in plain text: its PeerAuthentication mode is DISABLE. Unset or false: mutual TLS (every
   * local caller has a sidecar, so STRICT and PERMISSIVE alike).
   */
  plainText?: boolean;
  /** The proxy's own span, as Envoy records one per hop. */
  span: { traceId: string; spanId: string; parentSpanId: string | undefined; sampled: boolean };
}

/** Whether the hop went through the ingress gateway (an Envoy `router` node) rather than a sidecar. */
export function viaGateway(hop: Pick<Hop, 'nodeId'>): boolean {
  return hop.nodeId.startsWith('router~');
}
