import type { HeaderOperations, HttpMatch, HttpRoute } from '../api/istio-schemas.js';
import type { Headers } from '../lib/headers.js';
import { compareText } from '../lib/compare.js';

/** One level of Envoy header mutation: removals, then additions in order (Envoy HeaderParser: remove before add). */
interface HeaderMutation {
  remove: string[];
  add: { name: string; value: string; overwrite: boolean }[];
}

/**
 * Istio's translation of VirtualService header operations (pilot route.go TranslateHeadersOperations,
 * translateAppendHeaders): `set` entries sorted by name (OVERWRITE_IF_EXISTS_OR_ADD), then `add` entries
 * (APPEND_IF_EXISTS_OR_ADD); names are case-insensitive; `host` or `:authority` is an authority rewrite.
 */
function mutationOf(operations: HeaderOperations | undefined): HeaderMutation {
  const named = (name: string) => (name.toLowerCase() === ':authority' ? 'host' : name.toLowerCase());
  const sets = Object.entries(operations?.set ?? {})
    .map(([name, value]) => ({ name: named(name), value, overwrite: true }))
    .sort((a, b) => compareText(a.name, b.name));
  const adds = Object.entries(operations?.add ?? {}).map(([name, value]) => ({ name: named(name), value, overwrite: named(name) === 'host' }));
  // Stryker disable next-line ArrayDeclaration: "stryker was here" is no HTTP header name (no spaces in a token): no request has it to remove
  return { remove: (operations?.remove ?? []).map(named), add: [...sets, ...adds] };
}

/**
 * One list as Envoy's HeaderParser evaluates it: removals, then every overwrite, then every append, each in list
 * order; an empty value is skipped (header_parser.cc evaluateHeaders).
 */
function apply(headers: Headers, mutation: HeaderMutation): void {
  for (const name of mutation.remove) delete headers[name];
  const additions = mutation.add.filter(({ value }) => value !== '');
  for (const { name, value } of additions.filter((a) => a.overwrite)) headers[name] = value;
  for (const { name, value } of additions.filter((a) => !a.overwrite)) {
    const existing = headers[name];
    headers[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
}

/**
 * A route's and its chosen destination's header operations, as Envoy applies what pilot made of them: with one
 * destination both go into the route's lists (the destination's after the route's, so its `set` wins); with several,
 * the destination's are the weighted cluster's and Envoy applies them before the route's
 * (pilot route.go processDestination / processWeightedDestination).
 */
export function applyHeaderOperations(headers: Headers, route: HeaderOperations | undefined, destination: HeaderOperations | undefined, weighted: boolean): void {
  const [ofRoute, ofDestination] = [mutationOf(route), mutationOf(destination)];
  if (weighted) {
    apply(headers, ofDestination);
    apply(headers, ofRoute);
  } else {
    apply(headers, { remove: [...ofRoute.remove, ...ofDestination.remove], add: [...ofRoute.add, ...ofDestination.add] });
  }
}

/**
 * rewrite.uri is Envoy's prefix_rewrite (pilot route.go applyHTTPRouteDestination): the matched uri prefix is
 * replaced; a match without a uri condition is prefix `/` to Envoy, so `/` is what is replaced; after an exact or
 * regex uri match the whole path is. The query string is kept.
 */
export function rewriteUri(url: string, replacement: string, matched: HttpMatch | undefined): string {
  const queryStart = url.indexOf('?');
  // Stryker disable next-line EqualityOperator: Node refuses a request-target starting with '?' (400), so '?' is never at 0
  const path = queryStart < 0 ? url : url.slice(0, queryStart);
  // Stryker disable next-line EqualityOperator: as above
  const query = queryStart < 0 ? '' : url.slice(queryStart);
  const prefix = matched?.uri === undefined ? '/' : matched.uri.prefix;
  // The prefix matched case-insensitively under ignoreUriCase: it is its length that is replaced.
  const fold = (text: string) => (matched?.ignoreUriCase ? text.toLowerCase() : text);
  const rewritten = prefix !== undefined && fold(path).startsWith(fold(prefix)) ? replacement + path.slice(prefix.length) : replacement;
  return (rewritten.startsWith('/') ? rewritten : `/${rewritten}`) + query;
}

/**
 * The path (and query) a request is forwarded with: a Gateway API ReplaceFullPath replaces the whole path (pilot's
 * uriRegexRewrite `/.*`); under Gateway semantics a ReplacePrefixMatch of `/` removes the matched prefix and the `/`
 * after it (pilot's regex `^<prefix>(/?)(.*)` → `/\2`, route.go applyHTTPRouteDestination); any other rewrite.uri
 * is Envoy's prefix_rewrite (rewriteUri). The query string is kept.
 */
export function rewritePath(url: string, route: Pick<HttpRoute, 'rewrite' | 'fullPathRewrite'>, matched: HttpMatch | undefined, gatewaySemantics: boolean): string {
  const queryStart = url.indexOf('?');
  const path = queryStart < 0 ? url : url.slice(0, queryStart);
  const query = queryStart < 0 ? '' : url.slice(queryStart);
  if (route.fullPathRewrite !== undefined) return route.fullPathRewrite + query;
  const uri = route.rewrite?.uri;
  // An empty rewrite.uri rewrites nothing (pilot route.go applyHTTPRouteDestination).
  if (!uri) return url;
  if (gatewaySemantics && uri === '/') {
    // The prefix here is path-separated, so what follows it is empty or starts with `/`; `/` alone is a plain prefix.
    const prefix = matched?.uri?.prefix === '/' ? '' : (matched?.uri?.prefix ?? '');
    return `/${path.startsWith(prefix) ? path.slice(prefix.length).replace(/^\//, '') : path.replace(/^\//, '')}${query}`;
  }
  return rewriteUri(url, uri, matched);
}

/** What a request carries that a redirect is built from. */
export interface RedirectRequest {
  /** The Host header, with its port if it has one. */
  authority: string;
  url: string;
  /** The listener port the request came to (a gateway's) or the Service port (a sidecar's). */
  port: number;
}

/**
 * The Location of a redirect as Envoy builds it (source/common/http/utility.cc newUri, processRequestHost) from what
 * pilot gives it (route.go ApplyRedirect): the scheme, else the request's (`http` here); the host, else the request's
 * Host, whose port is dropped when a port is given or the scheme changes from its default port; `:port` unless it is
 * the scheme's default (pilot drops 80 for http, 443 for https); the path replaced whole or by prefix (the query kept
 * unless the new path has one).
 */
export function redirectLocation(redirect: NonNullable<HttpRoute['redirect']>, request: RedirectRequest, matched: HttpMatch | undefined): string {
  const scheme = redirect.scheme ?? 'http';
  let port = redirect.port === 'request' ? request.port : redirect.port === 'protocol' ? undefined : redirect.port;
  if ((port === 80 && scheme === 'http') || (port === 443 && scheme === 'https')) port = undefined;
  let host = redirect.authority;
  if (host === undefined) {
    host = request.authority;
    const requestPort = /:(\d+)$/.exec(host)?.[1];
    const schemeChanged = scheme !== 'http';
    if (requestPort !== undefined && (port !== undefined || (schemeChanged && requestPort === '80'))) host = host.slice(0, -requestPort.length - 1);
  }
  const queryStart = request.url.indexOf('?');
  const query = queryStart < 0 ? '' : request.url.slice(queryStart);
  let path = queryStart < 0 ? request.url : request.url.slice(0, queryStart);
  if (redirect.path && 'full' in redirect.path) path = redirect.path.full.includes('?') ? redirect.path.full : redirect.path.full + query;
  else if (redirect.path) path = prefixRedirect(path, redirect.path.prefix, matched) + query;
  else path += query;
  return `${scheme}://${host}${port === undefined ? '' : `:${port}`}${path}`;
}

/**
 * Envoy's redirect prefix_rewrite: the matched (path-separated) prefix replaced; a replacement ending in `/` does not
 * double the `/` that follows the prefix.
 */
function prefixRedirect(path: string, replacement: string, matched: HttpMatch | undefined): string {
  const prefix = matched?.uri?.prefix ?? '/';
  const rest = path.startsWith(prefix) ? path.slice(prefix.length) : path;
  return replacement.endsWith('/') && rest.startsWith('/') ? replacement + rest.slice(1) : replacement + rest;
}
