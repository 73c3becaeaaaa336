import { describe, expect, it } from 'vitest';
import type { UpstreamRef } from '../istio/route-table.js';
import { sampleRegistry } from '../k8s/test-fixtures.js';
import { Clusters } from './clusters.js';
import { Router } from './router.js';

const caller = { namespace: 'base', workload: 'mall-v1', labels: {}, serviceAccount: 'mall' };

/** The users upstream, as the router resolves it, with the given DestinationRule traffic policy. */
function users(policy: UpstreamRef['policy']): { router: Router; upstream: UpstreamRef } {
  const router = new Router(sampleRegistry());
  const decision = router.decide({ authority: 'users:7000', method: 'GET', url: '/', headers: {} }, caller);
  if (decision.kind !== 'route') throw new Error('reason' in decision ? decision.reason : decision.kind);
  return { router, upstream: { ...decision.upstream, policy } };
}

describe("each proxy's clusters are its own, as each Envoy's are", () => {
  it("one caller's outlier detection ejects an endpoint for that caller only", () => {
    const { router, upstream } = users({ outlierDetection: { consecutive5xxErrors: 1, maxEjectionPercent: 100 } });
    const [mine, theirs] = [new Clusters((u) => router.endpointsOf(u)), new Clusters((u) => router.endpointsOf(u))];
    const [failing, healthy] = router.endpointsOf(upstream) as [never, never];
    mine.report(upstream, failing, 503);
    for (let i = 0; i < 20; i++) expect(mine.pickEndpoint(upstream)).toBe(healthy);
    const theirPicks = new Set(Array.from({ length: 40 }, () => theirs.pickEndpoint(upstream)));
    expect(theirPicks).toEqual(new Set([failing, healthy]));
  });

  it("one caller's requests in flight do not fill another caller's circuit breaker", async () => {
    const { router, upstream } = users({ connectionPool: { http: { http2MaxRequests: 1 } } });
    const [mine, theirs] = [new Clusters((u) => router.endpointsOf(u)), new Clusters((u) => router.endpointsOf(u))];
    expect(await mine.acquire(upstream)).toBe(true);
    expect(await mine.acquire(upstream)).toBe(false);
    expect(await theirs.acquire(upstream)).toBe(true);
  });
});
