import type { IncomingHttpHeaders } from 'node:http';

export type Headers = Record<string, string | string[]>;

/** Headers that describe one connection, not the request (RFC 9110 §7.6.1); a proxy must not pass them on. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
]);

export function endToEnd(headers: IncomingHttpHeaders): Headers {
  const result: Headers = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) result[name] = value;
  }
  return result;
}

/** A header's value by name (any case), several values joined with `,` as one field (RFC 9110 §5.3). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : value;
}

/** A header map's size as Envoy counts it (HeaderMap::byteSize): the lengths of every name and value. */
export function headerBytes(headers: Record<string, string | string[] | number | undefined>): number {
  let total = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) total += name.length + Buffer.byteLength(String(one));
  }
  return total;
}
