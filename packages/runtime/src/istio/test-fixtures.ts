import { Cluster, type Pod } from '../cluster.js';
import { parseManifests, type Manifest, type ServiceManifest } from '../manifests.js';
import type { SourceIdentity } from '../router.js';
import { MeshConfig, type IstioObject } from './mesh-config.js';

/** Istio objects from YAML, as the runtime would hold them. */
export function meshConfig(yaml: string): MeshConfig {
  const { manifests } = parseManifests(yaml, 'test.yaml');
  const of = (kind: Manifest['kind']) =>
    manifests
      .filter((m) => m.kind === kind)
      .map((m) => ({ namespace: m.metadata.namespace ?? 'default', name: m.metadata.name, spec: (m as { spec: unknown }).spec }) as IstioObject<never>);
  return new MeshConfig(of('VirtualService'), of('DestinationRule'), of('Gateway'), of('AuthorizationPolicy'));
}

export function source(namespace: string, labels: Record<string, string> = {}, serviceAccount = 'default'): SourceIdentity {
  return { namespace, workload: `${labels.app ?? 'client'}-${labels.version ?? 'v1'}`, labels, serviceAccount };
}

let nextPort = 20_000;

/** A cluster with a Service per `namespace/name` and one ready pod per `namespace/name@version`. */
export function clusterOf(services: string[], pods: string[]): Cluster {
  const cluster = new Cluster();
  for (const entry of services) {
    const [namespace, name] = entry.split('/') as [string, string];
    const yaml = `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec: {selector: {app: ${name}}, ports: [{name: http, port: 7000}]}\n`;
    cluster.putService(parseManifests(yaml, 't').manifests[0] as ServiceManifest);
  }
  for (const entry of pods) {
    const [path, version] = entry.split('@') as [string, string];
    const [namespace, app] = path.split('/') as [string, string];
    const pod: Pod = { name: `${app}-${version}-${nextPort}`, namespace, workload: `${app}-${version}`, labels: { app, version }, serviceAccount: app, port: nextPort++, ready: true };
    cluster.addPod(pod);
  }
  return cluster;
}
