/**
 * A controller's client to the API server: client-go's token bucket (flowcontrol.NewTokenBucketRateLimiter) at
 * kube-controller-manager's defaults, --kube-api-qps 20 and --kube-api-burst 30. Each controller (ReplicaSet,
 * StatefulSet) has a client of its own; the runtime spends its tokens on what those controllers ask of the API most,
 * creating pods. So `replicas: 500000` makes pods at 20 a second as on a cluster, not all at once, and the runtime
 * grows no faster than a cluster's API would.
 */
export const CONTROLLER_API_QPS = 20;
export const CONTROLLER_API_BURST = 30;

export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly qps = CONTROLLER_API_QPS,
    private readonly burst = CONTROLLER_API_BURST,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.at = now();
  }

  /** Takes up to `wanted` tokens; returns how many it got. */
  take(wanted: number): number {
    this.refill();
    const granted = Math.max(0, Math.min(wanted, Math.floor(this.tokens)));
    this.tokens -= granted;
    return granted;
  }

  /** Milliseconds until the next token (0 if one is there). */
  untilNext(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.qps) * 1000);
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.qps);
    this.at = now;
  }
}
