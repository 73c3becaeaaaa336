/** A label selector's matchLabels: every key present with the same value. */
export function matchesLabels(labels: Record<string, string> | undefined, selector: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector)) if (labels?.[key] !== value) return false;
  return true;
}

/**
 * Istio's canonical service and revision of a workload: the first of `service.istio.io/canonical-name`,
 * `app.kubernetes.io/name`, `app`, else the workload's name; the first of `service.istio.io/canonical-revision`,
 * `app.kubernetes.io/version`, `version`, else `latest` (istio pkg/kube/labels CanonicalService). The sidecar
 * injector writes them on each pod, so every proxy reports them.
 */
export function canonicalService(labels: Record<string, string>, workload: string): { service: string; revision: string } {
  return {
    service: labels['service.istio.io/canonical-name'] ?? labels['app.kubernetes.io/name'] ?? labels.app ?? workload,
    revision: labels['service.istio.io/canonical-revision'] ?? labels['app.kubernetes.io/version'] ?? labels.version ?? 'latest',
  };
}

/** The name Envoy's tracer reports a proxy's spans under: `<app>.<namespace>` (istio pkg/bootstrap serviceClusterOrDefault). */
export function tracingServiceName(labels: Record<string, string>, workload: string, namespace: string): string {
  return `${labels.app ?? labels['app.kubernetes.io/name'] ?? labels['service.istio.io/canonical-name'] ?? workload}.${namespace}`;
}
