import type { Pod } from '../cluster.js';
import { matchesLabels } from '../cluster.js';
import { hostMatches, qualifyGateway, qualifyHost, visibleFrom } from './hosts.js';
import { re2, regexesOf, requestMatches, type RequestFacts } from './match.js';
import type {
  AuthorizationPolicySpec,
  DestinationRuleSpec,
  GatewaySpec,
  HttpMatch,
  HttpRoute,
  RouteDestination,
  TrafficPolicy,
  VirtualServiceSpec,
} from './schemas.js';

export interface IstioObject<Spec> {
  namespace: string;
  name: string;
  spec: Spec;
}

export type VirtualService = IstioObject<VirtualServiceSpec>;
export type DestinationRule = IstioObject<DestinationRuleSpec>;
export type Gateway = IstioObject<GatewaySpec>;
export type AuthorizationPolicy = IstioObject<AuthorizationPolicySpec>;

export const ROOT_NAMESPACE = 'istio-system';

/** The route a request took, with the destination its weights picked. */
export interface RouteChoice {
  virtualService: VirtualService;
  route: HttpRoute;
  /** `<route name>` or `<virtualservice>.<namespace>#<index>` when the route has no name. */
  name: string;
  destination: RouteDestination;
  /** The match condition that selected the route (a uri prefix in it is what rewrite.uri replaces). */
  matched: HttpMatch | undefined;
}

/**
 * The Istio objects in force, and the lookups the sidecars make from them. Replaced as a whole on every apply, so a
 * request in flight keeps the configuration it started with.
 */
export class MeshConfig {
  private readonly meshRoutes = new Map<string, VirtualService>();
  /** Wildcard hosts (`*.example.com`), kept apart so a lookup by exact host does not scan every route. */
  private readonly meshWildcards: [string, VirtualService][] = [];
  /** Smooth weighted round-robin state per route: splits are exact over any run of requests, not only on average. */
  private readonly weightState = new WeakMap<HttpRoute, number[]>();

  constructor(
    readonly virtualServices: readonly VirtualService[] = [],
    readonly destinationRules: readonly DestinationRule[] = [],
    readonly gateways: readonly Gateway[] = [],
    readonly authorizationPolicies: readonly AuthorizationPolicy[] = [],
  ) {
    for (const vs of virtualServices) {
      if (!boundTo(vs).has('mesh')) continue;
      for (const host of vs.spec.hosts) {
        const qualified = qualifyHost(host, vs.namespace);
        if (qualified.startsWith('*')) this.meshWildcards.push([qualified, vs]);
        else this.meshRoutes.set(qualified, vs);
      }
    }
  }

  /**
   * What istioctl analyze would refuse: two VirtualServices for one host on the mesh (Istio leaves that undefined),
   * regexes RE2 cannot compile, routes whose weights do not add up to 100.
   */
  static validate(virtualServices: readonly VirtualService[]): string[] {
    const errors: string[] = [];
    const owners = new Map<string, VirtualService>();
    for (const vs of virtualServices) {
      const label = `VirtualService ${vs.namespace}/${vs.name}`;
      if (boundTo(vs).has('mesh')) {
        for (const host of vs.spec.hosts.map((h) => qualifyHost(h, vs.namespace))) {
          const other = owners.get(host);
          if (other && other !== vs) {
            errors.push(`${label}: host ${host} already has VirtualService ${other.namespace}/${other.name}; use one VirtualService per host`);
          }
          owners.set(host, vs);
        }
      }
      vs.spec.http.forEach((route, i) => {
        for (const match of route.match ?? []) {
          for (const pattern of regexesOf(match)) {
            try {
              re2(pattern);
            } catch (error) {
              errors.push(`${label}: http[${i}] regex ${JSON.stringify(pattern)}: ${(error as Error).message}`);
            }
          }
        }
        const weights = route.route.map((d) => d.weight);
        const total = weights.reduce<number>((sum, w) => sum + (w ?? 0), 0);
        if (route.route.length > 1 && total !== 100) errors.push(`${label}: http[${i}] route weights add up to ${total}, not 100`);
      });
    }
    return errors;
  }

  /** The VirtualService routing `fqdn` for mesh traffic from namespace `from`, if any. */
  meshVirtualService(fqdn: string, from: string): VirtualService | undefined {
    const vs = this.meshRoutes.get(fqdn) ?? this.meshWildcards.find(([pattern]) => hostMatches(pattern, fqdn))?.[1];
    return vs && visibleFrom(vs.spec.exportTo, vs.namespace, from) ? vs : undefined;
  }

  /** Gateways (`namespace/name`) whose selector picks this ingress and which accept `host` on `port`. */
  gatewaysFor(ingressLabels: Record<string, string>, host: string, port: number): Set<string> {
    const bound = new Set<string>();
    for (const gateway of this.gateways) {
      if (!matchesLabels(ingressLabels, gateway.spec.selector)) continue;
      const accepts = gateway.spec.servers.some(
        (server) => server.port.number === port && server.hosts.some((h) => hostMatches(h.replace(/^[^/]*\//, '').toLowerCase(), host)),
      );
      if (accepts) bound.add(`${gateway.namespace}/${gateway.name}`);
    }
    return bound;
  }

  /** The VirtualService bound to one of `gateways` whose hosts match `host`. */
  gatewayVirtualService(gateways: ReadonlySet<string>, host: string): VirtualService | undefined {
    return this.virtualServices.find(
      (vs) =>
        [...boundTo(vs)].some((g) => gateways.has(g)) &&
        vs.spec.hosts.some((h) => hostMatches(h.toLowerCase(), host) || hostMatches(qualifyHost(h, vs.namespace), host)),
    );
  }

  /** Istio's rule order: the first http route whose match list matches (or that has none) wins. */
  chooseRoute(vs: VirtualService, request: RequestFacts): RouteChoice | undefined {
    for (const [index, route] of vs.spec.http.entries()) {
      const conditions = route.match ?? [];
      const matched = conditions.find((m) =>
        requestMatches(m, request, m.gateways ? new Set(m.gateways.map((g) => qualifyGateway(g, vs.namespace))) : undefined),
      );
      if (conditions.length > 0 && !matched) continue;
      const name = route.name ?? `${vs.name}.${vs.namespace}#${index}`;
      return { virtualService: vs, route, name, destination: this.pickWeighted(route), matched };
    }
    return undefined;
  }

  /** The DestinationRule for `fqdn` as seen from `from`: client namespace, then the Service's, then the root. */
  destinationRule(fqdn: string, from: string, serviceNamespace: string): DestinationRule | undefined {
    const candidates = this.destinationRules.filter(
      (dr) => hostMatches(qualifyHost(dr.spec.host, dr.namespace), fqdn) && visibleFrom(dr.spec.exportTo, dr.namespace, from),
    );
    for (const namespace of [from, serviceNamespace, ROOT_NAMESPACE]) {
      const found = candidates.find((dr) => dr.namespace === namespace);
      if (found) return found;
    }
    return candidates[0];
  }

  /** Policies that govern requests to `pod`: its namespace's (by selector) and the root namespace's. */
  policiesFor(pod: Pod): AuthorizationPolicy[] {
    return this.authorizationPolicies.filter(
      (p) => (p.namespace === pod.namespace || p.namespace === ROOT_NAMESPACE) && (!p.spec.selector || matchesLabels(pod.labels, p.spec.selector.matchLabels)),
    );
  }

  private pickWeighted(route: HttpRoute): RouteDestination {
    if (route.route.length === 1) return route.route[0]!;
    const weights = route.route.map((d) => d.weight ?? 0);
    const current = this.weightState.get(route) ?? weights.map(() => 0);
    const total = weights.reduce((a, b) => a + b, 0);
    let best = 0;
    for (let i = 0; i < weights.length; i++) {
      current[i]! += weights[i]!;
      if (current[i]! > current[best]!) best = i;
    }
    current[best]! -= total;
    this.weightState.set(route, current);
    return route.route[best]!;
  }
}

/** The gateways a VirtualService is bound to; none listed means the mesh (every sidecar). */
function boundTo(vs: VirtualService): Set<string> {
  const gateways = vs.spec.gateways ?? [];
  return new Set(gateways.length === 0 ? ['mesh'] : gateways.map((g) => qualifyGateway(g, vs.namespace)));
}

/** A subset's policy overrides the rule's own, field by field as Istio does. */
export function effectivePolicy(rule: DestinationRule | undefined, subset: string | undefined): TrafficPolicy {
  const subsetPolicy = rule?.spec.subsets.find((s) => s.name === subset)?.trafficPolicy;
  return { ...rule?.spec.trafficPolicy, ...subsetPolicy };
}
