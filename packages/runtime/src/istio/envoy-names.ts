import type { HttpMatch, RouteDestination } from '../api/istio-schemas.js';
import type { ServiceTarget } from '../k8s/service-registry.js';

// The names pilot gives what it builds, which Envoy then reports in its spans, access logs and stats.

/** An Envoy cluster pilot builds for a Service: its name, and the port in it. */
export interface OutboundCluster {
  name: string;
  port: number;
}

/**
 * Envoy's cluster for a destination, `outbound|<port>|<subset>|<host>`: the destination's port, else the Service's
 * only port, else the port the request came in on (pilot route.go GetDestinationCluster; model.BuildSubsetKey).
 */
export function outboundCluster(target: ServiceTarget, subset: string | undefined, destinationPort: number | undefined, listenerPort: number): OutboundCluster {
  const ports = target.service.spec.ports;
  const port = destinationPort ?? (ports.length === 1 ? ports[0]!.port : listenerPort);
  return { name: `outbound|${port}|${subset ?? ''}|${target.fqdn}`, port };
}

/** The default route's decorator for a Service: `<host>:<port>/*` (pilot telemetry.go TraceOperation). */
export function serviceOperation(fqdn: string, port: number): string {
  return `${fqdn}:${port}/*`;
}

/**
 * A VirtualService route's decorator, which names the proxy's span (pilot route.go GetRouteOperation): the matched
 * path (`<prefix>*`, the exact path, or the regex; `/*` without a uri match) after `<host>:<port>` of its one
 * destination's cluster, or after `<virtualservice name>:<listener port>` when weights split it over several or it
 * has none (a redirect, a direct response).
 */
export function routeOperation(
  route: { destinations: readonly RouteDestination[]; virtualService: string },
  matched: HttpMatch | undefined,
  chosen: { target: ServiceTarget; cluster: OutboundCluster } | undefined,
  listenerPort: number,
): string {
  const uri = matched?.uri;
  const path = uri?.prefix !== undefined ? `${uri.prefix}*` : (uri?.exact ?? uri?.regex ?? '/*');
  if (route.destinations.length === 1 && chosen) return `${chosen.target.fqdn}:${chosen.cluster.port}${path}`;
  return `${route.virtualService}:${listenerPort}${path}`;
}

/** The name of a span with no route to take its decorator from: `egress <host>` (Envoy tracer_impl.cc startSpan). */
export function unroutedOperation(authority: string): string {
  return `egress ${authority}`;
}
