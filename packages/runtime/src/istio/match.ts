import type { IncomingHttpHeaders } from 'node:http';
import { RE2JS } from 're2js';
import type { SourceIdentity } from '../router.js';
import type { HttpMatch, StringMatch } from './schemas.js';

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

/** An empty StringMatch (`{}`) only asks that the value be present. */
export function stringMatches(match: StringMatch, value: string | undefined, ignoreCase = false): boolean {
  if (value === undefined) return false;
  const subject = ignoreCase ? value.toLowerCase() : value;
  if (match.exact !== undefined) return subject === (ignoreCase ? match.exact.toLowerCase() : match.exact);
  if (match.prefix !== undefined) return subject.startsWith(ignoreCase ? match.prefix.toLowerCase() : match.prefix);
  if (match.regex !== undefined) return re2(match.regex).matches(value);
  return true;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * One HTTPMatchRequest: every condition it names must hold. `gateways` names are resolved by the caller (the
 * VirtualService's namespace applies to short names).
 */
export function requestMatches(match: HttpMatch, request: RequestFacts, matchGateways?: ReadonlySet<string>): boolean {
  const queryStart = request.url.indexOf('?');
  const path = queryStart < 0 ? request.url : request.url.slice(0, queryStart);
  if (match.uri && !stringMatches(match.uri, path, match.ignoreUriCase)) return false;
  if (match.method && !stringMatches(match.method, request.method)) return false;
  if (match.port !== undefined && match.port !== request.port) return false;
  for (const [name, condition] of Object.entries(match.headers ?? {})) {
    if (!stringMatches(condition, headerValue(request.headers, name))) return false;
  }
  for (const [name, condition] of Object.entries(match.withoutHeaders ?? {})) {
    if (stringMatches(condition, headerValue(request.headers, name))) return false;
  }
  if (match.queryParams) {
    const query = new URLSearchParams(queryStart < 0 ? '' : request.url.slice(queryStart + 1));
    for (const [name, condition] of Object.entries(match.queryParams)) {
      if (!stringMatches(condition, query.get(name) ?? undefined)) return false;
    }
  }
  for (const [key, value] of Object.entries(match.sourceLabels ?? {})) {
    if (request.source.labels[key] !== value) return false;
  }
  if (match.sourceNamespace !== undefined && match.sourceNamespace !== request.source.namespace) return false;
  if (matchGateways && ![...matchGateways].some((g) => request.gateways.has(g))) return false;
  return true;
}

/** Every regex in a VirtualService's matches, for validation at apply time. */
export function regexesOf(match: HttpMatch): string[] {
  const all = [match.uri, match.method, ...Object.values(match.headers ?? {}), ...Object.values(match.withoutHeaders ?? {}), ...Object.values(match.queryParams ?? {})];
  return all.flatMap((m) => (m?.regex !== undefined ? [m.regex] : []));
}
