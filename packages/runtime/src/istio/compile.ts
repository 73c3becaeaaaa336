import type { Destination, HttpMatch, Retries } from '../api/istio-schemas.js';
import type { Pod } from '../k8s/identity.js';
import { hostOf, portOf, serviceHostNames } from '../k8s/names.js';
import type { ServiceDirectory, ServiceTarget } from '../k8s/service-registry.js';
import { hostMatches, qualifyGateway, qualifyHost } from './hosts.js';
import { compileMatch } from './match.js';
import { effectivePolicy, type AuthorizationPolicy, type MeshConfig, type VirtualService } from './mesh-config.js';
import type { CompiledRoute, ResolvedRoute, Resolution, RetryPolicy, Unresolved, UpstreamRef, VirtualHost } from './route-table.js';
import { weightedPicker } from './weighted.js';

/**
 * Istio's retry conditions when a route sets none, with or without `retries` (pilot route/retry/retry.go
 * DefaultPolicy; 503 is not among them since EXCLUDE_UNSAFE_503_FROM_DEFAULT_RETRY).
 */
const DEFAULT_RETRY_ON = 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes';

/** Istio's retry policy when a route sets none: 2 retries on the default conditions. */
export const DEFAULT_RETRY: RetryPolicy = retryPolicy({ attempts: 2 });

/** The ingress gateway: which Gateways select it, and the ports its Gateway servers may name. */
export interface IngressIdentity {
  labels: Record<string, string>;
  ports: readonly number[];
}

/** One virtual host of a sidecar's table, with the names it answers to, for `mesh-mall proxy-config routes`. */
export interface ListedVirtualHost {
  /** `<fqdn>:<port>`, as Envoy names the virtual host. */
  name: string;
  port: number;
  domains: string[];
  host: VirtualHost;
}

/**
 * The route tables of the whole mesh for one configuration, as pilot translates Istio's objects for each proxy:
 * replaced as a whole when objects or Services change, so a request in flight keeps the tables it started with.
 * Every VirtualService is translated when the tables are built (its matchers, its weights' state shared by all
 * callers); what depends on the caller — which hosts it sees, which DestinationRule applies, which policies govern a
 * pod — is resolved on the first request that needs it and kept until the tables are replaced.
 */
export class MeshRoutes {
  private readonly compiled = new Map<VirtualService, CompiledRoute[]>();
  private readonly resolved = new Map<VirtualService, Map<string, ResolvedRoute[]>>();
  private readonly sidecars = new Map<string, SidecarRoutes>();
  private readonly ingresses = new WeakMap<IngressIdentity, Map<string, IngressRoutes>>();
  private readonly policies = new WeakMap<Pick<Pod, 'namespace' | 'labels'>, AuthorizationPolicy[]>();
  /** Whether a pod takes plain text, found once per pod: it is asked on every request the pod's policies govern. */
  private readonly plain = new WeakMap<Pick<Pod, 'namespace' | 'labels'>, boolean>();

  /**
   * `previous`: the tables these replace. When only Services changed (the same configuration), its translated routes
   * are kept, so weighted splits go on where they were rather than start over.
   */
  constructor(
    readonly config: MeshConfig,
    private readonly services: ServiceDirectory,
    previous?: MeshRoutes,
  ) {
    const kept = previous?.config === config ? previous.compiled : undefined;
    for (const vs of config.virtualServices) this.compiled.set(vs, kept?.get(vs) ?? compileVirtualService(vs));
  }

  /** The table of every sidecar in `namespace`. */
  sidecar(namespace: string): SidecarRoutes {
    let table = this.sidecars.get(namespace);
    if (!table) this.sidecars.set(namespace, (table = new SidecarRoutes(this, namespace)));
    return table;
  }

  /** The table of an ingress gateway running in `namespace`. */
  ingress(identity: IngressIdentity, namespace: string): IngressRoutes {
    let byNamespace = this.ingresses.get(identity);
    if (!byNamespace) this.ingresses.set(identity, (byNamespace = new Map()));
    let table = byNamespace.get(namespace);
    if (!table) byNamespace.set(namespace, (table = new IngressRoutes(this, identity, namespace)));
    return table;
  }

  /** Whether requests to `pod` arrive without the caller's mTLS identity (PeerAuthentication DISABLE). */
  plainText(pod: Pick<Pod, 'namespace' | 'labels'>): boolean {
    let plain = this.plain.get(pod);
    // Stryker disable next-line ConditionalExpression: only the cache: the configuration never changes, so asking again gives the same answer
    if (plain === undefined) {
      plain = this.config.mtlsMode(pod) === 'DISABLE';
      this.plain.set(pod, plain);
    }
    return plain;
  }

  /** AuthorizationPolicies that govern requests to `pod`, found once per pod. */
  policiesFor(pod: Pick<Pod, 'namespace' | 'labels'>): readonly AuthorizationPolicy[] {
    let found = this.policies.get(pod);
    if (!found) this.policies.set(pod, (found = this.config.policiesFor(pod)));
    return found;
  }

  /** The Service a host names, seen from `namespace` (cluster DNS). */
  service(host: string, namespace: string): ServiceTarget | undefined {
    return this.services.resolveHost(host, namespace);
  }

  allServices(): Iterable<ServiceTarget> {
    return this.services.services();
  }

  /** A VirtualService's routes with their destinations resolved for callers in `from`. */
  routesOf(vs: VirtualService, from: string): ResolvedRoute[] {
    let byCaller = this.resolved.get(vs);
    if (!byCaller) this.resolved.set(vs, (byCaller = new Map()));
    let routes = byCaller.get(from);
    if (!routes) {
      routes = this.compiled.get(vs)!.map((route) => ({
        route,
        destinations: route.spec.route.map((d) => this.resolveDestination(d.destination, vs.namespace, from)),
        mirror: route.spec.mirror ? this.resolveDestination(route.spec.mirror, vs.namespace, from) : undefined,
      }));
      byCaller.set(from, routes);
    }
    return routes;
  }

  /** A Service (or a subset of it) as an upstream for callers in `from`, with the DestinationRule that applies. */
  upstream(target: ServiceTarget, subset: string | undefined, from: string): Resolution {
    const rule = this.config.destinationRule(target.fqdn, from, target.namespace);
    let labels: Record<string, string> = {};
    if (subset !== undefined) {
      const found = rule?.spec.subsets.find((s) => s.name === subset);
      if (!found) return { reason: `no subset ${subset} for ${target.fqdn} in any DestinationRule` };
      labels = found.labels;
    }
    return { target, subset, labels, policy: effectivePolicy(rule, subset), key: `${target.fqdn}|${subset ?? ''}` };
  }

  private resolveDestination(destination: Destination, vsNamespace: string, from: string): Resolution {
    // A backend the Gateway API translation could not name (another kind, or not granted): no cluster at all.
    if (destination.host === '') return { reason: 'the backend is invalid or not permitted (see the HTTPRoute\'s status)' };
    const fqdn = qualifyHost(destination.host, vsNamespace);
    const target = this.service(fqdn, vsNamespace);
    if (!target) return { reason: `destination ${fqdn} is not a Service` };
    // destination.port picks the cluster outbound|<port>|<subset>|<host>: one the Service lacks does not exist
    // (pilot route.go GetDestinationCluster).
    const port = destination.port?.number;
    if (port !== undefined && !target.service.spec.ports.some((p) => p.port === port)) return { reason: `Service ${fqdn} has no port ${port}` };
    return this.upstream(target, destination.subset, from);
  }
}

/**
 * A sidecar's outbound table: one virtual host per Service and port, under every name cluster DNS gives it from the
 * sidecar's namespace (pilot's generateVirtualHostDomains), so that a request's Host header finds its routes in one
 * lookup.
 */
export class SidecarRoutes {
  private readonly byDomain = new Map<string, VirtualHost>();
  readonly virtualHosts: ListedVirtualHost[] = [];

  constructor(
    private readonly mesh: MeshRoutes,
    readonly namespace: string,
  ) {
    for (const target of mesh.allServices()) {
      const host = this.virtualHostOf(target);
      const names = serviceHostNames(target.service.metadata.name, target.namespace, namespace);
      for (const { port } of target.service.spec.ports) {
        // A Host header without a port means port 80.
        const domains = names.flatMap((n) => (port === 80 ? [n, `${n}:${port}`] : [`${n}:${port}`]));
        for (const domain of domains) this.byDomain.set(domain, host);
        this.virtualHosts.push({ name: `${target.fqdn}:${port}`, port, domains, host });
      }
    }
  }

  /** The virtual host a Host header names, or why there is none (the sidecar answers 503 NC). */
  lookup(authority: string): VirtualHost | (Unresolved & { target?: ServiceTarget }) {
    const lower = authority.toLowerCase();
    const found = this.byDomain.get(lower);
    // Stryker disable next-line ConditionalExpression: a domain found as written is found again as host:port (a port-80 Service has both names)
    if (found) return found;
    const host = hostOf(lower);
    const port = portOf(lower);
    const normalized = this.byDomain.get(`${host}:${port}`);
    if (normalized) return normalized;
    const target = this.mesh.service(host, this.namespace);
    if (!target) return { reason: `no Service for host ${authority} from namespace ${this.namespace}` };
    return { reason: `Service ${target.fqdn} has no port ${port}`, target };
  }

  private virtualHostOf(target: ServiceTarget): VirtualHost {
    const vs = this.mesh.config.meshVirtualService(target.fqdn, this.namespace);
    if (!vs) return { target, virtualService: undefined, routes: [], passthrough: this.mesh.upstream(target, undefined, this.namespace) as UpstreamRef };
    return {
      target,
      virtualService: { namespace: vs.namespace, name: vs.name },
      routes: this.mesh.routesOf(vs, this.namespace),
      passthrough: undefined,
      fallback: this.mesh.upstream(target, undefined, this.namespace) as UpstreamRef,
    };
  }
}

/** What the ingress knows of one Host: the Gateways whose servers admitted it and the routes bound to it. */
export interface IngressHost {
  gateways: ReadonlySet<string>;
  host: VirtualHost;
}

/** One virtual host of the ingress's table, under the domain Envoy matches a Host against. */
export interface IngressVirtualHost {
  port: number;
  domain: string;
  entry: IngressHost;
}

/**
 * An ingress gateway's table, translated when it is built as pilot translates a gateway's: one virtual host per
 * domain its Gateways and VirtualServices make together (MeshConfig.gatewayVirtualHosts), with the routes of every
 * VirtualService bound there. A request's Host picks one as Envoy picks a virtual host: the exact domain, else the
 * longest matching `*.` suffix, else `*`.
 */
export class IngressRoutes {
  readonly virtualHosts: IngressVirtualHost[] = [];
  private readonly exact = new Map<string, IngressHost>();
  /** Wildcard domains, the longest (most specific) first; `*` sorts last. */
  private readonly wildcards: IngressVirtualHost[] = [];

  constructor(
    mesh: MeshRoutes,
    readonly identity: IngressIdentity,
    readonly namespace: string,
  ) {
    for (const port of identity.ports) {
      for (const { domain, bound } of mesh.config.gatewayVirtualHosts(identity.labels, port, namespace)) {
        const at = { labels: identity.labels, namespace, port };
        // A VirtualService none of whose routes apply here adds nothing, not even its domain (pilot skips it on
        // BuildHTTPRoutesForVirtualService's "no routes matched").
        const taken = bound
          .map(({ vs, gateway }) => ({ vs, gateway, routes: routesAtGateway(mesh.routesOf(vs, namespace), { ...at, gateway, vsNamespace: vs.namespace }) }))
          .filter((t) => t.routes.length > 0);
        const [first] = taken;
        if (!first) continue;
        const routes = sortCatchAllLast(taken.flatMap((t) => t.routes));
        const entry = { gateways: new Set(taken.map((t) => t.gateway)), host: { target: undefined, virtualService: { namespace: first.vs.namespace, name: first.vs.name }, routes, passthrough: undefined } };
        const listed = { port, domain, entry };
        this.virtualHosts.push(listed);
        if (domain.startsWith('*')) this.wildcards.push(listed);
        else if (!this.exact.has(domain)) this.exact.set(domain, entry);
      }
    }
    this.wildcards.sort((a, b) => b.domain.length - a.domain.length);
  }

  /** The routes for a Host (lower case, no port), or why there are none (the gateway answers 404 NR). */
  lookup(host: string): IngressHost | Unresolved {
    const found = this.exact.get(host) ?? this.wildcards.find((v) => hostMatches(v.domain, host))?.entry;
    if (found) return found;
    if (this.virtualHosts.length === 0) return { reason: 'no Gateway server of this ingress has a VirtualService bound to it' };
    return { reason: `no virtual host for ${host}: the gateway has ${this.virtualHosts.map((v) => v.domain).join(', ')}` };
  }
}

/** Where a gateway's routes are translated: the Gateway, the ingress's labels, namespace and listener port. */
interface GatewayListener {
  gateway: string;
  labels: Record<string, string>;
  namespace: string;
  port: number;
  /** The VirtualService's namespace, which short gateway names in its matches belong to. */
  vsNamespace: string;
}

/**
 * A VirtualService's routes as pilot translates them for one Gateway (route.go BuildHTTPRoutesForVirtualService): one
 * Envoy route per match, the matches that cannot apply to this listener dropped, nothing after the first catch-all.
 */
function routesAtGateway(routes: readonly ResolvedRoute[], at: GatewayListener): ResolvedRoute[] {
  const result: ResolvedRoute[] = [];
  for (const resolved of routes) {
    const { route } = resolved;
    if (route.matches.length === 0) {
      result.push(resolved);
      return result;
    }
    for (const match of route.matches) {
      if (!appliesAt(match.match, at)) continue;
      result.push({ ...resolved, route: { ...route, matches: [match] } });
      if (isCatchAll(match.match)) return result;
    }
  }
  return result;
}

/**
 * Whether pilot keeps a match for this gateway listener (route.go TranslateRoute, sourceMatchHTTP): the gateways it
 * names include this one (or, naming none, its sourceLabels and sourceNamespace fit the gateway proxy), and its port,
 * if any, is the listener's.
 */
function appliesAt(match: HttpMatch, at: GatewayListener): boolean {
  if (match.port !== undefined && match.port !== at.port) return false;
  if (match.gateways) return match.gateways.some((g) => qualifyGateway(g, at.vsNamespace) === at.gateway);
  const labelsFit = Object.entries(match.sourceLabels ?? {}).every(([key, value]) => at.labels[key] === value);
  return labelsFit && (match.sourceNamespace === undefined || match.sourceNamespace === at.namespace);
}

/** Catch-all routes after all others, each group in its order (route.go SortVHostRoutes). */
function sortCatchAllLast(routes: readonly ResolvedRoute[]): ResolvedRoute[] {
  const catchAll = (r: ResolvedRoute) => r.route.matches.length === 0 || isCatchAll(r.route.matches[0]!.match);
  return [...routes.filter((r) => !catchAll(r)), ...routes.filter(catchAll)];
}

/**
 * A match Envoy sees as taking every request (route.go IsCatchAllRoute): path prefix `/` or regex `.*` (or no uri)
 * and no header or query condition. `method` and `withoutHeaders` are header conditions; `port`, `sourceLabels`,
 * `sourceNamespace` and `gateways` decide at translation whether the route exists, not what it matches.
 */
function isCatchAll(match: HttpMatch): boolean {
  const uri = match.uri;
  const anyPath = uri === undefined || uri.prefix === '/' || uri.regex === '.*';
  return anyPath && !match.headers && !match.withoutHeaders && !match.queryParams && !match.method;
}

function compileVirtualService(vs: VirtualService): CompiledRoute[] {
  return vs.spec.http.map((spec, index) => ({
    name: spec.name ?? `${vs.name}.${vs.namespace}#${index}`,
    spec,
    matches: (spec.match ?? []).map((match) => ({
      match,
      test: compileMatch(match, match.gateways ? new Set(match.gateways.map((g) => qualifyGateway(g, vs.namespace))) : undefined, vs.fromRoutes !== undefined),
    })),
    retry: spec.retries ? retryPolicy(spec.retries) : DEFAULT_RETRY,
    gatewaySemantics: vs.fromRoutes !== undefined,
    pickDestination: weightedPicker(spec.route.map((d) => d.weight ?? 0)),
  }));
}

/** A route's retries as Envoy gets them: status codes in retryOn become retriable_status_codes (pilot parseRetryOn). */
function retryPolicy(retries: Retries): RetryPolicy {
  const conditions = (retries.retryOn ?? DEFAULT_RETRY_ON).split(',');
  // Stryker disable next-line Regex: the schema admits only retry condition names (none starts or ends with 3 digits) and 3-digit status codes
  const statusCodes = conditions.filter((c) => /^\d{3}$/.test(c)).map(Number);
  // Stryker disable next-line Regex: as above
  const named = conditions.filter((c) => !/^\d{3}$/.test(c));
  // Stryker disable next-line ConditionalExpression,EqualityOperator: retriable-status-codes with no codes retries nothing (proxy retry.ts checks the code set)
  if (statusCodes.length > 0) named.push('retriable-status-codes');
  return { attempts: retries.attempts, perTryTimeout: retries.perTryTimeout, retryOn: new Set(named), statusCodes: new Set(statusCodes) };
}
