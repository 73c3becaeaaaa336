import type { BackendRef, HeaderModifier, HttpRouteSpec, RouteFilter, RouteMatch, RouteRule } from '../api/gateway-api-schemas.js';
import type { Destination, HeaderOperations, HttpMatch, HttpRoute, RouteDestination } from '../api/istio-schemas.js';
import { serviceFqdn } from '../k8s/names.js';
import type { IstioObject } from './objects.js';
import { allowsBackend, type ReferenceGrant } from './gateway-api-grants.js';

/**
 * An HTTPRoute's rules as Istio's pilot translates them into VirtualService routes (pilot/pkg/config/kube/gateway
 * conversion.go convertHTTPRoute, buildHTTPDestination, buildDestination; Istio 1.27): one route per match, with
 * Gateway API semantics that compile.ts and the proxy honour where they differ from a VirtualService's.
 */

export type HttpRouteObject = IstioObject<HttpRouteSpec>;

/** Why pilot could not translate part of a route: the reason HTTPRoute's status gives (conditions.go). */
export interface ConfigError {
  reason: 'InvalidKind' | 'BackendNotFound' | 'RefNotPermitted' | 'InvalidFilter' | 'InvalidDestination';
  message: string;
}

/** What translation needs to know of the cluster. */
export interface RouteContext {
  grants: readonly ReferenceGrant[];
  /** Whether a Service exists; routing never asks (a missing backend fails at request time), status does. */
  serviceExists: (namespace: string, name: string) => boolean;
}

/**
 * Every route of an HTTPRoute for one kind of parent, or the hard error that drops them all (pilot computeRoute: a
 * rule that cannot be translated leaves the HTTPRoute with no routes); `error` is also set, with routes, when a
 * backend is invalid (that backend's share of requests gets 500).
 */
export interface Translated {
  routes: HttpRoute[];
  error: ConfigError | undefined;
}

/**
 * `mesh`: for a Service parent (GAMMA), where pilot does not enforce ReferenceGrants (convertHTTPRoute's
 * enforceRefGrant is `!mesh`).
 */
export function translateRules(route: HttpRouteObject, mesh: boolean, context: RouteContext): Translated {
  const result: Translated = { routes: [], error: undefined };
  for (const [index, rule] of route.spec.rules.entries()) {
    // `matches: []` (the default fills only an absent list) is one route without a match: every request.
    for (const match of rule.matches.length > 0 ? rule.matches : [undefined]) {
      const converted = convertRule(rule, match, route, index, !mesh, context);
      if ('hard' in converted) return { routes: [], error: converted.hard };
      if (converted.error) result.error = converted.error;
      result.routes.push(converted.route);
    }
  }
  return result;
}

type Converted = { route: HttpRoute; error: ConfigError | undefined } | { hard: ConfigError };

function convertRule(rule: RouteRule, match: RouteMatch | undefined, owner: HttpRouteObject, index: number, enforceGrant: boolean, context: RouteContext): Converted {
  const route: HttpRoute = { name: rule.name ?? `${owner.namespace}.${owner.name}.${index}`, ...(match ? { match: [convertMatch(match)] } : {}), route: [] };
  let error: ConfigError | undefined;
  for (const filter of rule.filters ?? []) {
    switch (filter.type) {
      case 'RequestHeaderModifier':
        route.headers = { ...route.headers, request: headerOperations(filter.requestHeaderModifier!) };
        break;
      case 'ResponseHeaderModifier':
        route.headers = { ...route.headers, response: headerOperations(filter.responseHeaderModifier!) };
        break;
      case 'RequestRedirect':
        route.redirect = redirectOf(filter.requestRedirect!);
        break;
      case 'URLRewrite':
        applyRewrite(route, filter.urlRewrite!);
        break;
      case 'RequestMirror': {
        // A mirror that cannot be built is left out, never the route (pilot keeps it as mirrorBackendErr).
        const mirror = destinationOf({ ...filter.requestMirror!.backendRef, weight: 1 }, owner.namespace, enforceGrant, context);
        if ('hard' in mirror) error = mirror.hard;
        else if (mirror.error) error = mirror.error;
        else {
          route.mirror = mirror.destination;
          if (filter.requestMirror!.percent !== undefined) route.mirrorPercentage = { value: filter.requestMirror!.percent };
        }
        break;
      }
      default:
        return { hard: { reason: 'InvalidFilter', message: `unsupported filter type ${JSON.stringify(filter.type)}` } };
    }
  }
  // The route timeout is `request`, replaced by `backendRequest` when both are set: pilot gives backendRequest to the
  // retries' perTryTimeout only when a retry stanza exists, and apply refuses one.
  const timeouts = rule.timeouts;
  if (timeouts?.request) route.timeout = timeouts.request;
  if (timeouts?.backendRequest) route.timeout = timeouts.backendRequest;
  const backends = rule.backendRefs ?? [];
  if (backends.reduce((sum, b) => sum + b.weight, 0) === 0 && !route.redirect) {
    // "the spec requires us to return 500 when there are no >0 weight backends"
    route.directResponse = { status: 500 };
    return { route, error };
  }
  const weighted = backends.filter((b) => b.weight > 0);
  for (const backend of weighted) {
    const built = destinationOf(backend, owner.namespace, enforceGrant, context);
    if ('hard' in built) return built;
    if (built.error) error = built.error;
    const destination: RouteDestination = { destination: built.destination, ...(weighted.length > 1 ? { weight: backend.weight } : {}) };
    for (const filter of backend.filters ?? []) {
      if (filter.type === 'RequestHeaderModifier') destination.headers = { ...destination.headers, request: headerOperations(filter.requestHeaderModifier!) };
      else if (filter.type === 'ResponseHeaderModifier') destination.headers = { ...destination.headers, response: headerOperations(filter.responseHeaderModifier!) };
      else return { hard: { reason: 'InvalidFilter', message: `unsupported filter type ${JSON.stringify(filter.type)}` } };
    }
    route.route.push(destination);
  }
  return { route, error };
}

/**
 * One HTTPRouteMatch as a VirtualService match (createURIMatch, createHeadersMatch, createQueryParamsMatch): a
 * PathPrefix keeps no trailing `/` (Envoy's path_separated_prefix, which compile.ts uses under Gateway semantics);
 * header and parameter names as written (the API server refuses a name twice; header names differing in case are
 * both kept, and Envoy, matching names case-insensitively, requires both).
 */
function convertMatch(match: RouteMatch): HttpMatch {
  const { type, value } = match.path;
  const uri = type === 'Exact' ? { exact: value } : type === 'RegularExpression' ? { regex: value } : { prefix: value === '/' ? '/' : value.replace(/\/$/, '') };
  const out: HttpMatch = { uri };
  const condition = (m: { type: 'Exact' | 'RegularExpression'; value: string }) => (m.type === 'Exact' ? { exact: m.value } : { regex: m.value });
  if (match.headers?.length) out.headers = Object.fromEntries(match.headers.map((h) => [h.name, condition(h)]));
  if (match.queryParams?.length) out.queryParams = Object.fromEntries(match.queryParams.map((q) => [q.name, condition(q)]));
  if (match.method) out.method = { exact: match.method };
  return out;
}

function firstByName<T extends { name: string }>(items: readonly T[], key: (name: string) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(key(item.name)) && seen.add(key(item.name)));
}

/** "Subsequent entries with an equivalent header name MUST be ignored" (headerListToMap): names in lower case. */
function headerOperations(modifier: HeaderModifier): HeaderOperations {
  const toMap = (list: HeaderModifier['set']) =>
    list && list.length > 0 ? Object.fromEntries(firstByName(list, (name) => name.toLowerCase()).map((h) => [h.name.toLowerCase(), h.value])) : undefined;
  const set = toMap(modifier.set);
  const add = toMap(modifier.add);
  return { ...(set ? { set } : {}), ...(add ? { add } : {}), ...(modifier.remove ? { remove: modifier.remove } : {}) };
}

/**
 * createRedirectFilter: with no port, a redirect keeps the request's port when no scheme is given
 * (FROM_REQUEST_PORT) and takes the scheme's default when one is (FROM_PROTOCOL_DEFAULT).
 */
function redirectOf(filter: NonNullable<RouteFilter['requestRedirect']>): NonNullable<HttpRoute['redirect']> {
  const path = filter.path?.type === 'ReplaceFullPath' ? { full: filter.path.replaceFullPath! } : filter.path ? { prefix: filter.path.replacePrefixMatch! } : undefined;
  const port = filter.port ?? (filter.scheme ? 'protocol' : 'request');
  return { scheme: filter.scheme, authority: filter.hostname, port, path, status: filter.statusCode };
}

/** createRewriteFilter: a prefix replacement without its trailing `/` (`/` alone removes the prefix). */
function applyRewrite(route: HttpRoute, filter: NonNullable<RouteFilter['urlRewrite']>): void {
  const rewrite: NonNullable<HttpRoute['rewrite']> = {};
  if (filter.path?.type === 'ReplacePrefixMatch') rewrite.uri = filter.path.replacePrefixMatch!.replace(/\/$/, '') || '/';
  if (filter.path?.type === 'ReplaceFullPath') route.fullPathRewrite = filter.path.replaceFullPath!;
  if (filter.hostname) rewrite.authority = filter.hostname;
  if (rewrite.uri !== undefined || rewrite.authority !== undefined) route.rewrite = rewrite;
}

type BuiltDestination = { destination: Destination; error: ConfigError | undefined } | { hard: ConfigError };

/**
 * buildDestination: a Service backend as `<name>.<namespace>.svc.cluster.local` on its port. A backend of another
 * kind, or in another namespace without a ReferenceGrant (Gateway parents only), gets no host: Envoy finds no
 * cluster for it and answers 500 for its share; so does a Service that does not exist.
 */
function destinationOf(backend: BackendRef, namespace: string, enforceGrant: boolean, context: RouteContext): BuiltDestination {
  const to = backend.namespace ?? namespace;
  if (enforceGrant && to !== namespace && !allowsBackend(context.grants, { fromNamespace: namespace, group: backend.group, kind: backend.kind, name: backend.name, namespace: to })) {
    return { destination: { host: '' }, error: { reason: 'RefNotPermitted', message: `backendRef ${backend.name}/${to} not accessible to a HTTPRoute in namespace ${JSON.stringify(namespace)} (missing a ReferenceGrant?)` } };
  }
  if (backend.group !== '' || backend.kind !== 'Service') {
    return { destination: { host: '' }, error: { reason: 'InvalidKind', message: `referencing unsupported backendRef: group ${JSON.stringify(backend.group)} kind ${JSON.stringify(backend.kind)}` } };
  }
  if (backend.name.includes('.')) return { hard: { reason: 'InvalidDestination', message: 'service name invalid; the name of the Service must be used, not the hostname.' } };
  const host = serviceFqdn(backend.name, to);
  const error: ConfigError | undefined = context.serviceExists(to, backend.name) ? undefined : { reason: 'BackendNotFound', message: `backend(${host}) not found` };
  // A Service reference has a port: the API server refuses one without (gateway-api-schemas.ts).
  return { destination: { host, port: { number: backend.port! } }, error };
}

/**
 * Routes in the order the Gateway API defines (sortHTTPRoutes, stable): a route with a match before one without;
 * Exact before PathPrefix before RegularExpression, then the longer path, a method before none, more headers, more
 * query parameters. Routes tied keep their order (the oldest HTTPRoute's first).
 */
export function sortRoutes(routes: HttpRoute[]): HttpRoute[] {
  const rank = (m: HttpMatch) => (m.uri?.exact !== undefined ? 3 : m.uri?.prefix !== undefined ? 2 : m.uri?.regex !== undefined ? 1 : -1);
  const length = (m: HttpMatch) => (m.uri?.exact ?? m.uri?.prefix ?? m.uri?.regex ?? '').length;
  const count = (record: Record<string, unknown> | undefined) => Object.keys(record ?? {}).length;
  return [...routes].sort((a, b) => {
    const [m1, m2] = [a.match?.[0], b.match?.[0]];
    if (!m1) return m2 ? 1 : 0;
    if (!m2) return -1;
    return (
      rank(m2) - rank(m1) ||
      length(m2) - length(m1) ||
      Number(m2.method !== undefined) - Number(m1.method !== undefined) ||
      count(m2.headers) - count(m1.headers) ||
      count(m2.queryParams) - count(m1.queryParams)
    );
  });
}
