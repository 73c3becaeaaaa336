import type { HeaderOperations, HttpMatch } from '../api/istio-schemas.js';
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
