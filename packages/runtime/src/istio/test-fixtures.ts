import { isIstio, parseManifests } from '../api/manifests.js';
import type { SourceIdentity } from '../k8s/identity.js';
import { MeshConfig } from './mesh-config.js';

/** Istio objects from YAML, as the runtime would hold them. */
export function meshConfig(yaml: string): MeshConfig {
  return MeshConfig.fromManifests(parseManifests(yaml, 'test.yaml').manifests.filter(isIstio));
}

export function source(namespace: string, labels: Record<string, string> = {}, serviceAccount = 'default'): SourceIdentity {
  return { namespace, workload: `${labels.app ?? 'client'}-${labels.version ?? 'v1'}`, labels, serviceAccount };
}

/** The talk's ingress Gateway (istio/base-routing.yaml): istio-ingressgateway, port 80, every host. */
export const MALL_GATEWAY = `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: mall-gateway, namespace: base}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
`;
