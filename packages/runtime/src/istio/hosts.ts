import { serviceFqdn } from '../k8s/names.js';

/**
 * A host named in an Istio object, resolved from the object's namespace as pilot's ResolveShortnameToFQDN does: a
 * bare name (`reviews`) is a Service in that namespace; anything else (an FQDN, a wildcard, an external name, and
 * `reviews.ns`, which Istio does not complete) stays as written, in lower case.
 */
export function qualifyHost(host: string, namespace: string): string {
  const lower = host.toLowerCase();
  return lower.includes('.') || lower.includes('*') ? lower : serviceFqdn(lower, namespace);
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

/** The gateways a VirtualService is bound to; none listed means the mesh (every sidecar). */
export function boundGateways(spec: { gateways?: string[] | undefined }, namespace: string): Set<string> {
  const gateways = spec.gateways ?? [];
  return new Set(gateways.length === 0 ? ['mesh'] : gateways.map((g) => qualifyGateway(g, namespace)));
}

/** Whether an object with `exportTo` in `namespace` is visible to a caller in `from` (default: everywhere). */
export function visibleFrom(exportTo: string[] | undefined, namespace: string, from: string): boolean {
  if (!exportTo || exportTo.length === 0) return true;
  return exportTo.some((entry) => entry === '*' || (entry === '.' ? namespace === from : entry === from));
}
