import { describe, expect, it } from 'vitest';
import { TopologyRecorder } from './topology.js';

const hop = (from: string, to: string, status: number, durationMs: number, at: number) => ({
  source: { namespace: from.split('/')[0]!, workload: from.split('/')[1]!, version: 'v1' },
  destination: { namespace: to.split('/')[0]!, workload: to.split('/')[1]!, version: to.endsWith('v2') ? 'v2' : 'v1' },
  status,
  durationMs,
  at,
});

describe('TopologyRecorder', () => {
  it('sums the last minute into edges with rps, error rate and p50; older hops drop out', () => {
    const topology = new TopologyRecorder(60_000);
    topology.record(hop('base/mall-v1', 'base/users-v1', 200, 99, 0));
    for (let i = 0; i < 6; i++) topology.record(hop('base/mall-v1', 'fox/discount-v2', i === 0 ? 500 : 200, 10 + i, 30_000 + i));
    const snapshot = topology.snapshot(70_000);
    expect(snapshot.nodes.map((n) => n.id)).toEqual(['base/mall-v1', 'fox/discount-v2']);
    expect(snapshot.edges).toEqual([{ source: 'base/mall-v1', destination: 'fox/discount-v2', requests: 6, rps: 0.1, errorRate: 0.167, p50Ms: 13 }]);
    expect(topology.snapshot(200_000).nodes).toEqual([]);
  });
});
