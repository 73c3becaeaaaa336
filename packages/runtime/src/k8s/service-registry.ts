import { namespaceOf, type ServiceManifest } from '../api/manifests.js';
import type { Pod } from './identity.js';
import { matchesLabels } from './labels.js';
import { hostOf, parseServiceHost, serviceFqdn } from './names.js';

export interface ServiceTarget {
  service: ServiceManifest;
  namespace: string;
  /** The FQDN, e.g. users.base.svc.cluster.local */
  fqdn: string;
}

/** Services by namespace and name, and the answer cluster DNS gives from them: which Service a host names. */
export class ServiceDirectory {
  protected readonly byKey = new Map<string, ServiceTarget>();

  constructor(targets: Iterable<ServiceTarget> = []) {
    for (const target of targets) this.byKey.set(`${target.namespace}/${target.service.metadata.name}`, target);
  }

  /** Every Service, in the order they were first put. */
  services(): Iterable<ServiceTarget> {
    return this.byKey.values();
  }

  /**
   * Resolves a host as cluster DNS does from a pod in `fromNamespace`: `svc`, `svc.ns`, `svc.ns.svc`,
   * `svc.ns.svc.cluster.local`, with or without `:port`.
   */
  resolveHost(authority: string, fromNamespace: string): ServiceTarget | undefined {
    const named = parseServiceHost(hostOf(authority), fromNamespace);
    return named ? this.byKey.get(`${named.namespace}/${named.name}`) : undefined;
  }
}

/**
 * The Services and pods of the local cluster, and the answers kube-dns and the Endpoints controller give from them:
 * which Service a host names, and which ready pods back it. (Istio's pilot calls this its Kubernetes service registry.)
 */
export class ServiceRegistry extends ServiceDirectory {
  private readonly podsByNamespace = new Map<string, Set<Pod>>();

  putService(service: ServiceManifest): void {
    const namespace = namespaceOf(service);
    this.byKey.set(`${namespace}/${service.metadata.name}`, { service, namespace, fqdn: serviceFqdn(service.metadata.name, namespace) });
  }

  removeService(namespace: string, name: string): void {
    this.byKey.delete(`${namespace}/${name}`);
  }

  /** The Services as they are now, unaffected by later puts and removals (what route tables are built from). */
  snapshot(): ServiceDirectory {
    return new ServiceDirectory(this.services());
  }

  addPod(pod: Pod): void {
    let set = this.podsByNamespace.get(pod.namespace);
    if (!set) this.podsByNamespace.set(pod.namespace, (set = new Set()));
    set.add(pod);
  }

  removePod(pod: Pod): void {
    this.podsByNamespace.get(pod.namespace)?.delete(pod);
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
