import { describe, expect, it } from 'vitest';
import { sampleRegistry } from '../k8s/test-fixtures.js';
import { Clusters } from './clusters.js';
import { Router } from './router.js';

const caller = (namespace: string) => ({ namespace, workload: 'mall-v1', labels: {}, serviceAccount: 'mall' });

describe('router without Istio objects (a plain Service)', () => {
  const request = (authority: string) => ({ authority, method: 'GET', url: '/', headers: {} });

  it("spreads requests over the Service's ready endpoints only (Istio's default LEAST_REQUEST)", () => {
    const router = new Router(sampleRegistry());
    const clusters = new Clusters((upstream) => router.endpointsOf(upstream));
    const ports = Array.from({ length: 40 }, () => {
      const decision = router.decide(request('users.base.svc.cluster.local:7000'), caller('base'));
      if (decision.kind !== 'route') throw new Error('reason' in decision ? decision.reason : decision.kind);
      return clusters.pickEndpoint(decision.upstream)?.port;
    });
    expect(new Set(ports)).toEqual(new Set([1001, 1002]));
  });

  it('picks another endpoint than those already tried when there is one (the previous_hosts retry predicate)', () => {
    const router = new Router(sampleRegistry());
    const clusters = new Clusters((upstream) => router.endpointsOf(upstream));
    const decision = router.decide(request('users:7000'), caller('base'));
    if (decision.kind !== 'route') throw new Error('reason' in decision ? decision.reason : decision.kind);
    const first = clusters.pickEndpoint(decision.upstream)!;
    for (let i = 0; i < 20; i++) expect(clusters.pickEndpoint(decision.upstream, new Set([first]))).not.toBe(first);
    const both = new Set(sampleRegistry().endpoints(decision.upstream.target));
    expect(clusters.pickEndpoint(decision.upstream, new Set([first, ...both]))).toBeDefined();
  });

  it('answers 503 for an unknown host or a port the Service lacks, and finds no endpoint when none is ready', () => {
    const router = new Router(sampleRegistry());
    expect(router.decide(request('nobody:7000'), caller('base'))).toMatchObject({ kind: 'reject', status: 503, reason: expect.stringContaining('no Service') });
    expect(router.decide(request('users:8080'), caller('base'))).toMatchObject({ kind: 'reject', status: 503, reason: expect.stringContaining('no port 8080') });
    const decision = router.decide(request('products.fox:7000'), caller('base'));
    expect(decision.kind === 'route' && router.endpointsOf(decision.upstream)).toEqual([]);
  });
});
