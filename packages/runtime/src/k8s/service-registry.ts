import { namespaceOf, type ServiceManifest } from './manifests.js';

/** One running replica of a workload, as the router sees it. */
export interface Pod {
  name: string;
  namespace: string;
  /** The Deployment (or StatefulSet) it belongs to. */
  workload: string;
  labels: Record<string, string>;
  serviceAccount: string;
  /** Where the pod's process listens; set once it has reported its port. */
  port?: number;
  ready: boolean;
}

export interface ServiceTarget {
  service: ServiceManifest;
  namespace: string;
  /** The FQDN, e.g. users.base.svc.cluster.local */
  fqdn: string;
}

const CLUSTER_DOMAIN = 'svc.cluster.local';

/** The objects the runtime holds, and the lookups kube-dns and kube-proxy would answer from them. */
export class Cluster {
  readonly services = new Map<string, ServiceManifest>();
  readonly pods = new Map<string, Pod>();
  private readonly podsByNamespace = new Map<string, Set<Pod>>();

  static key(namespace: string, name: string): string {
    return `${namespace}/${name}`;
  }

  putService(service: ServiceManifest): void {
    this.services.set(Cluster.key(namespaceOf(service), service.metadata.name), service);
  }

  addPod(pod: Pod): void {
    this.pods.set(Cluster.key(pod.namespace, pod.name), pod);
    let set = this.podsByNamespace.get(pod.namespace);
    if (!set) this.podsByNamespace.set(pod.namespace, (set = new Set()));
    set.add(pod);
  }

  removePod(pod: Pod): void {
    this.pods.delete(Cluster.key(pod.namespace, pod.name));
    this.podsByNamespace.get(pod.namespace)?.delete(pod);
  }

  /**
   * Resolves a host as cluster DNS does from a pod in `fromNamespace`: `svc`, `svc.ns`, `svc.ns.svc`,
   * `svc.ns.svc.cluster.local`, with or without `:port`.
   */
  resolveHost(authority: string, fromNamespace: string): ServiceTarget | undefined {
    const host = authority.replace(/:\d+$/, '').toLowerCase();
    const parts = host.split('.');
    const qualified =
      parts.length === 2 ||
      (parts.length === 3 && parts[2] === 'svc') ||
      (parts.length === 5 && parts.slice(2).join('.') === CLUSTER_DOMAIN);
    if (parts.length !== 1 && !qualified) return undefined;
    const name = parts[0]!;
    const namespace = parts.length === 1 ? fromNamespace : parts[1]!;
    const service = this.services.get(Cluster.key(namespace, name));
    return service ? { service, namespace, fqdn: `${name}.${namespace}.${CLUSTER_DOMAIN}` } : undefined;
  }

  /** The ready pods a Service selects (its Endpoints). */
  endpoints(target: ServiceTarget): Pod[] {
    const selector = target.service.spec.selector;
    if (!selector) return [];
    const result: Pod[] = [];
    for (const pod of this.podsByNamespace.get(target.namespace) ?? []) {
      if (pod.ready && pod.port !== undefined && matchesLabels(pod.labels, selector)) result.push(pod);
    }
    return result;
  }
}

export function matchesLabels(labels: Record<string, string>, selector: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector)) if (labels[key] !== value) return false;
  return true;
}
