import type { ReferenceGrantSpec } from '../api/gateway-api-schemas.js';
import { GATEWAY_GROUP } from '../api/gateway-api-schemas.js';
import type { IstioObject } from './objects.js';

export type ReferenceGrant = IstioObject<ReferenceGrantSpec>;

/** A backend an HTTPRoute in `fromNamespace` names in another namespace. */
export interface BackendReference {
  fromNamespace: string;
  group: string;
  kind: string;
  name: string;
  namespace: string;
}

/**
 * Whether a ReferenceGrant in the backend's namespace lets HTTPRoutes of `fromNamespace` refer to it: one of its
 * `from` entries names HTTPRoute and that namespace, one of its `to` entries the backend's group and kind and, if it
 * names one, the backend itself (gateway-api ReferenceGrant spec; pilot references_collection.go BackendAllowed).
 */
export function allowsBackend(grants: readonly ReferenceGrant[], ref: BackendReference): boolean {
  return grants.some(
    (grant) =>
      grant.namespace === ref.namespace &&
      grant.spec.from.some((from) => from.group === GATEWAY_GROUP && from.kind === 'HTTPRoute' && from.namespace === ref.fromNamespace) &&
      grant.spec.to.some((to) => to.group === ref.group && to.kind === ref.kind && (to.name === undefined || to.name === '' || to.name === ref.name)),
  );
}
