import type { TrafficPolicy } from '../api/istio-schemas.js';
import type { Pod } from '../k8s/identity.js';

const DEFAULT_CONSECUTIVE_5XX = 5;
const DEFAULT_BASE_EJECTION_MS = 30_000;
const DEFAULT_MAX_EJECTION_PERCENT = 10;
/** Envoy's max_ejection_time default: however often a host is ejected, it is out for at most this long. */
const MAX_EJECTION_MS = 300_000;
/**
 * What Istio sets each circuit-breaker threshold to when the DestinationRule sets none (and for 0): 2^32-1, in effect
 * no limit, not Envoy's own 1024 (pilot cluster_traffic_policy.go getDefaultCircuitBreakerThresholds).
 */
// Stryker disable next-line ArithmeticOperator: 2^32±1 are both beyond any number of requests a proxy holds at once
const DEFAULT_CIRCUIT_LIMIT = 2 ** 32 - 1;

/** The circuit breaker's thresholds; Istio applies one only when it is above 0 (cluster_traffic_policy.go applyConnectionPool). */
function circuitLimits(policy: TrafficPolicy): { connections: number; pending: number; requests: number } {
  const pool = policy.connectionPool;
  // Stryker disable next-line ConditionalExpression: the undefined check only narrows the type: undefined > 0 is false as well
  const threshold = (value: number | undefined) => (value !== undefined && value > 0 ? value : DEFAULT_CIRCUIT_LIMIT);
  return { connections: threshold(pool?.tcp?.maxConnections), pending: threshold(pool?.http?.http1MaxPendingRequests), requests: threshold(pool?.http?.http2MaxRequests) };
}

interface HostHealth {
  consecutive5xx: number;
  consecutiveGateway: number;
  ejections: number;
  ejectedUntil: number;
}

/**
 * One upstream as Envoy sees it (what Envoy calls a cluster: a Service, or one subset of it): picks an endpoint with
 * the configured load balancer and ejects endpoints that keep failing (outlier detection). Ejection happens as soon
 * as the threshold is reached rather than at Envoy's next interval sweep.
 */
export class UpstreamPool {
  private turn = 0;
  /** Requests holding a connection. */
  private busy = 0;
  /** Requests waiting for one, first come first served. */
  private readonly waiting: ((held: boolean) => void)[] = [];
  private readonly health = new Map<Pod, HostHealth>();

  /** `active`: requests in flight per pod, across every pool the pod is in (for LEAST_REQUEST). */
  constructor(private readonly active: ReadonlyMap<Pod, number>) {}

  /**
   * The endpoint for the next request, or undefined when none may take it (the proxy answers 503 UH). Ejected
   * endpoints are skipped; Envoy's panic mode (use them all) starts only when the healthy share falls below the panic
   * threshold, which Istio sets to outlierDetection.minHealthPercent, 0 by default: panic is off unless asked for
   * (pilot cluster_traffic_policy.go applyOutlierDetection; test TestDisablePanicThresholdAsDefault).
   */
  pick(pods: Pod[], policy: TrafficPolicy, now = Date.now()): Pod | undefined {
    // Stryker disable next-line ConditionalExpression: no endpoints leave no candidates, which the check below answers the same way before any balancer runs
    if (pods.length === 0) return undefined;
    // Ejections are outlier detection's: once a policy has none, nothing is ejected.
    const healthy = policy.outlierDetection ? pods.filter((pod) => !this.isEjected(pod, now)) : pods;
    const panicBelow = policy.outlierDetection?.minHealthPercent ?? 0;
    const candidates = (healthy.length / pods.length) * 100 < panicBelow ? pods : healthy;
    if (candidates.length === 0) return undefined;
    // Istio's default load balancer is LEAST_REQUEST (pilot cluster_traffic_policy.go defaultLBAlgorithm).
    switch (policy.loadBalancer?.simple ?? 'LEAST_REQUEST') {
      case 'RANDOM':
        return candidates[Math.floor(Math.random() * candidates.length)];
      case 'LEAST_REQUEST': {
        // Power of two choices, as Envoy's least_request does; a tie keeps the first sample.
        const a = candidates[Math.floor(Math.random() * candidates.length)]!;
        const b = candidates[Math.floor(Math.random() * candidates.length)]!;
        return (this.active.get(a) ?? 0) <= (this.active.get(b) ?? 0) ? a : b;
      }
      case 'ROUND_ROBIN':
        return candidates[this.turn++ % candidates.length];
    }
  }

  /**
   * Envoy's circuit breaker and HTTP/1 connection pool, its connections kept warm (conn_pool_base.cc): a request
   * takes a connection while fewer than maxConnections are busy; otherwise it waits its turn, first come first
   * served, among at most http1MaxPendingRequests, and beyond that overflows. Taking a connection overflows when
   * http2MaxRequests are busy already (Envoy's max_requests, checked as a stream attaches: attachStreamToClient).
   * Resolves true once the request holds a connection (give it back with release), false on overflow (503 UO);
   * rejects with the signal's reason if that ends the wait.
   */
  acquire(policy: TrafficPolicy, signal?: AbortSignal): Promise<boolean> {
    const limits = circuitLimits(policy);
    if (this.waiting.length === 0 && this.busy < limits.connections) return Promise.resolve(this.attach(limits));
    if (this.waiting.length >= limits.pending) return Promise.resolve(false);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const turn = (held: boolean) => {
        signal?.removeEventListener('abort', giveUp);
        resolve(held);
      };
      const giveUp = () => {
        this.waiting.splice(this.waiting.indexOf(turn), 1);
        reject(signal!.reason);
      };
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: a signal aborts at most once, so the listener runs at most once either way
      signal?.addEventListener('abort', giveUp, { once: true });
      this.waiting.push(turn);
    });
  }

  /**
   * A request is done with its connection: the first one waiting takes it over (and, should max_requests refuse it,
   * the next, as Envoy serves its pending streams while a connection is ready: onUpstreamReady).
   */
  release(policy: TrafficPolicy): void {
    this.busy--;
    const limits = circuitLimits(policy);
    while (this.waiting.length > 0 && this.busy < limits.connections) {
      const held = this.attach(limits);
      this.waiting.shift()!(held);
      if (held) return;
    }
  }

  private attach(limits: { requests: number }): boolean {
    if (this.busy >= limits.requests) return false;
    this.busy++;
    return true;
  }

  /**
   * Feeds outlier detection with one outcome: an HTTP status, or 503 for a failed connection. `poolSize` is asked
   * only when an ejection is considered, so requests to upstreams without outlierDetection cost nothing here.
   */
  report(pod: Pod, status: number, policy: TrafficPolicy, poolSize: () => number, now = Date.now()): void {
    const detection = policy.outlierDetection;
    if (!detection) return;
    const health = this.health.get(pod) ?? { consecutive5xx: 0, consecutiveGateway: 0, ejections: 0, ejectedUntil: 0 };
    this.health.set(pod, health);
    if (status < 500) {
      health.consecutive5xx = 0;
      health.consecutiveGateway = 0;
      return;
    }
    health.consecutive5xx++;
    // Any answer other than 502–504 breaks a run of gateway errors (Envoy outlier detection, consecutive_gateway_failure).
    health.consecutiveGateway = status >= 502 && status <= 504 ? health.consecutiveGateway + 1 : 0;
    const by5xx = health.consecutive5xx >= (detection.consecutive5xxErrors ?? DEFAULT_CONSECUTIVE_5XX) && detection.consecutive5xxErrors !== 0;
    // Stryker disable next-line ConditionalExpression: the undefined check only narrows the type: with it unset, a count >= undefined is false as well
    const byGateway = detection.consecutiveGatewayErrors !== undefined && detection.consecutiveGatewayErrors > 0 && health.consecutiveGateway >= detection.consecutiveGatewayErrors;
    if (!(by5xx || byGateway) || health.ejectedUntil > now) return;
    const ejectedNow = [...this.health.values()].filter((h) => h.ejectedUntil > now).length;
    const allowed = Math.max(1, Math.floor((poolSize() * (detection.maxEjectionPercent ?? DEFAULT_MAX_EJECTION_PERCENT)) / 100));
    if (ejectedNow >= allowed) return;
    health.ejections++;
    health.ejectedUntil = now + Math.min((detection.baseEjectionTime ?? DEFAULT_BASE_EJECTION_MS) * health.ejections, MAX_EJECTION_MS);
    health.consecutive5xx = 0;
    health.consecutiveGateway = 0;
  }

  isEjected(pod: Pod, now = Date.now()): boolean {
    return (this.health.get(pod)?.ejectedUntil ?? 0) > now;
  }
}
