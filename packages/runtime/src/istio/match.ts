import type { IncomingHttpHeaders } from 'node:http';
import { RE2JS } from 're2js';
import type { HttpMatch, StringMatch } from '../api/istio-schemas.js';
import type { SourceIdentity } from '../k8s/identity.js';

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
  if (!regex) {
    regex = RE2JS.compile(pattern);
    compiled.set(pattern, regex);
  }
  return regex;
}

/** A StringMatch as a predicate, its case folding and regex prepared once. An empty one (`{}`) asks for presence. */
function compileStringMatch(match: StringMatch, ignoreCase = false): (value: string | undefined) => boolean {
  const fold = (text: string) => (ignoreCase ? text.toLowerCase() : text);
  if (match.exact !== undefined) {
    const exact = fold(match.exact);
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

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * One HTTPMatchRequest: every condition it names must hold. `gateways` are the match's own gateway names, resolved
 * by the caller (the VirtualService's namespace applies to short names).
 */
export function compileMatch(match: HttpMatch, gateways?: ReadonlySet<string>): RequestMatcher {
  const checks: RequestMatcher[] = [];
  if (match.uri) {
    const uri = compileStringMatch(match.uri, match.ignoreUriCase);
    checks.push((request) => {
      const queryStart = request.url.indexOf('?');
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
    checks.push((request) => test(headerValue(request.headers, header)));
  }
  for (const [name, condition] of Object.entries(match.withoutHeaders ?? {})) {
    const [header, test] = [name.toLowerCase(), compileStringMatch(condition)];
    checks.push((request) => !test(headerValue(request.headers, header)));
  }
  const queryParams = Object.entries(match.queryParams ?? {}).map(([name, condition]) => [name, compileStringMatch(condition)] as const);
  if (match.queryParams) {
    checks.push((request) => {
      const queryStart = request.url.indexOf('?');
      const query = new URLSearchParams(queryStart < 0 ? '' : request.url.slice(queryStart + 1));
      return queryParams.every(([name, test]) => test(query.get(name) ?? undefined));
    });
  }
  const sourceLabels = Object.entries(match.sourceLabels ?? {});
  if (sourceLabels.length > 0) checks.push((request) => sourceLabels.every(([key, value]) => request.source.labels[key] === value));
  if (match.sourceNamespace !== undefined) {
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
  const all = [match.uri, match.method, ...Object.values(match.headers ?? {}), ...Object.values(match.withoutHeaders ?? {}), ...Object.values(match.queryParams ?? {})];
  return all.flatMap((m) => (m?.regex !== undefined ? [m.regex] : []));
}
