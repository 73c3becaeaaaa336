import type { Destination, Retries } from '../api/istio-schemas.js';
import type { Pod } from '../k8s/identity.js';
import { hostOf, portOf, serviceHostNames } from '../k8s/names.js';
import type { ServiceDirectory, ServiceTarget } from '../k8s/service-registry.js';
import { gatewayServerHost, qualifyGateway, qualifyHost } from './hosts.js';
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

/** Host names of a client's Host header are unbounded: the ingress remembers this many, then starts over. */
const INGRESS_HOSTS_REMEMBERED = 1024;

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
    if (plain === undefined) this.plain.set(pod, (plain = this.config.mtlsMode(pod) === 'DISABLE'));
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

/** What the ingress knows of one Host: the Gateways that accept it and the routes bound to them. */
export interface IngressHost {
  gateways: ReadonlySet<string>;
  host: VirtualHost;
}

/** An ingress gateway's table: the Gateways that select it, and for each Host the VirtualService bound to them. */
export class IngressRoutes {
  private readonly byHost = new Map<string, IngressHost | Unresolved>();

  constructor(
    private readonly mesh: MeshRoutes,
    readonly identity: IngressIdentity,
    readonly namespace: string,
  ) {}

  /** The routes for a Host (lower case, no port), or why there are none (the gateway answers 404 NR). */
  lookup(host: string): IngressHost | Unresolved {
    let found = this.byHost.get(host);
    if (!found) {
      if (this.byHost.size >= INGRESS_HOSTS_REMEMBERED) this.byHost.clear();
      this.byHost.set(host, (found = this.translate(host)));
    }
    return found;
  }

  /** Every host a Gateway server of this ingress accepts, with what it routes to, for `proxy-config routes`. */
  listed(): { port: number; host: string; entry: IngressHost | Unresolved }[] {
    const rows: { port: number; host: string; entry: IngressHost | Unresolved }[] = [];
    for (const gateway of this.mesh.config.gateways) {
      for (const server of gateway.spec.servers) {
        if (!this.identity.ports.includes(server.port.number)) continue;
        for (const written of server.hosts) {
          const host = gatewayServerHost(written);
          // Translated afresh: a server's host pattern is no request's Host, and must not fill the lookup cache.
          if (!rows.some((r) => r.host === host && r.port === server.port.number)) rows.push({ port: server.port.number, host, entry: this.translate(host) });
        }
      }
    }
    return rows;
  }

  private translate(host: string): IngressHost | Unresolved {
    const { config } = this.mesh;
    const admitting = new Map<string, (namespace: string) => boolean>();
    for (const port of this.identity.ports) for (const [g, admits] of config.gatewaysFor(this.identity.labels, host, port)) admitting.set(g, admits);
    if (admitting.size === 0) return { reason: `no Gateway accepts host ${host}` };
    const gateways = new Set(admitting.keys());
    const [first, ...more] = config.gatewayVirtualServices(admitting, host, this.namespace);
    if (!first) return { reason: `no VirtualService for host ${host} on ${[...gateways].join(', ')}` };
    const merged = [first, ...more].flatMap((vs) => this.mesh.routesOf(vs, this.namespace));
    // In a host merged from several VirtualServices, catch-all routes go last (pilot gateway.go SortVHostRoutes).
    const routes = more.length === 0 ? merged : [...merged.filter((r) => !isCatchAll(r.route)), ...merged.filter((r) => isCatchAll(r.route))];
    return { gateways, host: { target: undefined, virtualService: { namespace: first.namespace, name: first.name }, routes, passthrough: undefined } };
  }
}

/** A route that takes every request: no match, or a match on nothing but the uri prefix `/`. */
function isCatchAll(route: CompiledRoute): boolean {
  return route.matches.length === 0 || route.matches.some(({ match }) => Object.entries(match).every(([key, value]) => key === 'name' || (key === 'uri' && (value as { prefix?: string }).prefix === '/')));
}

function compileVirtualService(vs: VirtualService): CompiledRoute[] {
  return vs.spec.http.map((spec, index) => ({
    name: spec.name ?? `${vs.name}.${vs.namespace}#${index}`,
    spec,
    matches: (spec.match ?? []).map((match) => ({
      match,
      test: compileMatch(match, match.gateways ? new Set(match.gateways.map((g) => qualifyGateway(g, vs.namespace))) : undefined),
    })),
    retry: spec.retries ? retryPolicy(spec.retries) : DEFAULT_RETRY,
    pickDestination: weightedPicker(spec.route.map((d) => d.weight ?? 0)),
  }));
}

/** A route's retries as Envoy gets them: status codes in retryOn become retriable_status_codes (pilot parseRetryOn). */
function retryPolicy(retries: Retries): RetryPolicy {
  const conditions = (retries.retryOn ?? DEFAULT_RETRY_ON).split(',');
  const statusCodes = conditions.filter((c) => /^\d{3}$/.test(c)).map(Number);
  const named = conditions.filter((c) => !/^\d{3}$/.test(c));
  if (statusCodes.length > 0) named.push('retriable-status-codes');
  return { attempts: retries.attempts, perTryTimeout: retries.perTryTimeout, retryOn: new Set(named), statusCodes: new Set(statusCodes) };
}
