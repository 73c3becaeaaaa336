/**
 * Kubernetes DNS names of Services (kubernetes.io/docs/concepts/services-networking/dns-pod-service): a Service `name`
 * in namespace `ns` is `name.ns.svc.cluster.local`; a pod's resolv.conf search path (`ns.svc.cluster.local`,
 * `svc.cluster.local`, `cluster.local`) also lets it say `name`, `name.ns` or `name.ns.svc`.
 */
const CLUSTER_DOMAIN = 'cluster.local';

export function serviceFqdn(name: string, namespace: string): string {
  return `${name}.${namespace}.svc.${CLUSTER_DOMAIN}`;
}

/** `host` without a trailing `:port`. */
export function hostOf(authority: string): string {
  return authority.replace(/:\d+$/, '');
}

/** The port an authority names; HTTP's 80 when it names none. */
export function portOf(authority: string): number {
  return Number(/:(\d+)$/.exec(authority)?.[1] ?? 80);
}

/**
 * Every name by which a pod in `fromNamespace` reaches the Service `name.namespace`: the FQDN, `name.ns.svc`,
 * `name.ns`, and the bare name from the Service's own namespace — exactly the forms parseServiceHost accepts.
 */
export function serviceHostNames(name: string, namespace: string, fromNamespace: string): string[] {
  return [serviceFqdn(name, namespace), `${name}.${namespace}.svc`, `${name}.${namespace}`, ...(namespace === fromNamespace ? [name] : [])];
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
