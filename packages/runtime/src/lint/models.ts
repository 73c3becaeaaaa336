import * as gatewayV1 from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1';
import * as gatewayV1beta1 from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1beta1';
import * as networkingV1 from '@kubernetes-models/istio/networking.istio.io/v1';
import * as networkingV1alpha3 from '@kubernetes-models/istio/networking.istio.io/v1alpha3';
import * as networkingV1beta1 from '@kubernetes-models/istio/networking.istio.io/v1beta1';
import * as securityV1 from '@kubernetes-models/istio/security.istio.io/v1';
import * as securityV1beta1 from '@kubernetes-models/istio/security.istio.io/v1beta1';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as coreV1 from 'kubernetes-models/v1';

/** A model class of kubernetes-models: validating an instance runs the API's JSON schema. */
interface ModelClass {
  prototype: { validate(this: unknown): void };
}

/** The API groups our manifests use, by apiVersion: the official schemas for Kubernetes, Istio and Gateway API. */
const GROUPS: Record<string, Record<string, unknown>> = {
  v1: coreV1,
  'apps/v1': appsV1,
  'networking.istio.io/v1': networkingV1,
  'networking.istio.io/v1beta1': networkingV1beta1,
  'networking.istio.io/v1alpha3': networkingV1alpha3,
  'security.istio.io/v1': securityV1,
  'security.istio.io/v1beta1': securityV1beta1,
  'gateway.networking.k8s.io/v1': gatewayV1,
  'gateway.networking.k8s.io/v1beta1': gatewayV1beta1,
};

export function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  const candidate = GROUPS[apiVersion]?.[kind] as { prototype?: { validate?: unknown } } | undefined;
  return typeof candidate?.prototype?.validate === 'function' ? (candidate as ModelClass) : undefined;
}

export const KNOWN_API_VERSIONS = Object.keys(GROUPS);
