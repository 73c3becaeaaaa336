const CLUSTER_DOMAIN = 'svc.cluster.local';

/**
 * A host named in an Istio object, resolved from the object's namespace: a short name (`reviews`) is a Service in
 * that namespace; `reviews.ns` and `reviews.ns.svc` are completed to the FQDN; anything else (an FQDN, a wildcard,
 * an external name) stays as written.
 */
export function qualifyHost(host: string, namespace: string): string {
  const lower = host.toLowerCase();
  if (lower === '*' || lower.startsWith('*.')) return lower;
  const parts = lower.split('.');
  if (parts.length === 1) return `${lower}.${namespace}.${CLUSTER_DOMAIN}`;
  if (parts.length === 2) return `${lower}.${CLUSTER_DOMAIN}`;
  if (parts.length === 3 && parts[2] === 'svc') return `${lower}.cluster.local`;
  return lower;
}

/** Istio host matching: `*` matches everything, `*.example.com` any name under it, else equality. */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
  return pattern === host;
}

/** A gateway reference (`name` or `namespace/name`) as `namespace/name`; `mesh` stays `mesh`. */
export function qualifyGateway(reference: string, namespace: string): string {
  if (reference === 'mesh') return reference;
  return reference.includes('/') ? reference : `${namespace}/${reference}`;
}

/** Whether an object with `exportTo` in `namespace` is visible to a caller in `from` (default: everywhere). */
export function visibleFrom(exportTo: string[] | undefined, namespace: string, from: string): boolean {
  if (!exportTo || exportTo.length === 0) return true;
  return exportTo.some((entry) => entry === '*' || (entry === '.' ? namespace === from : entry === from));
}
