import type { HeaderOperations, HttpMatch } from '../api/istio-schemas.js';
import type { Headers } from '../lib/headers.js';

/** One level of Envoy header mutation: removals, then additions in order (Envoy HeaderParser: remove before add). */
interface HeaderMutation {
  remove: string[];
  add: { name: string; value: string; overwrite: boolean }[];
}

/**
 * Istio's translation of VirtualService header operations (pilot route.go TranslateHeadersOperations): `set` entries
 * sorted by name (OVERWRITE_IF_EXISTS_OR_ADD), then `add` entries (APPEND_IF_EXISTS_OR_ADD); names are
 * case-insensitive.
 */
function mutationOf(operations: HeaderOperations | undefined): HeaderMutation {
  const sets = Object.entries(operations?.set ?? {})
    .map(([name, value]) => ({ name: name.toLowerCase(), value, overwrite: true }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const adds = Object.entries(operations?.add ?? {}).map(([name, value]) => ({ name: name.toLowerCase(), value, overwrite: false }));
  return { remove: (operations?.remove ?? []).map((name) => name.toLowerCase()), add: [...sets, ...adds] };
}

function apply(headers: Headers, mutation: HeaderMutation): void {
  for (const name of mutation.remove) delete headers[name];
  for (const { name, value, overwrite } of mutation.add) {
    const existing = headers[name];
    headers[name] = overwrite || existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
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
  const path = queryStart < 0 ? url : url.slice(0, queryStart);
  const query = queryStart < 0 ? '' : url.slice(queryStart);
  const prefix = matched?.uri === undefined ? '/' : matched.uri.prefix;
  const rewritten = prefix !== undefined && path.startsWith(prefix) ? replacement + path.slice(prefix.length) : replacement;
  return (rewritten.startsWith('/') ? rewritten : `/${rewritten}`) + query;
}
