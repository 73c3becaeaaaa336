import type { SourceIdentity } from '../k8s/identity.js';
import type { IngressIdentity } from './compile.js';
import { ROOT_NAMESPACE } from './mesh-config.js';

/**
 * The local gateway stands in for istio-ingressgateway: its workload identity (as a caller of the mesh), the labels
 * Gateways select it by, and its Service port that Gateway servers name.
 */
const LABELS = { app: 'istio-ingressgateway', istio: 'ingressgateway' };

export const INGRESS_GATEWAY: { source: SourceIdentity; ingress: IngressIdentity } = {
  source: { namespace: ROOT_NAMESPACE, workload: 'istio-ingressgateway', labels: LABELS, serviceAccount: 'istio-ingressgateway-service-account' },
  ingress: { labels: LABELS, ports: [80] },
};
