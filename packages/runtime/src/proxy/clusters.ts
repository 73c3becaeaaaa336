import type { Pod } from '../k8s/identity.js';
import type { UpstreamRef } from '../istio/route-table.js';
import { UpstreamPool } from './upstream-pool.js';

/**
 * One proxy's upstream state, as each Envoy keeps its own (its cluster manager): per upstream the load balancer's
 * turn, outlier detection and the circuit breaker, and per endpoint the requests this proxy has in flight
 * (LEAST_REQUEST). One caller's ejections, overflows and load never change what another caller's proxy does; the
 * endpoints themselves are the mesh's, given by `endpointsOf`. Kept across configurations, as Envoy keeps a cluster
 * whose settings change.
 */
export class Clusters {
  private readonly pools = new Map<string, UpstreamPool>();
  private readonly active = new Map<Pod, number>();

  constructor(private readonly endpointsOf: (upstream: UpstreamRef) => Pod[]) {}

  /**
   * The next endpoint of an upstream, by its load balancer, skipping ejected ones. A retry passes the endpoints
   * already tried: Istio's retry policy always carries Envoy's previous_hosts predicate, so another endpoint is taken
   * when there is one (pilot route/retry/retry.go DefaultPolicy).
   */
  pickEndpoint(upstream: UpstreamRef, tried?: ReadonlySet<Pod>): Pod | undefined {
    const endpoints = this.endpointsOf(upstream);
    const untried = tried ? endpoints.filter((pod) => !tried.has(pod)) : endpoints;
    const pool = this.pool(upstream);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: pick() of no endpoints is undefined, so the fallback to all endpoints is taken the same way
    return (untried.length > 0 ? pool.pick(untried, upstream.policy) : undefined) ?? pool.pick(endpoints, upstream.policy);
  }

  /** A connection of the upstream's pool for one attempt, waited for if need be; false on overflow (503 UO). */
  acquire(upstream: UpstreamRef, signal?: AbortSignal): Promise<boolean> {
    return this.pool(upstream).acquire(upstream.policy, signal);
  }

  release(upstream: UpstreamRef): void {
    this.pool(upstream).release(upstream.policy);
  }

  /** One attempt to `pod` begins: it counts as in flight for LEAST_REQUEST until attemptEnded. */
  attemptStarted(pod: Pod): void {
    this.active.set(pod, (this.active.get(pod) ?? 0) + 1);
  }

  attemptEnded(pod: Pod): void {
    const left = (this.active.get(pod) ?? 1) - 1;
    if (left > 0) this.active.set(pod, left);
    else this.active.delete(pod);
  }

  /** Tells outlier detection how a request to `pod` ended. */
  report(upstream: UpstreamRef, pod: Pod, status: number): void {
    this.pool(upstream).report(pod, status, upstream.policy, () => this.endpointsOf(upstream).length);
  }

  private pool(upstream: UpstreamRef): UpstreamPool {
    let found = this.pools.get(upstream.key);
    if (!found) this.pools.set(upstream.key, (found = new UpstreamPool(this.active)));
    return found;
  }
}
