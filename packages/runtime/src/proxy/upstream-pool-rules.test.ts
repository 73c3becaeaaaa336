import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Pod } from '../k8s/identity.js';
import { UpstreamPool } from './upstream-pool.js';

const pod = (name: string): Pod => ({ name, namespace: 'base', workload: 'w', labels: {}, serviceAccount: 'sa', port: 1, ready: true });
const names = (pods: (Pod | undefined)[]) => pods.map((p) => p?.name);

afterEach(() => vi.restoreAllMocks());

describe('picking an endpoint', () => {
  it('has none to offer from no endpoints', () => {
    expect(new UpstreamPool(new Map()).pick([], {})).toBeUndefined();
  });

  it('LEAST_REQUEST keeps the first sample on a tie', () => {
    const [a, b] = [pod('a'), pod('b')];
    const pool = new UpstreamPool(new Map());
    const samples = [0, 0.9, 0.9, 0];
    vi.spyOn(Math, 'random').mockImplementation(() => samples.shift()!);
    expect(names([pool.pick([a, b], {}), pool.pick([a, b], {})])).toEqual(['a', 'b']);
  });

  it('RANDOM takes the endpoint Math.random points at', () => {
    const pods = [pod('a'), pod('b'), pod('c')];
    const pool = new UpstreamPool(new Map());
    const samples = [0, 0.34, 0.99];
    vi.spyOn(Math, 'random').mockImplementation(() => samples.shift()!);
    expect(names(pods.map(() => pool.pick(pods, { loadBalancer: { simple: 'RANDOM' } })))).toEqual(['a', 'b', 'c']);
  });

  it('ROUND_ROBIN goes on from where it was when the endpoints change', () => {
    const [a, b, c] = [pod('a'), pod('b'), pod('c')];
    const pool = new UpstreamPool(new Map());
    const rr = { loadBalancer: { simple: 'ROUND_ROBIN' as const } };
    expect(names([pool.pick([a, b, c], rr), pool.pick([a, b, c], rr), pool.pick([a, b], rr), pool.pick([a, b], rr)])).toEqual(['a', 'b', 'a', 'b']);
  });

  it('enters panic mode (every endpoint, ejected or not) only below minHealthPercent', () => {
    const [a, b] = [pod('a'), pod('b')];
    const pool = new UpstreamPool(new Map());
    const detection = { consecutive5xxErrors: 1, maxEjectionPercent: 100 };
    pool.report(a, 500, { outlierDetection: detection }, () => 2, 0);
    const rr = (minHealthPercent: number) => ({ loadBalancer: { simple: 'ROUND_ROBIN' as const }, outlierDetection: { ...detection, minHealthPercent } });
    // Half the endpoints are healthy: at 50 % that is not below the threshold, at 51 % it is.
    expect(new Set(names(Array.from({ length: 4 }, () => pool.pick([a, b], rr(50), 0))))).toEqual(new Set(['b']));
    expect(new Set(names(Array.from({ length: 4 }, () => pool.pick([a, b], rr(51), 0))))).toEqual(new Set(['a', 'b']));
  });
});

describe('outlier detection', () => {
  const at = 1_000_000;

  it('ejects after 5 consecutive 5xx by default, for 30 s', () => {
    const [a, b] = [pod('a'), pod('b')];
    const pool = new UpstreamPool(new Map());
    const policy = { outlierDetection: { maxEjectionPercent: 100 } };
    for (let i = 0; i < 4; i++) pool.report(a, 500, policy, () => 2, at);
    expect(pool.isEjected(a, at)).toBe(false);
    pool.report(a, 500, policy, () => 2, at);
    expect(pool.isEjected(a, at)).toBe(true);
    expect(pool.isEjected(a, at + 29_999)).toBe(true);
    expect(pool.isEjected(a, at + 30_000)).toBe(false);
    expect(pool.isEjected(b, at)).toBe(false);
  });

  it('does not count 5xx when consecutive5xxErrors is 0, and counts nothing without outlierDetection', () => {
    const a = pod('a');
    const pool = new UpstreamPool(new Map());
    for (let i = 0; i < 10; i++) pool.report(a, 500, { outlierDetection: { consecutive5xxErrors: 0, maxEjectionPercent: 100 } }, () => 1, at);
    expect(pool.isEjected(a, at)).toBe(false);
    for (let i = 0; i < 10; i++) pool.report(a, 500, {}, () => 1, at);
    expect(pool.isEjected(a, at)).toBe(false);
  });

  it('ejects after consecutiveGatewayErrors 502–504 in a row; any other answer breaks the run', () => {
    const a = pod('a');
    const pool = new UpstreamPool(new Map());
    const policy = { outlierDetection: { consecutive5xxErrors: 0, consecutiveGatewayErrors: 2, maxEjectionPercent: 100, baseEjectionTime: 1_000 } };
    pool.report(a, 502, policy, () => 1, at);
    pool.report(a, 500, policy, () => 1, at);
    pool.report(a, 504, policy, () => 1, at);
    expect(pool.isEjected(a, at)).toBe(false);
    pool.report(a, 200, policy, () => 1, at);
    pool.report(a, 503, policy, () => 1, at);
    expect(pool.isEjected(a, at)).toBe(false);
    pool.report(a, 503, policy, () => 1, at);
    expect(pool.isEjected(a, at)).toBe(true);
    const other = new UpstreamPool(new Map());
    for (const status of [501, 505]) other.report(a, status, { outlierDetection: { consecutive5xxErrors: 0, consecutiveGatewayErrors: 1, maxEjectionPercent: 100 } }, () => 1, at);
    expect(other.isEjected(a, at)).toBe(false);
  });

  it('counts a success as the end of a run of 5xx', () => {
    const a = pod('a');
    const pool = new UpstreamPool(new Map());
    const policy = { outlierDetection: { consecutive5xxErrors: 2, maxEjectionPercent: 100 } };
    pool.report(a, 500, policy, () => 1, at);
    pool.report(a, 499, policy, () => 1, at);
    pool.report(a, 500, policy, () => 1, at);
    expect(pool.isEjected(a, at)).toBe(false);
  });

  it('ejects longer each time (baseEjectionTime × ejections)', () => {
    const a = pod('a');
    const pool = new UpstreamPool(new Map());
    const policy = { outlierDetection: { consecutive5xxErrors: 2, baseEjectionTime: 1_000, maxEjectionPercent: 100 } };
    pool.report(a, 500, policy, () => 1, at);
    pool.report(a, 500, policy, () => 1, at);
    expect(pool.isEjected(a, at + 999)).toBe(true);
    expect(pool.isEjected(a, at + 1_000)).toBe(false);
    // A failure answered while it is ejected (a request in flight) does not extend the ejection.
    pool.report(a, 500, policy, () => 1, at + 500);
    pool.report(a, 500, policy, () => 1, at + 500);
    expect(pool.isEjected(a, at + 1_000)).toBe(false);
    pool.report(a, 200, policy, () => 1, at + 2_000);
    pool.report(a, 500, policy, () => 1, at + 2_000);
    expect(pool.isEjected(a, at + 2_000)).toBe(false);
    pool.report(a, 500, policy, () => 1, at + 2_000);
    expect(pool.isEjected(a, at + 3_999)).toBe(true);
    expect(pool.isEjected(a, at + 4_000)).toBe(false);
  });

  it('ejects at most 10 % of the endpoints by default, at least one', () => {
    const pods = Array.from({ length: 20 }, (_, i) => pod(`p${i}`));
    const pool = new UpstreamPool(new Map());
    const policy = { outlierDetection: { consecutive5xxErrors: 1 } };
    for (const p of pods) pool.report(p, 500, policy, () => 20, at);
    expect(pods.filter((p) => pool.isEjected(p, at))).toHaveLength(2);
    const few = new UpstreamPool(new Map());
    for (const p of pods.slice(0, 3)) few.report(p, 500, policy, () => 3, at);
    expect(pods.slice(0, 3).filter((p) => few.isEjected(p, at))).toHaveLength(1);
  });

  it('counts as ejected only those still out: one back counts no more', () => {
    const [a, b] = [pod('a'), pod('b')];
    const pool = new UpstreamPool(new Map());
    const policy = { outlierDetection: { consecutive5xxErrors: 1, baseEjectionTime: 1_000, maxEjectionPercent: 50 } };
    pool.report(a, 500, policy, () => 2, at);
    pool.report(b, 500, policy, () => 2, at + 1_000);
    expect([pool.isEjected(a, at + 1_000), pool.isEjected(b, at + 1_000)]).toEqual([false, true]);
  });

  it('does not ask how many endpoints there are unless an ejection is considered', () => {
    const a = pod('a');
    const pool = new UpstreamPool(new Map());
    const poolSize = vi.fn(() => 1);
    pool.report(a, 500, { outlierDetection: { consecutive5xxErrors: 2 } }, poolSize, at);
    pool.report(a, 200, { outlierDetection: { consecutive5xxErrors: 2 } }, poolSize, at);
    expect(poolSize).not.toHaveBeenCalled();
  });
});

describe('the circuit breaker', () => {
  it('refuses to queue beyond http1MaxPendingRequests, and rejects a wait whose signal has ended already', async () => {
    const pool = new UpstreamPool(new Map());
    const policy = { connectionPool: { tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1 } } };
    expect(await pool.acquire(policy)).toBe(true);
    const ended = new AbortController();
    ended.abort('gone');
    await expect(pool.acquire(policy, ended.signal)).rejects.toBe('gone');
    const waiting = pool.acquire(policy);
    expect(await pool.acquire(policy)).toBe(false);
    pool.release(policy);
    expect(await waiting).toBe(true);
  });

  it('serves waiting requests first come, first served, even when a connection is free', async () => {
    const pool = new UpstreamPool(new Map());
    const one = { connectionPool: { tcp: { maxConnections: 1 } } };
    expect(await pool.acquire(one)).toBe(true);
    const order: string[] = [];
    const first = pool.acquire(one).then(() => order.push('first'));
    pool.release(one);
    const second = pool.acquire(one).then(() => order.push('second'));
    await first;
    pool.release(one);
    await second;
    expect(order).toEqual(['first', 'second']);
  });

  it('takes a request that gave up out of the queue, so it holds no place', async () => {
    const pool = new UpstreamPool(new Map());
    const policy = { connectionPool: { tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1 } } };
    expect(await pool.acquire(policy)).toBe(true);
    const gaveUp = new AbortController();
    const waiting = pool.acquire(policy, gaveUp.signal);
    gaveUp.abort('timeout');
    await expect(waiting).rejects.toBe('timeout');
    const next = pool.acquire(policy);
    pool.release(policy);
    expect(await next).toBe(true);
  });

  it('stops its wait listening once a request holds a connection', async () => {
    const pool = new UpstreamPool(new Map());
    const one = { connectionPool: { tcp: { maxConnections: 1 } } };
    expect(await pool.acquire(one)).toBe(true);
    const signal = new AbortController();
    const waiting = pool.acquire(one, signal.signal);
    pool.release(one);
    expect(await waiting).toBe(true);
    // Aborting now changes nothing: the request has its connection.
    signal.abort('late');
    pool.release(one);
    expect(await pool.acquire(one)).toBe(true);
  });
});

describe('edges of the rules', () => {
  /** Whether `promise` has settled by now, without waiting for it: a settled promise wins the race against an already resolved one. */
  const settled = async (promise: Promise<unknown>) => {
    const pending = Symbol('pending');
    return (await Promise.race([promise, Promise.resolve(pending)])) !== pending;
  };
  const at = 1_000_000;

  it('ROUND_ROBIN’s turn does not move while every endpoint is ejected', () => {
    const [a, b] = [pod('a'), pod('b')];
    const pool = new UpstreamPool(new Map());
    const policy = { loadBalancer: { simple: 'ROUND_ROBIN' as const }, outlierDetection: { consecutive5xxErrors: 1, maxEjectionPercent: 100, baseEjectionTime: 1_000 } };
    expect(pool.pick([a, b], policy, at)?.name).toBe('a');
    pool.report(a, 500, policy, () => 2, at);
    pool.report(b, 500, policy, () => 2, at);
    expect(pool.pick([a, b], policy, at)).toBeUndefined();
    expect(pool.pick([a, b], policy, at + 1_000)?.name).toBe('b');
  });

  it('counts 502 and 504 as gateway errors, the ends of the range', () => {
    const policy = { outlierDetection: { consecutive5xxErrors: 0, consecutiveGatewayErrors: 2, maxEjectionPercent: 100 } };
    for (const status of [502, 504]) {
      const a = pod('a');
      const pool = new UpstreamPool(new Map());
      pool.report(a, status, policy, () => 1, at);
      pool.report(a, status, policy, () => 1, at);
      expect(pool.isEjected(a, at)).toBe(true);
    }
  });

  it('ejects for nothing when both consecutive5xxErrors and consecutiveGatewayErrors are 0 (each turned off)', () => {
    const a = pod('a');
    const pool = new UpstreamPool(new Map());
    for (let i = 0; i < 10; i++) pool.report(a, 503, { outlierDetection: { consecutive5xxErrors: 0, consecutiveGatewayErrors: 0, maxEjectionPercent: 100 } }, () => 1, at);
    expect(pool.isEjected(a, at)).toBe(false);
  });

  it('does not eject again, nor longer, an endpoint still ejected when a request in flight fails', () => {
    const a = pod('a');
    const pool = new UpstreamPool(new Map());
    const policy = { outlierDetection: { consecutive5xxErrors: 1, baseEjectionTime: 1_000, maxEjectionPercent: 100 } };
    pool.report(a, 500, policy, () => 2, at);
    pool.report(a, 500, policy, () => 2, at + 500);
    expect(pool.isEjected(a, at + 999)).toBe(true);
    expect(pool.isEjected(a, at + 1_000)).toBe(false);
  });

  it('queues a request behind those already waiting even once the DestinationRule allows more connections', async () => {
    const pool = new UpstreamPool(new Map());
    const one = { connectionPool: { tcp: { maxConnections: 1 } } };
    const two = { connectionPool: { tcp: { maxConnections: 2 } } };
    expect(await pool.acquire(one)).toBe(true);
    const first = pool.acquire(one);
    const second = pool.acquire(two);
    expect(await settled(second)).toBe(false);
    pool.release(two);
    expect(await first).toBe(true);
  });

  it('keeps a request waiting when a release leaves as many busy as a DestinationRule, since lowered, allows', async () => {
    const pool = new UpstreamPool(new Map());
    const two = { connectionPool: { tcp: { maxConnections: 2 } } };
    const one = { connectionPool: { tcp: { maxConnections: 1 } } };
    expect([await pool.acquire(two), await pool.acquire(two)]).toEqual([true, true]);
    const waiting = pool.acquire(two);
    pool.release(one);
    expect(await settled(waiting)).toBe(false);
    pool.release(one);
    expect(await waiting).toBe(true);
  });

  it('a request that got its connection and then ends (its client leaves) takes no one else’s place in the queue', async () => {
    const pool = new UpstreamPool(new Map());
    const one = { connectionPool: { tcp: { maxConnections: 1 } } };
    expect(await pool.acquire(one)).toBe(true);
    const leaves = new AbortController();
    const served = pool.acquire(one, leaves.signal);
    const next = pool.acquire(one, new AbortController().signal);
    pool.release(one);
    expect(await served).toBe(true);
    leaves.abort('client gone');
    pool.release(one);
    expect(await settled(next)).toBe(true);
  });
});
