/** RFC 3986 unreserved characters: their percent-encodings are decoded by URL canonicalization. */
// Stryker disable next-line Regex: it only ever tests one character, so the anchors change nothing
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * Envoy's normalize_path, which Istio turns on for every proxy by default (meshConfig.pathNormalization BASE), as
 * Chromium's URL canonicalizer that Envoy uses does it (url_canon_path.cc): `\` is a `/`, percent-encoded unreserved
 * characters are decoded (`%61` is `a`, `%2E` a dot), and dot segments are resolved as RFC 3986 §5.2.4 says; `//`, a
 * trailing `/` and other escapes (`%2F`) stay. Routing, authorization and the destination all see the normalized
 * path (istio.io docs/reference/config/security/normalization; tests/integration/security/normalization_test.go).
 */
export function normalizePath(url: string): string {
  if (!url.startsWith('/') && !url.startsWith('\\')) return url;
  const queryStart = url.indexOf('?');
  // Stryker disable next-line EqualityOperator: the url starts with / or \ here, so a ? is never at index 0
  const raw = queryStart < 0 ? url : url.slice(0, queryStart);
  // Stryker disable next-line EqualityOperator: as above, a ? is never at index 0
  const query = queryStart < 0 ? '' : url.slice(queryStart);
  // Stryker disable next-line ConditionalExpression,Regex: a shortcut: normalizing a path without \, % or a segment starting with a dot gives it back unchanged; raw never starts with a dot
  if (!/[\\%]|(^|\/)\./.test(raw)) return url;
  const path = raw.replace(/\\/g, '/').replace(/%([\da-f]{2})/gi, (escape, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : escape;
  });
  const segments = path.split('/');
  const kept: string[] = [];
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i]!;
    const last = i === segments.length - 1;
    if (segment === '.' || segment === '..') {
      if (segment === '..') kept.pop();
      // A path ending in a dot segment names a directory: it keeps its trailing slash.
      if (last) kept.push('');
      continue;
    }
    kept.push(segment);
  }
  return `/${kept.join('/')}${query}`;
}
