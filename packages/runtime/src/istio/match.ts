import type { IncomingHttpHeaders } from 'node:http';
import { RE2JS } from 're2js';
import type { HttpMatch, StringMatch } from '../api/istio-schemas.js';
import type { SourceIdentity } from '../k8s/identity.js';
import { headerValue } from '../lib/headers.js';

/** What a match condition can look at in one request. */
export interface RequestFacts {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The port the caller addressed (the Service port). */
  port: number;
  source: SourceIdentity;
  /** `mesh` for sidecar traffic, else the `namespace/name` of each Gateway the request came through. */
  gateways: ReadonlySet<string>;
}

/** One HTTPMatchRequest translated once: a predicate over a request's facts. */
export type RequestMatcher = (request: RequestFacts) => boolean;

const compiled = new Map<string, RE2JS>();

/** RE2 syntax, matched against the whole value, as Envoy's safe_regex does. Throws on an invalid pattern. */
export function re2(pattern: string): RE2JS {
  let regex = compiled.get(pattern);
  // Stryker disable next-line ConditionalExpression: only the cache: compiling a pattern again gives the same regex
  if (!regex) {
    regex = RE2JS.compile(pattern);
    // Stryker disable next-line CallExpression: only the cache: compiling a pattern again gives the same regex
    compiled.set(pattern, regex);
  }
  return regex;
}

/** A StringMatch as a predicate, its case folding and regex prepared once. An empty one (`{}`) asks for presence. */
function compileStringMatch(match: StringMatch, ignoreCase = false): (value: string | undefined) => boolean {
  const fold = (text: string) => (ignoreCase ? text.toLowerCase() : text);
  if (match.exact !== undefined) {
    const exact = fold(match.exact);
    // Stryker disable next-line ConditionalExpression: undefined never equals a string, and only the uri (always present) is case-folded
    return (value) => value !== undefined && fold(value) === exact;
  }
  if (match.prefix !== undefined) {
    const prefix = fold(match.prefix);
    return (value) => value !== undefined && fold(value).startsWith(prefix);
  }
  if (match.regex !== undefined) {
    const regex = re2(match.regex);
    return (value) => value !== undefined && regex.matches(value);
  }
  return (value) => value !== undefined;
}

/**
 * A header's value as Envoy's header matcher sees it; the pseudo-headers HTTP/2 would carry (`:method`,
 * `:authority`, `:path`, `:scheme`) are the request line's parts, as Istio's "pseudo header matches" test expects.
 */
function requestHeader(request: RequestFacts, name: string): string | undefined {
  switch (name) {
    case ':method':
      return request.method;
    case ':authority':
      // Stryker disable next-line ConditionalExpression: Node gives host as a string or not at all
      return typeof request.headers.host === 'string' ? request.headers.host : undefined;
    case ':path':
      return request.url;
    case ':scheme':
      return 'http';
  }
  return headerValue(request.headers, name);
}

/**
 * Envoy's path_separated_prefix, which pilot gives a Gateway API PathPrefix (route.go TranslateRouteMatch under
 * Gateway semantics): the path is the prefix, or the prefix and then `/` (so `/foo` matches `/foo/bar`, not `/foobar`).
 */
function pathSeparated(prefix: string): (path: string | undefined) => boolean {
  return (path) => path !== undefined && (path === prefix || path.startsWith(`${prefix}/`));
}

/** In withoutHeaders, regex `*` is Istio's way to say "present" (pilot route.go canBeConvertedToPresentMatch). */
const isPresenceRegex = (match: StringMatch) => match.regex === '*';

/**
 * One HTTPMatchRequest, as pilot's TranslateRouteMatch gives it to Envoy: every condition it names must hold.
 * `gateways` are the match's own gateway names, resolved by the caller (the VirtualService's namespace applies to
 * short names); a match that names gateways ignores sourceLabels and sourceNamespace (pilot route.go
 * sourceMatchHTTP).
 */
export function compileMatch(match: HttpMatch, gateways?: ReadonlySet<string>, pathSeparatedPrefix = false): RequestMatcher {
  const checks: RequestMatcher[] = [];
  if (match.uri) {
    const uri = pathSeparatedPrefix && match.uri.prefix !== undefined && match.uri.prefix !== '/' ? pathSeparated(match.uri.prefix) : compileStringMatch(match.uri, match.ignoreUriCase);
    checks.push((request) => {
      const queryStart = request.url.indexOf('?');
      // Stryker disable next-line EqualityOperator: Node refuses a request-target starting with '?' (400), so '?' is never at 0
      return uri(queryStart < 0 ? request.url : request.url.slice(0, queryStart));
    });
  }
  if (match.method) {
    const method = compileStringMatch(match.method);
    checks.push((request) => method(request.method));
  }
  if (match.port !== undefined) {
    const port = match.port;
    checks.push((request) => request.port === port);
  }
  for (const [name, condition] of Object.entries(match.headers ?? {})) {
    const [header, test] = [name.toLowerCase(), compileStringMatch(condition)];
    checks.push((request) => test(requestHeader(request, header)));
  }
  for (const [name, condition] of Object.entries(match.withoutHeaders ?? {})) {
    // Inverted, and an absent header counts as empty unless the condition only asks for presence
    // (treat_missing_header_as_empty): `withoutHeaders: {x: {exact: ""}}` excludes requests without x too.
    const presence = isPresenceRegex(condition) || Object.keys(condition).length === 0;
    const [header, test] = [name.toLowerCase(), compileStringMatch(presence ? {} : condition)];
    checks.push((request) => !test(requestHeader(request, header) ?? (presence ? undefined : '')));
  }
  const queryParams = Object.entries(match.queryParams ?? {}).map(([name, condition]) => [name, compileStringMatch(condition)] as const);
  // Stryker disable next-line ConditionalExpression: without queryParams the check is every() over none, which holds
  if (match.queryParams) {
    checks.push((request) => {
      const queryStart = request.url.indexOf('?');
      // Stryker disable next-line EqualityOperator: Node refuses a request-target starting with '?' (400), so '?' is never at 0
      const query = new URLSearchParams(queryStart < 0 ? '' : request.url.slice(queryStart + 1));
      return queryParams.every(([name, test]) => test(query.get(name) ?? undefined));
    });
  }
  const sourceLabels = gateways ? [] : Object.entries(match.sourceLabels ?? {});
  // Stryker disable next-line ConditionalExpression,EqualityOperator: with no labels the check is every() over none, which holds
  if (sourceLabels.length > 0) {
    checks.push((request) => sourceLabels.every(([key, value]) => request.source.labels[key] === value));
  }
  if (match.sourceNamespace !== undefined && !gateways) {
    const namespace = match.sourceNamespace;
    checks.push((request) => request.source.namespace === namespace);
  }
  if (gateways) {
    const names = [...gateways];
    checks.push((request) => names.some((g) => request.gateways.has(g)));
  }
  return (request) => checks.every((check) => check(request));
}

/** Every regex in a VirtualService's matches, for validation at apply time. */
export function regexesOf(match: HttpMatch): string[] {
  const withoutHeaders = Object.values(match.withoutHeaders ?? {}).filter((m) => !isPresenceRegex(m));
  const all = [match.uri, match.method, ...Object.values(match.headers ?? {}), ...withoutHeaders, ...Object.values(match.queryParams ?? {})];
  // Stryker disable next-line ArrayDeclaration: the stand-in "Stryker was here" is valid RE2, so validation refuses nothing more
  return all.flatMap((m) => (m?.regex !== undefined ? [m.regex] : []));
}
