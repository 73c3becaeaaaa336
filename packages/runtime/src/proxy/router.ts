import type { IncomingHttpHeaders } from 'node:http';
import { UpstreamCluster } from './balancer.js';
import type { Cluster, Pod, ServiceTarget } from './cluster.js';
import { matchesLabels } from './cluster.js';
import { isAllowed } from './istio/authorization.js';
import { qualifyHost } from './istio/hosts.js';
import type { RequestFacts } from './istio/match.js';
import { effectivePolicy, MeshConfig, type RouteChoice } from './istio/mesh-config.js';
import type { Destination, TrafficPolicy } from './istio/schemas.js';

/** Who is calling: the workload whose sidecar received the request. */
export interface SourceIdentity {
  namespace: string;
  workload: string;
  labels: Record<string, string>;
  serviceAccount: string;
}

export interface RouteRequest {
  authority: string;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** Where a routed request goes: a Service, or one subset of it, with the DestinationRule policy for it. */
export interface UpstreamRef {
  target: ServiceTarget;
  subset: string | undefined;
  labels: Record<string, string>;
  policy: TrafficPolicy;
  key: string;
}

/** Envoy's response flags for answers the sidecar gives itself. */
export type ResponseFlag = 'NR' | 'NC' | 'UH' | 'UF' | 'URX' | 'UT' | 'UO' | 'FI' | 'DI' | 'UAEX' | 'DC';

export type RouteDecision =
  | { kind: 'reject'; status: number; flag: ResponseFlag; reason: string; target?: ServiceTarget }
  | { kind: 'route'; target: ServiceTarget | undefined; choice: RouteChoice | undefined; upstream: UpstreamRef; mirror: UpstreamRef | undefined };

/** The ingress gateway: which Gateways select it, and the ports its Gateway servers may name. */
export interface IngressIdentity {
  labels: Record<string, string>;
  ports: readonly number[];
}

/**
 * Decides where each request goes, as the caller's Envoy would: Kubernetes DNS resolves the host; a VirtualService
 * for that host (or, at the ingress, one bound to a matching Gateway) picks a route and a weighted destination; a
 * DestinationRule supplies the subset's labels and the load-balancing and outlier policy. A host with no
 * VirtualService is routed like a plain Kubernetes Service.
 */
export class Router {
  config = new MeshConfig();
  private readonly upstreams = new Map<string, UpstreamCluster>();
  /** Requests in flight per pod, for LEAST_REQUEST. */
  readonly active = new Map<Pod, number>();

  constructor(private readonly cluster: Cluster) {}

  /** Swaps in a new Istio configuration; requests already routed keep their decision. */
  configure(config: MeshConfig): void {
    this.config = config;
  }

  decide(request: RouteRequest, source: SourceIdentity, ingress?: IngressIdentity): RouteDecision {
    const port = Number(/:(\d+)$/.exec(request.authority)?.[1] ?? 80);
    const host = request.authority.replace(/:\d+$/, '').toLowerCase();
    if (ingress) {
      const gateways = new Set<string>();
      for (const p of ingress.ports) for (const g of this.config.gatewaysFor(ingress.labels, host, p)) gateways.add(g);
      if (gateways.size === 0) return { kind: 'reject', status: 404, flag: 'NR', reason: `no Gateway accepts host ${host}` };
      const vs = this.config.gatewayVirtualService(gateways, host);
      if (!vs) return { kind: 'reject', status: 404, flag: 'NR', reason: `no VirtualService for host ${host} on ${[...gateways].join(', ')}` };
      const choice = this.config.chooseRoute(vs, this.facts(request, source, port, gateways));
      if (!choice) return { kind: 'reject', status: 404, flag: 'NR', reason: `no route of VirtualService ${vs.namespace}/${vs.name} matched` };
      return this.routed(undefined, choice, source);
    }

    const target = this.cluster.resolveHost(request.authority, source.namespace);
    if (!target) {
      return { kind: 'reject', status: 503, flag: 'NC', reason: `no Service for host ${request.authority} from namespace ${source.namespace}` };
    }
    if (!target.service.spec.ports.some((p) => p.port === port)) {
      return { kind: 'reject', status: 503, flag: 'NC', reason: `Service ${target.fqdn} has no port ${port}`, target };
    }
    const vs = this.config.meshVirtualService(target.fqdn, source.namespace);
    if (!vs) {
      const upstream = this.upstream(target, undefined, source);
      if ('reason' in upstream) return { kind: 'reject', status: 503, flag: 'NC', reason: upstream.reason, target };
      return { kind: 'route', target, choice: undefined, upstream, mirror: undefined };
    }
    const choice = this.config.chooseRoute(vs, this.facts(request, source, port, new Set(['mesh'])));
    if (!choice) return { kind: 'reject', status: 404, flag: 'NR', reason: `no route of VirtualService ${vs.namespace}/${vs.name} matched`, target };
    return this.routed(target, choice, source);
  }

  /** The next endpoint of an upstream, by its load balancer, skipping ejected ones. */
  pickEndpoint(upstream: UpstreamRef): Pod | undefined {
    return this.upstreamCluster(upstream).pick(this.endpointsOf(upstream), upstream.policy);
  }

  /** The ready pods of an upstream: its Service's endpoints, narrowed to the subset's labels. */
  private endpointsOf(upstream: UpstreamRef): Pod[] {
    return this.cluster.endpoints(upstream.target).filter((pod) => matchesLabels(pod.labels, upstream.labels));
  }

  /** Takes a slot in the upstream's circuit breaker; false when it is full (the request gets 503 UO). */
  tryAcquire(upstream: UpstreamRef): boolean {
    return this.upstreamCluster(upstream).tryAcquire(upstream.policy);
  }

  release(upstream: UpstreamRef): void {
    this.upstreamCluster(upstream).release();
  }

  /** Tells outlier detection how a request to `pod` ended. */
  report(upstream: UpstreamRef, pod: Pod, status: number): void {
    this.upstreamCluster(upstream).report(pod, status, upstream.policy, () => this.endpointsOf(upstream).length);
  }

  /** AuthorizationPolicy, enforced at the destination as its sidecar would. */
  authorize(pod: Pod, source: SourceIdentity, method: string, url: string): boolean {
    const policies = this.config.policiesFor(pod);
    return policies.length === 0 || isAllowed(policies, { source, method, path: url.split('?', 1)[0]! });
  }

  private routed(target: ServiceTarget | undefined, choice: RouteChoice, source: SourceIdentity): RouteDecision {
    const namespace = choice.virtualService.namespace;
    const upstream = this.resolveDestination(choice.destination.destination, namespace, source);
    if ('reason' in upstream) return { kind: 'reject', status: 503, flag: 'NC', reason: upstream.reason, ...(target ? { target } : {}) };
    const mirrorRef = choice.route.mirror ? this.resolveDestination(choice.route.mirror, namespace, source) : undefined;
    const mirror = mirrorRef && !('reason' in mirrorRef) ? mirrorRef : undefined;
    return { kind: 'route', target: target ?? upstream.target, choice, upstream, mirror };
  }

  private resolveDestination(destination: Destination, namespace: string, source: SourceIdentity): UpstreamRef | { reason: string } {
    const fqdn = qualifyHost(destination.host, namespace);
    const target = this.cluster.resolveHost(fqdn, namespace);
    if (!target) return { reason: `destination ${fqdn} is not a Service` };
    return this.upstream(target, destination.subset, source);
  }

  private upstream(target: ServiceTarget, subset: string | undefined, source: SourceIdentity): UpstreamRef | { reason: string } {
    const rule = this.config.destinationRule(target.fqdn, source.namespace, target.namespace);
    let labels: Record<string, string> = {};
    if (subset !== undefined) {
      const found = rule?.spec.subsets.find((s) => s.name === subset);
      if (!found) return { reason: `no subset ${subset} for ${target.fqdn} in any DestinationRule` };
      labels = found.labels;
    }
    return { target, subset, labels, policy: effectivePolicy(rule, subset), key: `${target.fqdn}|${subset ?? ''}` };
  }

  private upstreamCluster(upstream: UpstreamRef): UpstreamCluster {
    let found = this.upstreams.get(upstream.key);
    if (!found) this.upstreams.set(upstream.key, (found = new UpstreamCluster(this.active)));
    return found;
  }

  private facts(request: RouteRequest, source: SourceIdentity, port: number, gateways: ReadonlySet<string>): RequestFacts {
    return { method: request.method, url: request.url, headers: request.headers, port, source, gateways };
  }
}
