import { describe, expect, it } from 'vitest';
import { UpstreamCluster } from './balancer.js';
import type { Pod } from './cluster.js';

const pod = (name: string): Pod => ({ name, namespace: 'base', workload: 'w', labels: {}, serviceAccount: 'sa', port: 1, ready: true });

describe('UpstreamCluster', () => {
  it('ROUND_ROBIN takes turns; LEAST_REQUEST prefers the idler endpoint', () => {
    const [a, b] = [pod('a'), pod('b')];
    const active = new Map([[a, 5]]);
    const cluster = new UpstreamCluster(active);
    expect([1, 2, 3, 4].map(() => cluster.pick([a, b], {})?.name)).toEqual(['a', 'b', 'a', 'b']);
    const picks = Array.from({ length: 50 }, () => cluster.pick([a, b], { loadBalancer: { simple: 'LEAST_REQUEST' } })?.name);
    expect(picks.filter((p) => p === 'b').length).toBeGreaterThan(picks.filter((p) => p === 'a').length);
  });

  it('ejects an endpoint after consecutive 5xx for baseEjectionTime, then takes it back', () => {
    const [a, b] = [pod('a'), pod('b')];
    const cluster = new UpstreamCluster(new Map());
    const policy = { outlierDetection: { consecutive5xxErrors: 3, baseEjectionTime: 1000, maxEjectionPercent: 50 } };
    const now = 10_000;
    cluster.report(a, 500, policy, () => 2, now);
    cluster.report(a, 200, policy, () => 2, now);
    cluster.report(a, 500, policy, () => 2, now);
    cluster.report(a, 502, policy, () => 2, now);
    expect(cluster.isEjected(a, now)).toBe(false);
    cluster.report(a, 503, policy, () => 2, now);
    expect(cluster.isEjected(a, now)).toBe(true);
    expect(Array.from({ length: 4 }, () => cluster.pick([a, b], policy, now)?.name)).toEqual(['b', 'b', 'b', 'b']);
    expect(cluster.isEjected(a, now + 1001)).toBe(false);
  });

  it('never ejects beyond maxEjectionPercent (at least one), and uses every endpoint when all are ejected', () => {
    const [a, b] = [pod('a'), pod('b')];
    const cluster = new UpstreamCluster(new Map());
    const policy = { outlierDetection: { consecutive5xxErrors: 1, baseEjectionTime: 1000 } };
    cluster.report(a, 500, policy, () => 2, 0);
    cluster.report(b, 500, policy, () => 2, 0);
    expect([cluster.isEjected(a, 0), cluster.isEjected(b, 0)]).toEqual([true, false]);
    expect(cluster.pick([a], policy, 0)?.name).toBe('a');
  });
});
