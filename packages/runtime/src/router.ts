import type { Cluster, Pod, ServiceTarget } from './cluster.js';

/** Who is calling: the workload whose sidecar received the request. */
export interface SourceIdentity {
  namespace: string;
  workload: string;
  labels: Record<string, string>;
  serviceAccount: string;
}

export type RouteDecision =
  | { kind: 'forward'; target: ServiceTarget; pod: Pod }
  | { kind: 'reject'; status: number; reason: string; target?: ServiceTarget };

/**
 * Decides where one outbound request goes. This slice behaves as kube-proxy: the Host names a Service (resolved from
 * the caller's namespace), the Service's ready endpoints take turns. Istio's rules slot in between resolving the host
 * and picking the endpoint.
 */
export class Router {
  private readonly turns = new Map<string, number>();

  constructor(private readonly cluster: Cluster) {}

  route(authority: string, source: SourceIdentity): RouteDecision {
    const target = this.cluster.resolveHost(authority, source.namespace);
    if (!target) {
      return { kind: 'reject', status: 503, reason: `no Service for host ${authority} from namespace ${source.namespace}` };
    }
    const port = Number(/:(\d+)$/.exec(authority)?.[1] ?? 80);
    if (!target.service.spec.ports.some((p) => p.port === port)) {
      return { kind: 'reject', status: 503, reason: `Service ${target.fqdn} has no port ${port}`, target };
    }
    const pods = this.cluster.endpoints(target);
    if (pods.length === 0) return { kind: 'reject', status: 503, reason: 'no healthy upstream', target };
    const turn = this.turns.get(target.fqdn) ?? 0;
    this.turns.set(target.fqdn, turn + 1);
    return { kind: 'forward', target, pod: pods[turn % pods.length]! };
  }
}
