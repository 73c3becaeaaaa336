import type { AuthorizationPolicySpec, DestinationRuleSpec, GatewaySpec, PeerAuthenticationSpec, VirtualServiceSpec } from '../api/istio-schemas.js';

/** Istio's objects as the runtime holds them once read (and those pilot makes of Gateway API objects). */

export interface IstioObject<Spec> {
  namespace: string;
  name: string;
  spec: Spec;
}

export interface VirtualService extends IstioObject<VirtualServiceSpec> {
  /**
   * Set on the VirtualServices pilot makes of HTTPRoutes (`namespace/name` of each): their routes follow the Gateway
   * API's semantics where they differ from a VirtualService's (compile.ts, the proxy).
   */
  fromRoutes?: string[];
}
export type DestinationRule = IstioObject<DestinationRuleSpec>;
export interface Gateway extends IstioObject<GatewaySpec> {
  /** An internal Gateway of a Gateway API Gateway: it selects only its own Deployment, in its own namespace. */
  gatewayApi?: true;
}
export type AuthorizationPolicy = IstioObject<AuthorizationPolicySpec>;
export type PeerAuthentication = IstioObject<PeerAuthenticationSpec>;
