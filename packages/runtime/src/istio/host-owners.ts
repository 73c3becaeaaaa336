import { boundGateways, qualifyHost } from './hosts.js';

/** What the per-host rule reads of a VirtualService, whether the runtime holds it or lint read it from a file. */
export interface HostClaimant {
  /** Identifies the object: two files may hold versions of one VirtualService (the canary's), which do not conflict. */
  key: string;
  namespace: string;
  hosts: readonly string[];
  gateways?: string[] | undefined;
}

export interface HostConflict<T> {
  host: string;
  /** Index of the host in the claimant's `hosts`. */
  index: number;
  claimant: T;
  owner: T;
}

/**
 * The project's rule, from design.md ("one VirtualService per host, mesh-wide"): Istio merges nothing for sidecars,
 * and which of two VirtualServices for one mesh host applies is undefined. Yields every host (fully qualified from
 * its object's namespace) that a second VirtualService claims; the first one seen stays the owner.
 */
export function* meshHostConflicts<T>(items: Iterable<T>, read: (item: T) => HostClaimant): Generator<HostConflict<T>> {
  const owners = new Map<string, { item: T; key: string }>();
  for (const item of items) {
    const vs = read(item);
    if (!boundGateways(vs, vs.namespace).has('mesh')) continue;
    for (const [index, written] of vs.hosts.entries()) {
      const host = qualifyHost(written, vs.namespace);
      const owner = owners.get(host);
      if (!owner) owners.set(host, { item, key: vs.key });
      else if (owner.key !== vs.key) yield { host, index, claimant: item, owner: owner.item };
    }
  }
}
