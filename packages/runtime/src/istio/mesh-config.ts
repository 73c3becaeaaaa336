import type { DestinationRuleSpec, TrafficPolicy } from '../api/istio-schemas.js';
import { isGatewayApi, namespaceOf, type IstioManifests } from '../api/manifests.js';
import type { HttpRouteSpec, K8sGatewaySpec, ReferenceGrantSpec } from '../api/gateway-api-schemas.js';
import type { IstioObject, VirtualService, DestinationRule, Gateway, AuthorizationPolicy, PeerAuthentication } from './objects.js';
import { translateGatewayApi, type GatewayApiInput, type GatewayDeployment } from './gateway-api.js';

/** The Gateway API objects in force and the gateway Deployments Istio makes for their Gateways. */
export interface GatewayApiConfig extends GatewayApiInput {
  deployments: readonly GatewayDeployment[];
}
import type { Pod } from '../k8s/identity.js';
import { matchesLabels } from '../k8s/labels.js';
import { boundGateways, hostMatches, qualifyHost, visibleFrom } from './hosts.js';
import { compareText } from '../lib/compare.js';

export type { IstioObject, VirtualService, DestinationRule, Gateway, AuthorizationPolicy, PeerAuthentication } from './objects.js';

export const ROOT_NAMESPACE = 'istio-system';

/**
 * The Istio objects in force, indexed by host, and the lookups translation makes from them: which VirtualService
 * routes a host for a caller, which Gateways accept a host, which DestinationRule applies. Read by compile.ts as it
 * builds route tables; a request only ever looks those tables up.
 */
export class MeshConfig {
  /** Several VirtualServices may route one host for callers exportTo keeps apart (validate.ts refuses any overlap). */
  private readonly meshRoutes = new Map<string, VirtualService[]>();
  /** Wildcard hosts (`*.example.com`), kept apart so a lookup by exact host does not scan every route. */
  // Stryker disable next-line ArrayDeclaration: a stand-in entry's pattern is 'S', which no (lower-case) Service host equals
  private readonly meshWildcards: [string, VirtualService][] = [];

  constructor(
    readonly virtualServices: readonly VirtualService[] = [],
    // Stryker disable next-line ArrayDeclaration: a stand-in element has no namespace, so no lookup level takes it (validate only sees fromManifests' lists)
    readonly destinationRules: readonly DestinationRule[] = [],
    readonly gateways: readonly Gateway[] = [],
    // Stryker disable next-line ArrayDeclaration: a stand-in element has no namespace, so policiesFor never takes it
    readonly authorizationPolicies: readonly AuthorizationPolicy[] = [],
    // Stryker disable next-line ArrayDeclaration: a stand-in element has no namespace, so no mtlsMode level takes it
    readonly peerAuthentications: readonly PeerAuthentication[] = [],
    /** The Gateway API objects (translated into the lists above by fromManifests) and the gateway Deployments they make. */
    readonly gatewayApi: GatewayApiConfig = { gateways: [], routes: [], grants: [], namespaceLabels: () => undefined, deployments: [] },
  ) {
    for (const vs of virtualServices) {
      if (!boundGateways(vs.spec, vs.namespace).has('mesh')) continue;
      for (const host of vs.spec.hosts) {
        const qualified = qualifyHost(host, vs.namespace);
        if (qualified.startsWith('*')) this.meshWildcards.push([qualified, vs]);
        else this.meshRoutes.set(qualified, [...(this.meshRoutes.get(qualified) ?? []), vs]);
      }
    }
    // The most specific wildcard first, as Envoy matches virtual host domains.
    this.meshWildcards.sort(([a], [b]) => b.length - a.length);
  }

  /**
   * The configuration made by these objects, in the order Istio takes them wherever order decides (the oldest of
   * several PeerAuthentications, DestinationRule merges, VirtualServices merged at a gateway): by creation time, in
   * whole seconds as Kubernetes stores it, then by `name.namespace` (pilot model sortConfigByCreationTime).
   * `createdAt` gives an object's creation second; without it all count as created together.
   */
  static fromManifests(
    manifests: readonly IstioManifests[],
    // Stryker disable next-line ArrowFunction: undefined - undefined is NaN, falsy as 0 is: the name.namespace order decides alike
    createdAt: (manifest: IstioManifests) => number = () => 0,
    namespaceLabels: GatewayApiInput['namespaceLabels'] = () => undefined,
  ): MeshConfig {
    const key = (m: IstioManifests) => `${m.metadata.name}.${namespaceOf(m)}`;
    const ordered = [...manifests].sort((a, b) => createdAt(a) - createdAt(b) || compareText(key(a), key(b)));
    const istio = ordered.filter((m) => !isGatewayApi(m));
    const gatewayApi = ordered.filter(isGatewayApi);
    const of = <K extends IstioManifests['kind'], M extends IstioManifests>(list: readonly M[], kind: K) =>
      list
        .filter((m): m is Extract<M, { kind: K }> => m.kind === kind)
        .map((m) => ({ namespace: namespaceOf(m), name: m.metadata.name, spec: m.spec }) as IstioObject<Extract<M, { kind: K }>['spec']>);
    const input: GatewayApiInput = {
      gateways: of(gatewayApi, 'Gateway') as IstioObject<K8sGatewaySpec>[],
      routes: gatewayApi.filter((m) => m.kind === 'HTTPRoute').map((m) => ({ namespace: namespaceOf(m), name: m.metadata.name, spec: m.spec as HttpRouteSpec, createdAt: createdAt(m) })),
      grants: of(gatewayApi, 'ReferenceGrant') as IstioObject<ReferenceGrantSpec>[],
      namespaceLabels,
    };
    const translated = translateGatewayApi(input);
    return new MeshConfig(
      [...of(istio, 'VirtualService'), ...translated.virtualServices],
      of(istio, 'DestinationRule'),
      [...(of(istio, 'Gateway') as Gateway[]), ...translated.gateways],
      of(istio, 'AuthorizationPolicy'),
      of(istio, 'PeerAuthentication'),
      { ...input, deployments: translated.deployments },
    );
  }

  /** The VirtualService routing `fqdn` for mesh traffic from namespace `from`, if any. */
  meshVirtualService(fqdn: string, from: string): VirtualService | undefined {
    const visible = (vs: VirtualService) => visibleFrom(vs.spec.exportTo, vs.namespace, from);
    return this.meshRoutes.get(fqdn)?.find(visible) ?? this.meshWildcards.find(([pattern, vs]) => hostMatches(pattern, fqdn) && visible(vs))?.[1];
  }

  /**
   * The virtual hosts of an ingress's listener on `port`, as pilot builds them (networking/core/gateway.go
   * buildGatewayHTTPRouteConfig): for each server of each Gateway selecting the ingress, each VirtualService bound
   * to that Gateway and exported to the ingress's namespace `from` adds its routes under every host in the
   * intersection of its hosts and the server's (the more specific of each matching pair: host.Names.Intersection;
   * a server host `ns/name` counts only for ns's VirtualServices, `./name` for the Gateway's own). VirtualServices
   * meeting at one host are kept in that order, Gateways and VirtualServices in configuration order.
   */
  gatewayVirtualHosts(ingressLabels: Record<string, string>, port: number, from: string): GatewayVirtualHost[] {
    const byDomain = new Map<string, GatewayVirtualHost>();
    for (const gateway of this.gateways) {
      if (!matchesLabels(ingressLabels, gateway.spec.selector)) continue;
      // Istio's gateway Deployment for a Gateway API Gateway serves that Gateway alone, found in its namespace.
      if (gateway.gatewayApi && gateway.namespace !== from) continue;
      const name = `${gateway.namespace}/${gateway.name}`;
      // pilot PushContext.VirtualServicesForGateway.
      const bound = this.virtualServices.filter((vs) => visibleFrom(vs.spec.exportTo, vs.namespace, from) && boundGateways(vs.spec, vs.namespace).has(name));
      for (const server of gateway.spec.servers) {
        if (server.port.number !== port) continue;
        for (const vs of bound) {
          const serverHosts = serverHostsFor(server.hosts, gateway.namespace, vs.namespace);
          for (const domain of intersection(serverHosts, vs.spec.hosts.map((h) => qualifyHost(h, vs.namespace)))) {
            let vhost = byDomain.get(domain);
            if (!vhost) byDomain.set(domain, (vhost = { domain, bound: [] }));
            if (!vhost.bound.some((b) => b.vs === vs && b.gateway === name)) vhost.bound.push({ vs, gateway: name });
          }
        }
      }
    }
    return [...byDomain.values()];
  }

  /**
   * The DestinationRule for `fqdn` as seen from `from`, as pilot's PushContext.destinationRule finds it: the first of
   * the client's namespace, the Service's, the root namespace that has one visible to the client (never another
   * namespace's); within it the most specific host (exact, else the longest wildcard), and several rules for that
   * host merged in the order they were applied: subsets concatenated (the first of a name wins), the traffic policy of
   * the first that has one (pilot model/destination_rule.go mergeDestinationRule).
   */
  destinationRule(fqdn: string, from: string, serviceNamespace: string): DestinationRule | undefined {
    // A client in the root namespace (the ingress gateway) sees the root's private rules first, then the Service's
    // namespace, then the root's exported ones.
    const privateToRoot = (dr: DestinationRule) => {
      const exportTo = dr.spec.exportTo ?? [];
      return exportTo.length > 0 && exportTo.every((e) => e === '.' || e === ROOT_NAMESPACE);
    };
    const levels: ((dr: DestinationRule) => boolean)[] =
      from === ROOT_NAMESPACE
        ? [(dr) => dr.namespace === ROOT_NAMESPACE && privateToRoot(dr), (dr) => dr.namespace === serviceNamespace, (dr) => dr.namespace === ROOT_NAMESPACE && !privateToRoot(dr)]
        : [from, serviceNamespace, ROOT_NAMESPACE].map((namespace) => (dr: DestinationRule) => dr.namespace === namespace);
    for (const inLevel of levels) {
      const visible = this.destinationRules.filter(
        (dr) => inLevel(dr) && hostMatches(qualifyHost(dr.spec.host, dr.namespace), fqdn) && visibleFrom(dr.spec.exportTo, dr.namespace, from),
      );
      if (visible.length === 0) continue;
      const of = (dr: DestinationRule) => specificity(qualifyHost(dr.spec.host, dr.namespace));
      const best = Math.max(...visible.map(of));
      return mergeDestinationRules(visible.filter((dr) => of(dr) === best));
    }
    return undefined;
  }

  /**
   * The mTLS mode in force for requests to `pod`, as pilot's ComposePeerAuthentication composes it (authn
   * policy_applier.go): the oldest policy selecting the pod, else the oldest of its namespace's, else the oldest of the
   * root namespace's (a selector with no labels counts as none); UNSET, or no mode, inherits from the next level; no
   * policy at all is PERMISSIVE. "Oldest" is first in the configuration's order (see fromManifests).
   */
  mtlsMode(pod: Pick<Pod, 'namespace' | 'labels'>): 'STRICT' | 'PERMISSIVE' | 'DISABLE' {
    const namespaceWide = (p: PeerAuthentication) => Object.keys(p.spec.selector?.matchLabels ?? {}).length === 0;
    const inNamespace = this.peerAuthentications.filter((p) => p.namespace === pod.namespace);
    const levels = [
      inNamespace.find((p) => !namespaceWide(p) && matchesLabels(pod.labels, p.spec.selector!.matchLabels)),
      inNamespace.find(namespaceWide),
      this.peerAuthentications.find((p) => p.namespace === ROOT_NAMESPACE && namespaceWide(p)),
    ];
    for (const policy of levels) {
      const mode = policy?.spec.mtls?.mode ?? 'UNSET';
      if (mode !== 'UNSET') return mode;
    }
    return 'PERMISSIVE';
  }

  /** Policies that govern requests to `pod`: its namespace's (by selector) and the root namespace's. */
  policiesFor(pod: Pick<Pod, 'namespace' | 'labels'>): AuthorizationPolicy[] {
    return this.authorizationPolicies.filter(
      (p) => (p.namespace === pod.namespace || p.namespace === ROOT_NAMESPACE) && (!p.spec.selector || matchesLabels(pod.labels, p.spec.selector.matchLabels)),
    );
  }
}

/** One virtual host of a gateway's listener: its domain, and each VirtualService bound there with the Gateway it came through. */
export interface GatewayVirtualHost {
  domain: string;
  bound: { vs: VirtualService; gateway: string }[];
}

/**
 * A server's hosts that admit VirtualServices of `namespace`, namespace prefixes removed (host.NamesForNamespace,
 * after gateway merging has turned `./` into the Gateway's namespace).
 */
function serverHostsFor(hosts: readonly string[], gatewayNamespace: string, namespace: string): string[] {
  return hosts.flatMap((written) => {
    const slash = written.indexOf('/');
    if (slash < 0) return [written.toLowerCase()];
    const ns = written.slice(0, slash) === '.' ? gatewayNamespace : written.slice(0, slash);
    return ns === '*' || ns === namespace ? [written.slice(slash + 1).toLowerCase()] : [];
  });
}

/** The hosts covered by both lists: of each pair where one is a subset of the other, the subset (host.Names.Intersection). */
function intersection(serverHosts: readonly string[], vsHosts: readonly string[]): string[] {
  const result: string[] = [];
  for (const a of serverHosts) {
    for (const b of vsHosts) {
      const subset = subsetOf(a, b) ? a : subsetOf(b, a) ? b : undefined;
      if (subset !== undefined && !result.includes(subset)) result.push(subset);
    }
  }
  return result;
}

/** Whether every host `name` covers is covered by `of` (host.Name.SubsetOf). */
function subsetOf(name: string, of: string): boolean {
  // A wildcard is a subset only of a wildcard whose tail its own tail ends with (which makes it no shorter).
  // Stryker disable next-line MethodExpression: of's tail is empty or starts with '.' for any host Istio accepts, so name and its own tail end with it alike
  if (name.startsWith('*')) return of.startsWith('*') && name.slice(1).endsWith(of.slice(1));
  return of.startsWith('*') ? name.endsWith(of.slice(1)) : name === of;
}

/** How specifically a host pattern names a host: an exact name beats any wildcard, a longer suffix a shorter one. */
function specificity(pattern: string): number {
  return pattern.startsWith('*') ? pattern.length : Number.MAX_SAFE_INTEGER;
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
