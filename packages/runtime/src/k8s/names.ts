/**
 * Kubernetes DNS names of Services (kubernetes.io/docs/concepts/services-networking/dns-pod-service): a Service `name`
 * in namespace `ns` is `name.ns.svc.cluster.local`; a pod's resolv.conf search path (`ns.svc.cluster.local`,
 * `svc.cluster.local`, `cluster.local`) also lets it say `name`, `name.ns` or `name.ns.svc`.
 */
export const CLUSTER_DOMAIN = 'cluster.local';

export function serviceFqdn(name: string, namespace: string): string {
  return `${name}.${namespace}.svc.${CLUSTER_DOMAIN}`;
}

/** `host` without a trailing `:port`. */
export function hostOf(authority: string): string {
  return authority.replace(/:\d+$/, '');
}

/**
 * The Service a host names when looked up from a pod in `fromNamespace` (any case, no port): its name and namespace,
 * or undefined when the host is no Service name (an external name, or a form the search path does not complete).
 */
export function parseServiceHost(host: string, fromNamespace: string): { name: string; namespace: string } | undefined {
  const parts = host.toLowerCase().split('.');
  const [name, namespace] = parts as [string, string | undefined];
  if (parts.length === 1) return { name, namespace: fromNamespace };
  const qualified =
    parts.length === 2 ||
    (parts.length === 3 && parts[2] === 'svc') ||
    (parts.length === 5 && parts.slice(2).join('.') === `svc.${CLUSTER_DOMAIN}`);
  return qualified ? { name, namespace: namespace! } : undefined;
}
