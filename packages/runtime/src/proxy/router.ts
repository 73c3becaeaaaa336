import type { IncomingHttpHeaders } from 'node:http';
import type { Pod, SourceIdentity } from '../k8s/identity.js';
import { matchesLabels } from '../k8s/labels.js';
import { hostOf, portOf } from '../k8s/names.js';
import type { ServiceRegistry, ServiceTarget } from '../k8s/service-registry.js';
import { isAllowed } from '../istio/authorization.js';
import { DEFAULT_RETRY, MeshRoutes, type IngressIdentity } from '../istio/compile.js';
import type { RequestFacts } from '../istio/match.js';
import { outboundCluster, routeOperation, serviceOperation, type OutboundCluster } from '../istio/envoy-names.js';
import { MeshConfig } from '../istio/mesh-config.js';
import { chooseRoute, noRouteFor, type CompiledRoute, type Resolution, type RetryPolicy, type RouteChoice, type UpstreamRef, type VirtualHost } from '../istio/route-table.js';
import type { HeaderOperations, HttpMatch } from '../api/istio-schemas.js';
import { redirectLocation } from '../istio/rewrite.js';

export interface RouteRequest {
  authority: string;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** Envoy's response flags for answers the sidecar gives itself (RBAC denials set none: envoyproxy/envoy#21197). */
export type ResponseFlag = 'NR' | 'NC' | 'UH' | 'UF' | 'UC' | 'URX' | 'UT' | 'UO' | 'FI' | 'DI' | 'DC';
/** Envoy logs every flag that applies, comma-separated: `UF,URX` for a connect failure that used up the retries. */
export type ResponseFlags = ResponseFlag | `${ResponseFlag},${ResponseFlag}`;

export type RouteDecision =
  | { kind: 'reject'; status: number; flag: ResponseFlag | undefined; reason: string; target?: ServiceTarget }
  /** A route Envoy answers itself, with no upstream: a redirect (with its Location) or a direct response. */
  | {
      kind: 'reply';
      status: number;
      location: string | undefined;
      /** The route's response header operations, which Envoy applies to its own answers too (finalizeResponseHeaders). */
      responseHeaders: HeaderOperations | undefined;
      target: ServiceTarget | undefined;
      routeName: string;
      operation: string;
    }
  | {
      kind: 'route';
      target: ServiceTarget | undefined;
      /** The VirtualService route taken; undefined when no VirtualService routes the host. */
      choice: RouteChoice | undefined;
      retry: RetryPolicy;
      upstream: UpstreamRef;
      mirror: UpstreamRef | undefined;
      /** Envoy's cluster for the upstream, `outbound|<port>|<subset>|<host>`. */
      cluster: OutboundCluster;
      /** The route's decorator: what Envoy names the proxy's span. */
      operation: string;
    };

/**
 * The data plane's view of the mesh: looks each request up in the route tables compiled for its caller (MeshRoutes),
 * and lists the endpoints of the chosen upstream; each proxy picks among them with its own Clusters. A host no
 * VirtualService routes goes to its Service as kube-proxy would send it.
 */
export class Router {
  private routes: MeshRoutes;

  constructor(private readonly registry: ServiceRegistry) {
    this.routes = new MeshRoutes(new MeshConfig(), registry.snapshot());
  }

  /**
   * Translates an Istio configuration against the Services as they are now: called whenever either changes. Requests
   * already routed keep their decision.
   */
  configure(config: MeshConfig): void {
    this.routes = new MeshRoutes(config, this.registry.snapshot(), this.routes);
  }

  /** The tables in force, for `mesh-mall proxy-config routes`. */
  get tables(): MeshRoutes {
    return this.routes;
  }

  decide(request: RouteRequest, source: SourceIdentity, ingress?: IngressIdentity): RouteDecision {
    const port = portOf(request.authority);
    if (ingress) {
      const found = this.routes.ingress(ingress, source.namespace).lookup(hostOf(request.authority).toLowerCase());
      if ('reason' in found) return { kind: 'reject', status: 404, flag: 'NR', reason: found.reason };
      // At a gateway a match's port is the listener's (the gateway Service port), not the one in the Host header
      // (pilot route.go TranslateRouteMatch at gateways).
      return this.choose(found.host, this.facts(request, source, ingress.ports[0] ?? port, found.gateways), request.authority);
    }
    const host = this.routes.sidecar(source.namespace).lookup(request.authority);
    if ('reason' in host) return { kind: 'reject', status: 503, flag: 'NC', reason: host.reason, ...(host.target ? { target: host.target } : {}) };
    if (host.passthrough) return serviceRoute(host.passthrough, port);
    return this.choose(host, this.facts(request, source, port, MESH), request.authority);
  }

  /**
   * AuthorizationPolicy, enforced for `pod` (a destination, or the ingress gateway itself) as its proxy would. `source`
   * is undefined for a caller without a mesh identity.
   */
  authorize(pod: Pick<Pod, 'namespace' | 'labels'>, source: SourceIdentity | undefined, request: { method: string; url: string; host: string; headers: IncomingHttpHeaders }): boolean {
    const policies = this.routes.policiesFor(pod);
    // Stryker disable next-line ConditionalExpression: a shortcut: isAllowed of no policies allows as well, and plainText() has no effect
    if (policies.length === 0) return true;
    // Under PeerAuthentication DISABLE the caller's sidecar sends plain text: the destination knows no identity.
    const seen = this.plainText(pod) ? undefined : source;
    return isAllowed(policies, { source: seen, method: request.method, path: request.url.split('?', 1)[0]!, host: request.host, headers: request.headers });
  }

  private choose(host: VirtualHost, facts: RequestFacts, authority: string): RouteDecision {
    const { target, virtualService } = host;
    const choice = chooseRoute(host, facts);
    // Stryker disable next-line ConditionalExpression,LogicalOperator: only a gateway's host lacks a fallback, and its routes come pre-filtered by the same rules (compile.ts appliesAt), so noRouteFor is false there, as it is whenever a route was chosen
    if (!choice && host.fallback && noRouteFor(host, facts)) return serviceRoute(host.fallback, facts.port);
    // Stryker disable next-line OptionalChaining: a host with routes to choose from has its VirtualService (a host without one is passed through before)
    if (!choice) return { kind: 'reject', status: 404, flag: 'NR', reason: `no route of VirtualService ${virtualService?.namespace}/${virtualService?.name} matched`, ...(target ? { target } : {}) };
    if ('localReply' in choice) return localReply(choice.route, choice.matched, { target, virtualService: virtualService?.name ?? '' }, facts, authority);
    // Under Gateway semantics a backend with no cluster answers 500 (the Gateway API's "invalid backend" rule).
    if (isUnresolved(choice.upstream)) return { kind: 'reject', status: choice.route.gatewaySemantics ? 500 : 503, flag: 'NC', reason: choice.upstream.reason, ...(target ? { target } : {}) };
    const mirror = choice.mirror && !isUnresolved(choice.mirror) ? choice.mirror : undefined;
    const { upstream } = choice;
    const cluster = outboundCluster(upstream.target, upstream.subset, choice.destination.destination.port?.number, facts.port);
    const operation = routeOperation(
      // Stryker disable next-line OptionalChaining,StringLiteral: a chosen route always comes from a VirtualService: the fallback is never used
      { destinations: choice.route.spec.route, virtualService: virtualService?.name ?? '' },
      choice.matched,
      { target: upstream.target, cluster },
      facts.port,
    );
    return { kind: 'route', target: target ?? upstream.target, choice, retry: choice.route.retry, upstream, mirror, cluster, operation };
  }

  /** Whether requests reach `pod` in plain text (its PeerAuthentication mode is DISABLE). */
  plainText(pod: Pick<Pod, 'namespace' | 'labels'>): boolean {
    return this.routes.plainText(pod);
  }

  /** The ready pods of an upstream: its Service's endpoints, narrowed to the subset's labels (Envoy's EDS). */
  endpointsOf(upstream: UpstreamRef): Pod[] {
    return this.registry.endpoints(upstream.target).filter((pod) => matchesLabels(pod.labels, upstream.labels));
  }

  private facts(request: RouteRequest, source: SourceIdentity, port: number, gateways: ReadonlySet<string>): RequestFacts {
    return { method: request.method, url: request.url, headers: request.headers, port, source, gateways };
  }
}

/** A redirect or direct response (pilot route.go ApplyRedirect, HTTPDirectResponse), named as its route. */
function localReply(route: CompiledRoute, matched: HttpMatch | undefined, at: { target: ServiceTarget | undefined; virtualService: string }, facts: RequestFacts, authority: string): RouteDecision {
  const { redirect, directResponse } = route.spec;
  const location = redirect ? redirectLocation(redirect, { authority, url: facts.url, port: facts.port }, matched) : undefined;
  const operation = routeOperation({ destinations: [], virtualService: at.virtualService }, matched, undefined, facts.port);
  return { kind: 'reply', status: redirect?.status ?? directResponse!.status, location, responseHeaders: route.spec.headers?.response, target: at.target, routeName: route.name, operation };
}

/** A Service's own default route: no VirtualService applies (pilot route.go buildSidecarVirtualHostForService). */
function serviceRoute(upstream: UpstreamRef, port: number): RouteDecision {
  const cluster = outboundCluster(upstream.target, undefined, undefined, port);
  const operation = serviceOperation(upstream.target.fqdn, cluster.port);
  return { kind: 'route', target: upstream.target, choice: undefined, retry: DEFAULT_RETRY, upstream, mirror: undefined, cluster, operation };
}

const MESH: ReadonlySet<string> = new Set(['mesh']);

function isUnresolved(resolution: Resolution): resolution is Extract<Resolution, { reason: string }> {
  return 'reason' in resolution;
}
