import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Pod } from '../k8s/identity.js';
import type { UpstreamRef } from '../istio/route-table.js';
import { Clusters } from './clusters.js';

const pod = (name: string): Pod => ({ name, namespace: 'base', workload: 'users-v1', labels: {}, serviceAccount: 'users', port: 1, ready: true });
const upstream = (key: string, policy: UpstreamRef['policy'] = {}): UpstreamRef => ({ key, policy, subset: undefined, labels: {}, target: {} as UpstreamRef['target'] });

afterEach(() => vi.restoreAllMocks());

/** Two endpoints a and b of users, every LEAST_REQUEST pick sampling a then b: the idler wins, a on a tie. */
function twoEndpoints() {
  const [a, b] = [pod('a'), pod('b')];
  const samples = [0, 0.9];
  vi.spyOn(Math, 'random').mockImplementation(() => {
    const value = samples.shift()!;
    samples.push(value);
    return value;
  });
  return { a, b, clusters: new Clusters(() => [a, b]), users: upstream('users|') };
}


describe('one proxy’s clusters', () => {
  it('count an endpoint’s attempts in flight for LEAST_REQUEST until each ends', () => {
    const { a, b, clusters, users } = twoEndpoints();
    expect(clusters.pickEndpoint(users)).toBe(a);
    clusters.attemptStarted(a);
    expect(clusters.pickEndpoint(users)).toBe(b);
    clusters.attemptStarted(a);
    clusters.attemptStarted(b);
    expect(clusters.pickEndpoint(users)).toBe(b);
    clusters.attemptEnded(a);
    expect(clusters.pickEndpoint(users)).toBe(a);
    clusters.attemptEnded(a);
    clusters.attemptEnded(b);
    expect(clusters.pickEndpoint(users)).toBe(a);
    // An end without a start counts nothing below zero.
    clusters.attemptEnded(b);
    clusters.attemptStarted(b);
    expect(clusters.pickEndpoint(users)).toBe(a);
  });

  it('count an endpoint busy while any of its attempts is in flight, idle once the last one ends', () => {
    const { a, b, clusters, users } = twoEndpoints();
    clusters.attemptStarted(a);
    clusters.attemptEnded(a);
    expect(clusters.pickEndpoint(users)).toBe(a);
    clusters.attemptStarted(a);
    clusters.attemptStarted(a);
    clusters.attemptEnded(a);
    expect(clusters.pickEndpoint(users)).toBe(b);
    clusters.attemptStarted(b);
    // a and b have one each: a tie.
    expect(clusters.pickEndpoint(users)).toBe(a);
    clusters.attemptEnded(a);
    expect(clusters.pickEndpoint(users)).toBe(a);
  });

  it('take an endpoint already tried again only when every one has been', () => {
    const [a, b] = [pod('a'), pod('b')];
    const clusters = new Clusters(() => [a, b]);
    const rr = upstream('users|', { loadBalancer: { simple: 'ROUND_ROBIN' } });
    expect(clusters.pickEndpoint(rr, new Set([a]))).toBe(b);
    expect(clusters.pickEndpoint(rr, new Set([a, b]))).toBeDefined();
    expect(new Clusters(() => []).pickEndpoint(rr, new Set())).toBeUndefined();
  });

  it('keep one pool per upstream key: a subset’s ejections and connections are its own', async () => {
    const a = pod('a');
    const clusters = new Clusters(() => [a]);
    const detection = { outlierDetection: { consecutive5xxErrors: 1, maxEjectionPercent: 100 } };
    clusters.report(upstream('users|v1', detection), a, 500);
    expect(clusters.pickEndpoint(upstream('users|v1', detection))).toBeUndefined();
    expect(clusters.pickEndpoint(upstream('users|v2', detection))).toBe(a);

    const one = { connectionPool: { http: { http2MaxRequests: 1 } } };
    expect(await clusters.acquire(upstream('users|v1', one))).toBe(true);
    expect(await clusters.acquire(upstream('users|v1', one))).toBe(false);
    expect(await clusters.acquire(upstream('users|v2', one))).toBe(true);
    clusters.release(upstream('users|v1', one));
    expect(await clusters.acquire(upstream('users|v1', one))).toBe(true);
  });

  it('tell outlier detection how many endpoints the upstream has', () => {
    const pods = Array.from({ length: 10 }, (_, i) => pod(`p${i}`));
    const clusters = new Clusters(() => pods);
    const users = upstream('users|', { outlierDetection: { consecutive5xxErrors: 1, maxEjectionPercent: 20 } });
    for (const p of pods) clusters.report(users, p, 500);
    // 20 % of 10: two are ejected, the other eight still take requests.
    const picked = new Set<Pod>();
    for (let i = 0; i < 200; i++) picked.add(clusters.pickEndpoint(users)!);
    expect(picked.size).toBe(8);
  });
});
