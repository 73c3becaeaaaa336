import { meshHostConflicts } from './host-owners.js';
import { re2, regexesOf } from './match.js';
import type { VirtualService } from './mesh-config.js';

/**
 * What apply refuses, as istioctl analyze would: two VirtualServices for one host on the mesh (Istio leaves that
 * undefined), regexes RE2 cannot compile, routes whose weights do not add up to 100.
 */
export function validateVirtualServices(virtualServices: readonly VirtualService[]): string[] {
  const label = (vs: VirtualService) => `VirtualService ${vs.namespace}/${vs.name}`;
  const errors: string[] = [];
  const conflicts = [...meshHostConflicts(virtualServices, (vs) => ({ key: `${vs.namespace}/${vs.name}`, namespace: vs.namespace, hosts: vs.spec.hosts, gateways: vs.spec.gateways }))];
  for (const vs of virtualServices) {
    for (const { host, owner } of conflicts.filter((c) => c.claimant === vs)) {
      errors.push(`${label(vs)}: host ${host} already has VirtualService ${owner.namespace}/${owner.name}; use one VirtualService per host`);
    }
    vs.spec.http.forEach((route, i) => {
      for (const match of route.match ?? []) {
        for (const pattern of regexesOf(match)) {
          try {
            re2(pattern);
          } catch (error) {
            errors.push(`${label(vs)}: http[${i}] regex ${JSON.stringify(pattern)}: ${(error as Error).message}`);
          }
        }
      }
      const total = route.route.reduce<number>((sum, d) => sum + (d.weight ?? 0), 0);
      if (route.route.length > 1 && total !== 100) errors.push(`${label(vs)}: http[${i}] route weights add up to ${total}, not 100`);
    });
  }
  return errors;
}
