import type { ContainerManifest, SecretManifest } from '../api/manifests.js';
import { secretValue } from '../api/secret.js';
import { expand } from './env-expansion.js';

export interface PodFacts {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  serviceAccount: string;
  ip: string;
}

/** The Secret `name` in `namespace` as the API server has it now, if there is one. */
export type SecretLookup = (namespace: string, name: string) => SecretManifest | undefined;

type EnvSource = NonNullable<ContainerManifest['env']>[number];

/**
 * A container's environment as the kubelet makes it (makeEnvironmentVariables in pkg/kubelet/kubelet_pods.go), in
 * declaration order: a non-empty `value` has its `$(VAR)` references to earlier variables expanded; otherwise
 * `valueFrom` is resolved — the downward API's fieldRefs, and secretKeyRefs from the pod's namespace. A Secret or key
 * that is missing fails the start with the kubelet's message, unless the ref is `optional` (the variable is then
 * not set). A fieldRef the runtime cannot answer is an error, not an empty variable.
 */
export function containerEnv(container: ContainerManifest, pod: PodFacts, secrets: SecretLookup): Record<string, string> {
  const env: Record<string, string> = {};
  const earlier = (name: string) => (Object.hasOwn(env, name) ? env[name] : undefined);
  for (const variable of container.env ?? []) {
    const value = variable.value ? expand(variable.value, earlier) : sourceValue(variable, pod, secrets);
    if (value !== undefined) env[variable.name] = value;
  }
  return env;
}

function sourceValue({ name, valueFrom }: EnvSource, pod: PodFacts, secrets: SecretLookup): string | undefined {
  if (valueFrom?.fieldRef) return fieldValue(valueFrom.fieldRef.fieldPath, pod, name);
  const ref = valueFrom?.secretKeyRef;
  if (!ref) return '';
  const secret = secrets(pod.namespace, ref.name);
  const value = secret && secretValue(secret, ref.key);
  if (value !== undefined || ref.optional) return value;
  // The API server's NotFound for a missing Secret; the kubelet's own error for a missing key.
  throw new Error(secret ? `couldn't find key ${ref.key} in Secret ${pod.namespace}/${ref.name}` : `secret "${ref.name}" not found`);
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
