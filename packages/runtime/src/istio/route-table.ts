import type { HttpMatch, HttpRoute, RouteDestination, TrafficPolicy } from '../api/istio-schemas.js';
import type { ServiceTarget } from '../k8s/service-registry.js';
import type { RequestFacts, RequestMatcher } from './match.js';

// The translated configuration the proxies look up per request; built by compile.ts when configuration changes.

/** Where a routed request goes: a Service, or one subset of it, with the DestinationRule policy for it. */
export interface UpstreamRef {
  target: ServiceTarget;
  subset: string | undefined;
  labels: Record<string, string>;
  policy: TrafficPolicy;
  /** Names the upstream (Envoy's cluster) across configurations: `<fqdn>|<subset>`. */
  key: string;
}

/** A destination that cannot be sent to, and why (the proxy answers 503 NC). */
export interface Unresolved {
  reason: string;
}

export type Resolution = UpstreamRef | Unresolved;

/** A route's retry policy, its `retryOn` parsed. */
export interface RetryPolicy {
  attempts: number;
  perTryTimeout?: number | undefined;
  /** The named conditions. */
  retryOn: ReadonlySet<string>;
  /** Status codes named in retryOn (Envoy's retriable_status_codes). */
  statusCodes: ReadonlySet<number>;
}

/** One http route of a VirtualService, translated once for every caller. */
export interface CompiledRoute {
  /** `<route name>`, or `<virtualservice>.<namespace>#<index>` when the route has no name. */
  name: string;
  spec: HttpRoute;
  /** Empty: the route matches every request. */
  matches: readonly { match: HttpMatch; test: RequestMatcher }[];
  retry: RetryPolicy;
  /**
   * Translated from an HTTPRoute: a destination that names no Service answers 500, not 503 (pilot route.go sets
   * cluster_not_found_response_code under Gateway semantics), and a PathPrefix is Envoy's path_separated_prefix.
   */
  gatewaySemantics: boolean;
  /** The index in `spec.route` of the next request's destination, by weight. */
  pickDestination(): number;
}

/** A route with its destinations resolved for one caller namespace (DestinationRules depend on who calls). */
export interface ResolvedRoute {
  route: CompiledRoute;
  destinations: readonly Resolution[];
  mirror: Resolution | undefined;
}

/** What one host means to one caller: a VirtualService's routes, or the Service itself when none routes it. */
export interface VirtualHost {
  /** The Service the caller named; undefined at the ingress, where the host is the Gateway's. */
  target: ServiceTarget | undefined;
  virtualService: { namespace: string; name: string } | undefined;
  routes: readonly ResolvedRoute[];
  /** Set when no VirtualService routes the host: the Service's own endpoints, as kube-proxy would send. */
  passthrough: UpstreamRef | undefined;
  /**
   * The Service's own default route, for a caller none of whose VirtualService routes apply (pilot drops, per proxy,
   * the matches whose sourceLabels, sourceNamespace or port cannot fit it; a VirtualService left with no route is not
   * used: route.go buildSidecarVirtualHostsForVirtualService). Undefined at the ingress.
   */
  fallback?: UpstreamRef | undefined;
}

/** The route a request took, with the destination its weights picked. */
export interface RouteChoice {
  route: CompiledRoute;
  destination: RouteDestination;
  upstream: Resolution;
  mirror: Resolution | undefined;
  /** The match condition that selected the route (a uri prefix in it is what rewrite.uri replaces). */
  matched: HttpMatch | undefined;
}

/**
 * Whether pilot would have dropped every match of every route for this caller: each match names a sourceLabels,
 * sourceNamespace or port the caller does not have (ignored in a match that names gateways).
 */
export function noRouteFor(host: VirtualHost, request: RequestFacts): boolean {
  const dropped = (match: HttpMatch) =>
    (!match.gateways && match.sourceLabels !== undefined && Object.entries(match.sourceLabels).some(([k, v]) => request.source.labels[k] !== v)) ||
    (!match.gateways && match.sourceNamespace !== undefined && match.sourceNamespace !== request.source.namespace) ||
    (match.port !== undefined && match.port !== request.port);
  return host.routes.length > 0 && host.routes.every(({ route }) => route.matches.length > 0 && route.matches.every(({ match }) => dropped(match)));
}

/** A route Envoy answers itself: a redirect, or a direct response (no destination to pick). */
export interface LocalReplyChoice {
  route: CompiledRoute;
  matched: HttpMatch | undefined;
  localReply: true;
}

/** Istio's rule order: the first route whose match list matches (or that has none) wins. */
export function chooseRoute(host: VirtualHost, request: RequestFacts): RouteChoice | LocalReplyChoice | undefined {
  for (const resolved of host.routes) {
    const { route } = resolved;
    const matched = route.matches.find((m) => m.test(request));
    if (route.matches.length > 0 && !matched) continue;
    if (route.spec.redirect || route.spec.directResponse) return { route, matched: matched?.match, localReply: true };
    const index = route.pickDestination();
    return { route, destination: route.spec.route[index]!, upstream: resolved.destinations[index]!, mirror: resolved.mirror, matched: matched?.match };
  }
  return undefined;
}
