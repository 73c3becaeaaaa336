import type { ContainerManifest } from '../api/manifests.js';

export interface PodFacts {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  serviceAccount: string;
  ip: string;
}

/**
 * A container's environment as the kubelet would give it: literal values and the downward API's fieldRefs.
 * A fieldRef the runtime cannot answer is an error, not an empty variable.
 */
export function containerEnv(container: ContainerManifest, pod: PodFacts): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (variable.valueFrom?.fieldRef) env[variable.name] = fieldValue(variable.valueFrom.fieldRef.fieldPath, pod, variable.name);
    else if (variable.valueFrom) throw new Error(`env ${variable.name}: only valueFrom.fieldRef is supported locally`);
    else env[variable.name] = '';
  }
  return env;
}

function fieldValue(path: string, pod: PodFacts, variable: string): string {
  const label = /^metadata\.labels\['([^']+)'\]$/.exec(path);
  if (label) return pod.labels[label[1]!] ?? '';
  switch (path) {
    case 'metadata.name':
      return pod.name;
    case 'metadata.namespace':
      return pod.namespace;
    case 'spec.serviceAccountName':
      return pod.serviceAccount;
    case 'status.podIP':
      return pod.ip;
    default:
      throw new Error(`env ${variable}: fieldRef ${path} is not supported by the local runtime`);
  }
}
