import type { ParentRef } from '../api/gateway-api-schemas.js';
import { bindParent, parentOf, type K8sGateway } from './gateway-api.js';
import { translateRules, type HttpRouteObject } from './gateway-api-routes.js';
import type { GatewayApiConfig } from './mesh-config.js';

/** Istio's controller name in the status it writes (features.ManagedGatewayController). */
export const ISTIO_CONTROLLER = 'istio.io/gateway-controller';

export interface Condition {
  type: 'Accepted' | 'ResolvedRefs' | 'Programmed';
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export interface RouteParentStatus {
  parentRef: ParentRef;
  controllerName: typeof ISTIO_CONTROLLER;
  conditions: Condition[];
}

/**
 * An HTTPRoute's `status.parents` as istiod writes it (pilot/pkg/config/kube/gateway conditions.go
 * createRouteStatus): one entry per parent that exists — a Gateway of class istio or a Service; a missing Gateway
 * gets none — with Accepted (bound to a listener, or why not) and ResolvedRefs (every backend and filter resolved, or
 * the last error translating the rules met), entries sorted by their parent reference, descending.
 */
export function httpRouteStatus(route: HttpRouteObject, config: GatewayApiConfig, serviceExists: (namespace: string, name: string) => boolean): RouteParentStatus[] {
  const context = { grants: config.grants, serviceExists };
  const entries: { key: string; status: RouteParentStatus }[] = [];
  const seen = new Set<string>();
  for (const ref of route.spec.parentRefs) {
    const parent = parentOf(ref, route.namespace);
    const key = `${ref.group}/${ref.kind}/${parent.namespace}/${parent.name}/${ref.sectionName ?? ''}/${ref.port ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    let accepted: Condition;
    const serviceEntry = ref.group === 'networking.istio.io' && ref.kind === 'ServiceEntry';
    if (serviceEntry) {
      // The local runtime has no ServiceEntries (apply refuses them), so istiod's answer for a missing one.
      accepted = { type: 'Accepted', status: 'False', reason: 'NoMatchingParent', message: `parent service entry: ${JSON.stringify(parent.name)} not found` };
    } else if (parent.kind === 'Service') {
      accepted = serviceExists(parent.namespace, parent.name)
        ? { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'Route was valid' }
        : { type: 'Accepted', status: 'False', reason: 'NoMatchingParent', message: `parent service: ${JSON.stringify(parent.name)} not found` };
    } else {
      const gateway: K8sGateway | undefined = parent.kind === 'Gateway' ? config.gateways.find((g) => g.namespace === parent.namespace && g.name === parent.name) : undefined;
      if (!gateway) continue;
      const outcome = bindParent(route, ref, gateway, config.namespaceLabels);
      accepted = outcome.accepted
        ? { type: 'Accepted', status: 'True', reason: 'Accepted', message: outcome.listeners.length > 1 ? `Route was valid, bound to ${outcome.listeners.length} parents` : 'Route was valid' }
        : { type: 'Accepted', status: 'False', reason: outcome.reason, message: outcome.message };
    }
    const error = translateRules(route, parent.kind === 'Service' || serviceEntry, context).error;
    const resolved: Condition = error
      ? { type: 'ResolvedRefs', status: 'False', reason: error.reason, message: error.message }
      : { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs', message: 'All references resolved' };
    entries.push({ key: parentRefString(ref, route.namespace), status: { parentRef: ref, controllerName: ISTIO_CONTROLLER, conditions: [accepted, resolved] } });
  }
  return entries.sort((a, b) => (a.key > b.key ? -1 : a.key < b.key ? 1 : 0)).map((e) => e.status);
}

/** A parent reference as one string (conditions.go parentRefString). */
function parentRefString(ref: ParentRef, namespace: string): string {
  return `${ref.group}/${ref.kind}/${ref.name}/${ref.sectionName ?? ''}/${ref.port ?? 0}.${ref.namespace ?? namespace}`;
}

/** A Gateway's status as istiod writes it for a Gateway it deploys: accepted and programmed, and the routes on each listener. */
export function gatewayStatus(gateway: K8sGateway, config: GatewayApiConfig, address: string | undefined): { addresses: { type: 'IPAddress'; value: string }[]; conditions: Condition[]; listeners: { name: string; attachedRoutes: number }[] } {
  const attached = (listener: string) =>
    config.routes.filter((route) =>
      route.spec.parentRefs.some((ref) => {
        const parent = parentOf(ref, route.namespace);
        if (parent.kind !== 'Gateway' || parent.namespace !== gateway.namespace || parent.name !== gateway.name) return false;
        const outcome = bindParent(route, ref, gateway, config.namespaceLabels);
        return outcome.accepted && outcome.listeners.includes(listener);
      }),
    ).length;
  return {
    addresses: address ? [{ type: 'IPAddress', value: address }] : [],
    conditions: [
      { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'Resource accepted' },
      address
        ? { type: 'Programmed', status: 'True', reason: 'Programmed', message: 'Resource programmed, assigned to service(s) ' + `${gateway.name}-istio.${gateway.namespace}.svc.cluster.local` }
        : { type: 'Programmed', status: 'False', reason: 'AddressNotAssigned', message: 'the gateway is starting' },
    ],
    listeners: gateway.spec.listeners.map((l) => ({ name: l.name, attachedRoutes: attached(l.name) })),
  };
}
