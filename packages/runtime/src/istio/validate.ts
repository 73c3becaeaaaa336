import { meshHostConflicts } from './host-owners.js';
import { re2, regexesOf } from './match.js';
import type { MeshConfig, VirtualService } from './mesh-config.js';

/**
 * What apply refuses: two VirtualServices for one host on the mesh (Istio leaves that undefined); regexes RE2 cannot
 * compile; several destinations whose weights are all 0 (Istio's validateHTTPRouteDestinations); and destination
 * hosts written `name.namespace` or `name.namespace.svc`, which Istio does not complete to a Service (pilot
 * model/config.go ResolveShortnameToFQDN completes only a bare name), so on a cluster they name no Service at all.
 */
export function validateMeshConfig(config: MeshConfig): string[] {
  const { virtualServices, destinationRules } = config;
  const label = (vs: VirtualService) => (vs.fromRoutes ? `HTTPRoute ${vs.fromRoutes.join(', ')}` : `VirtualService ${vs.namespace}/${vs.name}`);
  const errors: string[] = [];
  // HTTPRoutes for one Service are merged, producer and consumer routes kept apart by pilot (gateway-api.ts); a
  // VirtualService for a host an HTTPRoute routes is not merged with it, and which one a sidecar takes is undefined.
  const key = (vs: VirtualService) => (vs.fromRoutes ? 'HTTPRoute' : `${vs.namespace}/${vs.name}`);
  const conflicts = [...meshHostConflicts(virtualServices, (vs) => ({ key: key(vs), namespace: vs.namespace, hosts: vs.spec.hosts, gateways: vs.spec.gateways, exportTo: vs.spec.exportTo }))];
  for (const vs of virtualServices) {
    for (const { host, owner } of conflicts.filter((c) => c.claimant === vs)) {
      const advice = vs.fromRoutes || owner.fromRoutes ? 'route a host with VirtualServices or with HTTPRoutes, not both' : 'use one VirtualService per host';
      errors.push(`${label(vs)}: host ${host} already has ${label(owner)}; ${advice}`);
    }
    vs.spec.http.forEach((route, i) => {
      // Stryker disable next-line ArrayDeclaration: a string stand-in has no uri, headers or query: no regex to check
      for (const match of route.match ?? []) {
        for (const pattern of regexesOf(match)) {
          try {
            re2(pattern);
          } catch (error) {
            errors.push(`${label(vs)}: http[${i}] regex ${JSON.stringify(pattern)}: ${(error as Error).message}`);
          }
        }
      }
      route.route.forEach((d, j) => errors.push(...partlyQualified(d.destination.host, `${label(vs)}: http[${i}].route[${j}].destination.host`)));
      if (route.mirror) errors.push(...partlyQualified(route.mirror.host, `${label(vs)}: http[${i}].mirror.host`));
      // Stryker disable next-line ArithmeticOperator: weights are never negative (schema), so the sum is 0 exactly when the difference is
      const total = route.route.reduce<number>((sum, d) => sum + (d.weight ?? 0), 0);
      if (route.route.length > 1 && total === 0) errors.push(`${label(vs)}: http[${i}] route weights add up to 0: with several destinations, give at least one a weight`);
    });
  }
  for (const dr of destinationRules) errors.push(...partlyQualified(dr.spec.host, `DestinationRule ${dr.namespace}/${dr.name}: host`));
  return errors;
}

/**
 * A destination or DestinationRule host that is neither a bare name nor an FQDN names no Service: Istio completes
 * only a bare name, and any other host needs a ServiceEntry, which the local runtime does not support.
 * (A VirtualService's own hosts may be any name, such as a gateway's bookinfo.com.)
 */
function partlyQualified(host: string, where: string): string[] {
  if (host.includes('*')) return [];
  const parts = host.toLowerCase().split('.');
  if (parts.length === 2 || (parts.length === 3 && parts[2] === 'svc')) {
    return [`${where}: ${host} names no Service: Istio completes only a bare name (for ${parts[0]}.${parts[1]}.svc.cluster.local write that; an external host needs a ServiceEntry, not supported by the local runtime)`];
  }
  return [];
}
