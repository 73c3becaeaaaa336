import { parse } from 'yaml';

/** The annotation whose value is a ProxyConfig for the pod's sidecar (Istio's annotation reference). */
const PROXY_CONFIG = 'proxy.istio.io/config';
/** A protobuf Duration as JSON/YAML writes it: seconds with an `s` suffix (google.protobuf.Duration's JSON mapping). */
const PROTO_DURATION = /^\d+(\.\d{1,9})?s$/;

/**
 * What a pod template's Istio annotations would change that the local runtime does not do: refused, since on a cluster
 * they change the sidecar (`sidecar.istio.io/inject: "false"` takes the pod out of the mesh, `traffic.sidecar.istio.io/*`
 * what it intercepts, a ProxyConfig its tracing or concurrency). One is taken: ProxyConfig's `terminationDrainDuration`,
 * how long the sidecar keeps draining after SIGTERM. Locally a stopping pod leaves the endpoints before its SIGTERM and
 * its sidecar outlives it, so no request's outcome depends on it: cluster-only.
 */
export function podAnnotationErrors(annotations: Record<string, string> | undefined, path: string): string[] {
  const errors: string[] = [];
  for (const [key, value] of Object.entries(annotations ?? {})) {
    const at = `${path}[${key}]`;
    if (key === PROXY_CONFIG) errors.push(...proxyConfigErrors(value, at));
    else if (/(^|\.)istio\.io\//.test(key)) errors.push(`${at} is not supported by the local runtime (valid on a cluster)`);
  }
  return errors;
}

function proxyConfigErrors(value: string, at: string): string[] {
  let config: unknown;
  try {
    config = parse(value);
  } catch (error) {
    return [`${at}: not a ProxyConfig in YAML or JSON: ${(error as Error).message.split('\n')[0]}`];
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return [`${at}: not a ProxyConfig in YAML or JSON: not an object`];
  return Object.entries(config).flatMap(([field, fieldValue]) => {
    if (field !== 'terminationDrainDuration') return [`${at}: ${field} is not supported by the local runtime (valid on a cluster)`];
    return typeof fieldValue === 'string' && PROTO_DURATION.test(fieldValue) ? [] : [`${at}: terminationDrainDuration: must be a duration such as 19s`];
  });
}
