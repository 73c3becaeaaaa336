/**
 * Envoy's normalize_path, which Istio turns on for every proxy by default (meshConfig.pathNormalization BASE):
 * dot segments are resolved as RFC 3986 §5.2.4 says, `%2E` counting as a dot; `//`, a trailing `/` and other
 * escapes stay as they are. Routing, authorization and the destination all see the normalized path
 * (istio.io docs/reference/config/security/normalization; tests/integration/security/normalization_test.go).
 */
export function normalizePath(url: string): string {
  if (!url.startsWith('/')) return url;
  const queryStart = url.indexOf('?');
  const path = queryStart < 0 ? url : url.slice(0, queryStart);
  const query = queryStart < 0 ? '' : url.slice(queryStart);
  if (!/(^|\/)(\.|%2e)/i.test(path)) return url;
  const segments = path.split('/');
  const kept: string[] = [];
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i]!;
    const dots = segment.replace(/%2e/gi, '.');
    const last = i === segments.length - 1;
    if (dots === '.' || dots === '..') {
      if (dots === '..') kept.pop();
      // A path ending in a dot segment names a directory: it keeps its trailing slash.
      if (last) kept.push('');
      continue;
    }
    kept.push(segment);
  }
  return `/${kept.join('/')}${query}`;
}
