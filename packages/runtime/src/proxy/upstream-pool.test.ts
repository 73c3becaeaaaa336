import { describe, expect, it } from 'vitest';
import type { Pod } from '../k8s/identity.js';
import { UpstreamPool } from './upstream-pool.js';

const pod = (name: string): Pod => ({ name, namespace: 'base', workload: 'w', labels: {}, serviceAccount: 'sa', port: 1, ready: true });

describe('UpstreamPool', () => {
  it('ROUND_ROBIN takes turns; LEAST_REQUEST prefers the idler endpoint', () => {
    const [a, b] = [pod('a'), pod('b')];
    const active = new Map([[a, 5]]);
    const pool = new UpstreamPool(active);
    expect([1, 2, 3, 4].map(() => pool.pick([a, b], {})?.name)).toEqual(['a', 'b', 'a', 'b']);
    const picks = Array.from({ length: 50 }, () => pool.pick([a, b], { loadBalancer: { simple: 'LEAST_REQUEST' } })?.name);
    expect(picks.filter((p) => p === 'b').length).toBeGreaterThan(picks.filter((p) => p === 'a').length);
  });

  it('ejects an endpoint after consecutive 5xx for baseEjectionTime, then takes it back', () => {
    const [a, b] = [pod('a'), pod('b')];
    const pool = new UpstreamPool(new Map());
    const policy = { outlierDetection: { consecutive5xxErrors: 3, baseEjectionTime: 1000, maxEjectionPercent: 50 } };
    const now = 10_000;
    pool.report(a, 500, policy, () => 2, now);
    pool.report(a, 200, policy, () => 2, now);
    pool.report(a, 500, policy, () => 2, now);
    pool.report(a, 502, policy, () => 2, now);
    expect(pool.isEjected(a, now)).toBe(false);
    pool.report(a, 503, policy, () => 2, now);
    expect(pool.isEjected(a, now)).toBe(true);
    expect(Array.from({ length: 4 }, () => pool.pick([a, b], policy, now)?.name)).toEqual(['b', 'b', 'b', 'b']);
    expect(pool.isEjected(a, now + 1001)).toBe(false);
  });

  it('never ejects beyond maxEjectionPercent (at least one), and uses every endpoint when all are ejected', () => {
    const [a, b] = [pod('a'), pod('b')];
    const pool = new UpstreamPool(new Map());
    const policy = { outlierDetection: { consecutive5xxErrors: 1, baseEjectionTime: 1000 } };
    pool.report(a, 500, policy, () => 2, 0);
    pool.report(b, 500, policy, () => 2, 0);
    expect([pool.isEjected(a, 0), pool.isEjected(b, 0)]).toEqual([true, false]);
    expect(pool.pick([a], policy, 0)?.name).toBe('a');
  });
});
