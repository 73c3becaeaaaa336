import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Pod } from '../k8s/identity.js';
import { UpstreamPool } from './upstream-pool.js';

const pod = (name: string): Pod => ({ name, namespace: 'base', workload: 'w', labels: {}, serviceAccount: 'sa', port: 1, ready: true });

afterEach(() => vi.restoreAllMocks());

describe('UpstreamPool', () => {
  it('ROUND_ROBIN takes turns; LEAST_REQUEST prefers the idler endpoint', () => {
    const [a, b] = [pod('a'), pod('b')];
    const active = new Map([[a, 5]]);
    const pool = new UpstreamPool(active);
    expect([1, 2, 3, 4].map(() => pool.pick([a, b], { loadBalancer: { simple: 'ROUND_ROBIN' } })?.name)).toEqual(['a', 'b', 'a', 'b']);
    const picks = Array.from({ length: 50 }, () => pool.pick([a, b], { loadBalancer: { simple: 'LEAST_REQUEST' } })?.name);
    expect(picks.filter((p) => p === 'b').length).toBeGreaterThan(picks.filter((p) => p === 'a').length);
  });

  it('RANDOM spreads picks over every endpoint', () => {
    const [a, b, c] = [pod('a'), pod('b'), pod('c')];
    const pool = new UpstreamPool(new Map());
    const picks = new Set(Array.from({ length: 200 }, () => pool.pick([a, b, c], { loadBalancer: { simple: 'RANDOM' } })?.name));
    expect(picks).toEqual(new Set(['a', 'b', 'c']));
  });

  it("uses LEAST_REQUEST when the policy names no load balancer, as Istio's default is", () => {
    const [a, b] = [pod('a'), pod('b')];
    const pool = new UpstreamPool(new Map([[a, 5]]));
    // Power of two choices, with the samples fixed: a/a, a/b, b/a, b/b. The busy endpoint wins only when both
    // samples are it.
    const samples = [0, 0, 0, 0.9, 0.9, 0, 0.9, 0.9];
    vi.spyOn(Math, 'random').mockImplementation(() => samples.shift()!);
    expect(Array.from({ length: 4 }, () => pool.pick([a, b], {})?.name)).toEqual(['a', 'b', 'b', 'b']);
  });

  it("has no circuit-breaker limit unless the policy sets one (Istio's defaults are 2^32-1)", async () => {
    const pool = new UpstreamPool(new Map());
    expect((await Promise.all(Array.from({ length: 5000 }, () => pool.acquire({})))).every(Boolean)).toBe(true);
    // 0 is unset in Istio (only values above 0 are applied), not a limit of none: nobody waits.
    const zero = new UpstreamPool(new Map());
    const unset = { connectionPool: { tcp: { maxConnections: 0 }, http: { http1MaxPendingRequests: 0, http2MaxRequests: 0 } } };
    expect((await Promise.all(Array.from({ length: 100 }, () => zero.acquire(unset)))).every(Boolean)).toBe(true);
  });

  it('gives maxConnections requests a connection, queues http1MaxPendingRequests in order, overflows the rest', async () => {
    const pool = new UpstreamPool(new Map());
    const policy = { connectionPool: { tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 2 } } };
    const order: string[] = [];
    const take = (name: string) => pool.acquire(policy).then((held) => (order.push(`${name}:${held}`), held));
    const requests = [take('a'), take('b'), take('c'), take('d')];
    await Promise.resolve();
    expect(order).toEqual(['a:true', 'd:false']);
    pool.release(policy);
    await requests[1];
    expect(order).toEqual(['a:true', 'd:false', 'b:true']);
    pool.release(policy);
    await requests[2];
    expect(order).toEqual(['a:true', 'd:false', 'b:true', 'c:true']);
  });

  it('overflows past http2MaxRequests busy (waiting ones do not count), and lets a signal end a wait', async () => {
    const pool = new UpstreamPool(new Map());
    const policy = { connectionPool: { tcp: { maxConnections: 2 }, http: { http2MaxRequests: 1 } } };
    expect(await pool.acquire(policy)).toBe(true);
    expect(await pool.acquire(policy)).toBe(false);
    const queued = { connectionPool: { tcp: { maxConnections: 1 }, http: { http2MaxRequests: 2 } } };
    const gaveUp = new AbortController();
    const waiting = [pool.acquire(queued, gaveUp.signal), pool.acquire(queued)];
    gaveUp.abort('timeout');
    await expect(waiting[0]).rejects.toBe('timeout');
    pool.release(queued);
    expect(await waiting[1]).toBe(true);
  });

  it('fails every waiting request max_requests refuses when a connection frees, not just the first', async () => {
    const pool = new UpstreamPool(new Map());
    const two = { connectionPool: { tcp: { maxConnections: 2 } } };
    expect(await Promise.all([pool.acquire(two), pool.acquire(two)])).toEqual([true, true]);
    const waiting = [pool.acquire(two), pool.acquire(two)];
    // The DestinationRule now allows one request at a time: with one still busy, neither waiting one may attach.
    pool.release({ connectionPool: { tcp: { maxConnections: 2 }, http: { http2MaxRequests: 1 } } });
    expect(await Promise.all(waiting)).toEqual([false, false]);
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

  it('never ejects beyond maxEjectionPercent (at least one)', () => {
    const [a, b] = [pod('a'), pod('b')];
    const pool = new UpstreamPool(new Map());
    const policy = { outlierDetection: { consecutive5xxErrors: 1, baseEjectionTime: 1000 } };
    pool.report(a, 500, policy, () => 2, 0);
    pool.report(b, 500, policy, () => 2, 0);
    expect([pool.isEjected(a, 0), pool.isEjected(b, 0)]).toEqual([true, false]);
  });

  it('forgets ejections once the policy has no outlierDetection, and caps an ejection at 300 s', () => {
    const [a, b] = [pod('a'), pod('b')];
    const pool = new UpstreamPool(new Map());
    const policy = { outlierDetection: { consecutive5xxErrors: 1, baseEjectionTime: 200_000, maxEjectionPercent: 100 } };
    pool.report(a, 500, policy, () => 2, 0);
    pool.report(a, 500, policy, () => 2, 200_001);
    expect(pool.isEjected(a, 200_001 + 300_000 - 1)).toBe(true);
    expect(pool.isEjected(a, 200_001 + 300_000)).toBe(false);
    expect(new Set(Array.from({ length: 40 }, () => pool.pick([a, b], {}, 200_002)?.name))).toEqual(new Set(['a', 'b']));
  });

  it('has no endpoint to offer when every one is ejected, unless minHealthPercent turns panic mode on', () => {
    const a = pod('a');
    const pool = new UpstreamPool(new Map());
    const policy = { outlierDetection: { consecutive5xxErrors: 1, baseEjectionTime: 1000 } };
    pool.report(a, 500, policy, () => 1, 0);
    // Istio sets Envoy's panic threshold to minHealthPercent, 0 by default: no panic, the request gets 503 UH.
    expect(pool.pick([a], policy, 0)).toBeUndefined();
    expect(pool.pick([a], { outlierDetection: { ...policy.outlierDetection, minHealthPercent: 50 } }, 0)?.name).toBe('a');
  });
});
