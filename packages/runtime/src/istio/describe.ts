import type { HttpMatch, RouteDestination } from '../api/istio-schemas.js';

/** One match condition in a line, e.g. `uri^=/api,end-user=jason` (`*` for a match that takes everything). */
export function describeMatch(match: HttpMatch): string {
  const parts: string[] = [];
  const describe = (m: { exact?: string; prefix?: string; regex?: string }) =>
    m.exact !== undefined ? `=${m.exact}` : m.prefix !== undefined ? `^=${m.prefix}` : m.regex !== undefined ? `~${m.regex}` : ' present';
  if (match.uri) parts.push(`uri${describe(match.uri)}`);
  if (match.method) parts.push(`method${describe(match.method)}`);
  for (const [name, m] of Object.entries(match.headers ?? {})) parts.push(`${name}${describe(m)}`);
  for (const [name, m] of Object.entries(match.withoutHeaders ?? {})) parts.push(`!${name}${describe(m)}`);
  for (const [name, m] of Object.entries(match.queryParams ?? {})) parts.push(`?${name}${describe(m)}`);
  if (match.sourceNamespace) parts.push(`from ns ${match.sourceNamespace}`);
  for (const [k, v] of Object.entries(match.sourceLabels ?? {})) parts.push(`from ${k}=${v}`);
  return parts.join(',') || '*';
}

/** A route's destination as written: `host/subset 50%`. */
export function describeDestination(d: RouteDestination): string {
  return `${d.destination.host}${d.destination.subset ? `/${d.destination.subset}` : ''}${d.weight !== undefined ? ` ${d.weight}%` : ''}`;
}
