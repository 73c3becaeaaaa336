import { boundGateways, qualifyHost } from './hosts.js';

/** What the per-host rule reads of a VirtualService, whether the runtime holds it or lint read it from a file. */
export interface HostClaimant {
  /** Identifies the object: two files may hold versions of one VirtualService (the canary's), which do not conflict. */
  key: string;
  namespace: string;
  hosts: readonly string[];
  gateways?: string[] | undefined;
  exportTo?: string[] | undefined;
}

export interface HostConflict<T> {
  host: string;
  /** Index of the host in the claimant's `hosts`. */
  index: number;
  claimant: T;
  owner: T;
}

/** The namespaces a VirtualService is visible to: every one (`*`, or no exportTo), or those it names (`.` is its own). */
function audience(vs: HostClaimant): Set<string> | 'all' {
  const exportTo = vs.exportTo ?? [];
  if (exportTo.length === 0 || exportTo.includes('*')) return 'all';
  return new Set(exportTo.map((entry) => (entry === '.' ? vs.namespace : entry)));
}

function overlap(a: Set<string> | 'all', b: Set<string> | 'all'): boolean {
  if (a === 'all' || b === 'all') return true;
  return [...a].some((namespace) => b.has(namespace));
}

/**
 * The project's rule, from design.md ("one VirtualService per host, mesh-wide"): which of two VirtualServices for
 * one mesh host a sidecar uses is undefined in Istio, unless exportTo keeps every caller from seeing both. Yields
 * every host (fully qualified from its object's namespace) that a second VirtualService claims for callers the first
 * is also visible to; the first one seen stays the owner.
 */
export function* meshHostConflicts<T>(items: Iterable<T>, read: (item: T) => HostClaimant): Generator<HostConflict<T>> {
  const owners = new Map<string, { item: T; key: string; audience: Set<string> | 'all' }[]>();
  for (const item of items) {
    const vs = read(item);
    if (!boundGateways(vs, vs.namespace).has('mesh')) continue;
    const seenBy = audience(vs);
    for (const [index, written] of vs.hosts.entries()) {
      const host = qualifyHost(written, vs.namespace);
      const claims = owners.get(host) ?? [];
      const owner = claims.find((claim) => claim.key !== vs.key && overlap(claim.audience, seenBy));
      if (owner) yield { host, index, claimant: item, owner: owner.item };
      else if (!claims.some((claim) => claim.key === vs.key)) owners.set(host, [...claims, { item, key: vs.key, audience: seenBy }]);
    }
  }
}
