import { parseManifests, type ServiceManifest } from '../api/manifests.js';
import type { Pod } from './identity.js';
import { ServiceRegistry } from './service-registry.js';

/** A Service `name` selecting `app: name`, on port 7000. */
export function serviceManifest(name: string, namespace: string): ServiceManifest {
  const yaml = `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec:\n  selector: {app: ${name}}\n  ports: [{name: http, port: 7000}]\n`;
  return parseManifests(yaml, 't').manifests[0] as ServiceManifest;
}

export function pod(name: string, namespace: string, labels: Record<string, string>, port: number, ready = true): Pod {
  return { name, namespace, workload: name.replace(/-\d+$/, ''), labels, serviceAccount: 'default', port, ready };
}

/** users in base (two ready pods, one not ready), products in fox (no pods), and a pod no Service selects. */
export function sampleRegistry(): ServiceRegistry {
  const registry = new ServiceRegistry();
  registry.putService(serviceManifest('users', 'base'));
  registry.putService(serviceManifest('products', 'fox'));
  registry.addPod(pod('users-v1-1', 'base', { app: 'users', version: 'v1' }, 1001));
  registry.addPod(pod('users-v1-2', 'base', { app: 'users', version: 'v1' }, 1002));
  registry.addPod(pod('users-v1-3', 'base', { app: 'users', version: 'v1' }, 1003, false));
  registry.addPod(pod('other', 'base', { app: 'other' }, 1004));
  return registry;
}
