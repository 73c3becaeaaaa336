import type { Headers } from '../lib/headers.js';
import type { HeaderOperations, HttpMatch } from '../api/istio-schemas.js';

/** VirtualService header operations: `set` replaces, `add` appends, `remove` deletes (names are case-insensitive). */
export function applyHeaderOperations(headers: Headers, operations: HeaderOperations | undefined): void {
  if (!operations) return;
  for (const [name, value] of Object.entries(operations.set ?? {})) headers[name.toLowerCase()] = value;
  for (const [name, value] of Object.entries(operations.add ?? {})) {
    const key = name.toLowerCase();
    const existing = headers[key];
    headers[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  for (const name of operations.remove ?? []) delete headers[name.toLowerCase()];
}

/**
 * rewrite.uri: when the route matched on a uri prefix, that prefix is replaced; otherwise the whole path is. The
 * query string is kept.
 */
export function rewriteUri(url: string, replacement: string, matched: HttpMatch | undefined): string {
  const queryStart = url.indexOf('?');
  const path = queryStart < 0 ? url : url.slice(0, queryStart);
  const query = queryStart < 0 ? '' : url.slice(queryStart);
  const prefix = matched?.uri?.prefix;
  const rewritten = prefix !== undefined && path.startsWith(prefix) ? replacement + path.slice(prefix.length) : replacement;
  return (rewritten.startsWith('/') ? rewritten : `/${rewritten}`) + query;
}
