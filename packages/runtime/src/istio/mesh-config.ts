import type { AuthorizationPolicySpec, DestinationRuleSpec, GatewaySpec, TrafficPolicy, VirtualServiceSpec } from '../api/istio-schemas.js';
import { namespaceOf, type IstioManifests } from '../api/manifests.js';
import type { Pod } from '../k8s/identity.js';
import { matchesLabels } from '../k8s/labels.js';
import { boundGateways, gatewayServerHost, hostMatches, qualifyHost, visibleFrom } from './hosts.js';

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

/**
 * The Istio objects in force, indexed by host, and the lookups translation makes from them: which VirtualService
 * routes a host for a caller, which Gateways accept a host, which DestinationRule applies. Read by compile.ts as it
 * builds route tables; a request only ever looks those tables up.
 */
export class MeshConfig {
  private readonly meshRoutes = new Map<string, VirtualService>();
  /** Wildcard hosts (`*.example.com`), kept apart so a lookup by exact host does not scan every route. */
  private readonly meshWildcards: [string, VirtualService][] = [];

  constructor(
    readonly virtualServices: readonly VirtualService[] = [],
    readonly destinationRules: readonly DestinationRule[] = [],
    readonly gateways: readonly Gateway[] = [],
    readonly authorizationPolicies: readonly AuthorizationPolicy[] = [],
  ) {
    for (const vs of virtualServices) {
      if (!boundGateways(vs.spec, vs.namespace).has('mesh')) continue;
      for (const host of vs.spec.hosts) {
        const qualified = qualifyHost(host, vs.namespace);
        if (qualified.startsWith('*')) this.meshWildcards.push([qualified, vs]);
        else this.meshRoutes.set(qualified, vs);
      }
    }
  }

  /** The configuration made by these objects (PeerAuthentication has nothing to route or enforce locally). */
  static fromManifests(manifests: readonly IstioManifests[]): MeshConfig {
    const of = <K extends IstioManifests['kind']>(kind: K) =>
      manifests
        .filter((m): m is Extract<IstioManifests, { kind: K }> => m.kind === kind)
        .map((m) => ({ namespace: namespaceOf(m), name: m.metadata.name, spec: m.spec }) as IstioObject<Extract<IstioManifests, { kind: K }>['spec']>);
    return new MeshConfig(of('VirtualService'), of('DestinationRule'), of('Gateway'), of('AuthorizationPolicy'));
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
        (server) => server.port.number === port && server.hosts.some((h) => hostMatches(gatewayServerHost(h), host)),
      );
      if (accepts) bound.add(`${gateway.namespace}/${gateway.name}`);
    }
    return bound;
  }

  /** The VirtualService bound to one of `gateways` whose hosts match `host`. */
  gatewayVirtualService(gateways: ReadonlySet<string>, host: string): VirtualService | undefined {
    return this.virtualServices.find(
      (vs) =>
        [...boundGateways(vs.spec, vs.namespace)].some((g) => gateways.has(g)) &&
        vs.spec.hosts.some((h) => hostMatches(h.toLowerCase(), host) || hostMatches(qualifyHost(h, vs.namespace), host)),
    );
  }

  /**
   * The DestinationRule for `fqdn` as seen from `from`, as pilot's PushContext.destinationRule finds it: the first of
   * the client's namespace, the Service's, the root namespace that has one visible to the client (never another
   * namespace's); within it the most specific host (exact, else the longest wildcard), and several rules for that
   * host merged in the order they were applied: subsets concatenated (the first of a name wins), the traffic policy of
   * the first that has one (pilot model/destination_rule.go mergeDestinationRule).
   */
  destinationRule(fqdn: string, from: string, serviceNamespace: string): DestinationRule | undefined {
    for (const namespace of [from, serviceNamespace, ROOT_NAMESPACE]) {
      const visible = this.destinationRules.filter(
        (dr) => dr.namespace === namespace && hostMatches(qualifyHost(dr.spec.host, dr.namespace), fqdn) && visibleFrom(dr.spec.exportTo, dr.namespace, from),
      );
      if (visible.length === 0) continue;
      const specificity = (dr: DestinationRule) => {
        const host = qualifyHost(dr.spec.host, dr.namespace);
        return host.startsWith('*') ? host.length : Number.MAX_SAFE_INTEGER;
      };
      const best = Math.max(...visible.map(specificity));
      return mergeDestinationRules(visible.filter((dr) => specificity(dr) === best));
    }
    return undefined;
  }

  /** Policies that govern requests to `pod`: its namespace's (by selector) and the root namespace's. */
  policiesFor(pod: Pick<Pod, 'namespace' | 'labels'>): AuthorizationPolicy[] {
    return this.authorizationPolicies.filter(
      (p) => (p.namespace === pod.namespace || p.namespace === ROOT_NAMESPACE) && (!p.spec.selector || matchesLabels(pod.labels, p.spec.selector.matchLabels)),
    );
  }
}

/** Several rules for one host in one namespace, as one (pilot mergeDestinationRule). */
function mergeDestinationRules(rules: DestinationRule[]): DestinationRule {
  const [first, ...rest] = rules as [DestinationRule, ...DestinationRule[]];
  if (rest.length === 0) return first;
  const subsets = new Map<string, DestinationRuleSpec['subsets'][number]>();
  for (const rule of rules) for (const subset of rule.spec.subsets) if (!subsets.has(subset.name)) subsets.set(subset.name, subset);
  const trafficPolicy = rules.find((rule) => rule.spec.trafficPolicy)?.spec.trafficPolicy;
  return { ...first, spec: { ...first.spec, subsets: [...subsets.values()], ...(trafficPolicy ? { trafficPolicy } : {}) } };
}

/**
 * A subset's policy overrides the rule's own block by block (loadBalancer, connectionPool, outlierDetection each
 * whole), as pilot's MergeSubsetTrafficPolicy does.
 */
export function effectivePolicy(rule: DestinationRule | undefined, subset: string | undefined): TrafficPolicy {
  const subsetPolicy = rule?.spec.subsets.find((s) => s.name === subset)?.trafficPolicy;
  return { ...rule?.spec.trafficPolicy, ...subsetPolicy };
}
