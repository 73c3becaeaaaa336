import { describe, expect, it } from 'vitest';
import type { Hop } from './hop.js';
import { edgeHealth, topologyHopOf, TopologyRecorder, type TopologyHop } from './topology.js';
import { renderTopology } from './topology-page.js';
import { edgeRows, graphElements, nodeRows } from './topology/view.js';

const end = (id: string) => ({ namespace: id.split('/')[0]!, workload: id.split('/')[1]!, version: /-(v\d)$/.exec(id)?.[1] });
const hop = (from: string, to: string, status: number, durationMs: number, at: number): TopologyHop => ({
  source: end(from),
  destination: end(to),
  status,
  durationMs,
  at,
});
/** A hop that ended in the caller's proxy, before any pod: only the Service is known. */
const failed = (from: string, service: string, status: number, at: number): TopologyHop => ({
  source: end(from),
  destination: undefined,
  service: { name: service.split('.')[0]!, namespace: service.split('.')[1]! },
  status,
  durationMs: 0.2,
  at,
});

describe('TopologyRecorder', () => {
  it('sums the last minute into edges with rps, error rate, p50 and p99; older hops drop out', () => {
    const topology = new TopologyRecorder(60_000);
    topology.record(hop('base/mall-v1', 'base/users-v1', 200, 99, 0));
    for (let i = 0; i < 6; i++) topology.record(hop('base/mall-v1', 'fox/discount-v2', i === 0 ? 500 : 200, 10 + i, 30_000 + i));
    const snapshot = topology.snapshot(70_000);
    expect(snapshot.nodes.map((n) => n.id)).toEqual(['base/mall-v1', 'fox/discount-v2']);
    expect(snapshot.nodes[1]).toEqual({ id: 'fox/discount-v2', kind: 'workload', namespace: 'fox', workload: 'discount-v2', version: 'v2', gateway: false });
    expect(snapshot.edges).toEqual([
      {
        source: 'base/mall-v1',
        destination: 'fox/discount-v2',
        requests: 6,
        rps: 0.1,
        errorRate: 0.167,
        errors: 1,
        health: 'failure',
        responses: { '200': 5, '500': 1 },
        // Nearest rank: the 3rd and the 6th of 10..15 ms.
        p50Ms: 12,
        p99Ms: 15,
      },
    ]);
    expect(topology.snapshot(200_000)).toEqual({ windowSeconds: 60, nodes: [], edges: [] });
  });

  it('keeps one bucket per second of the window: a hop a window later reuses the slot, not adds to it', () => {
    const topology = new TopologyRecorder(10_000);
    topology.record(hop('base/mall-v1', 'base/users-v1', 500, 5, 1_000));
    topology.record(hop('base/mall-v1', 'base/users-v1', 200, 5, 11_000));
    const [edge] = topology.snapshot(11_500).edges;
    expect(edge).toMatchObject({ requests: 1, errors: 0, responses: { '200': 1 } });
  });

  it('counts a hop that failed before any pod against the service node, in the namespace of the Service', () => {
    const topology = new TopologyRecorder();
    for (let i = 0; i < 4; i++) topology.record(hop('base/mall-v1', 'fox/discount-v2', 200, 8, 1_000 + i));
    for (let i = 0; i < 4; i++) topology.record(failed('base/mall-v1', 'discount.fox', 500, 1_000 + i));
    const snapshot = topology.snapshot(2_000);
    expect(snapshot.nodes).toContainEqual({ id: 'discount.fox', kind: 'service', namespace: 'fox', workload: 'unknown', version: '-', service: 'discount', gateway: false });
    expect(snapshot.edges.map((e) => [`${e.source}→${e.destination}`, e.errorRate, e.health])).toEqual([
      ['base/mall-v1→discount.fox', 1, 'failure'],
      ['base/mall-v1→fox/discount-v2', 0, 'healthy'],
    ]);
  });

  it('takes the service of a failed hop from its route\'s cluster, as Istio does, else from the Service the Host named', () => {
    const service = { metadata: { name: 'discount' } };
    const base: Partial<Hop> = {
      source: { namespace: 'base', workload: 'mall-v1', labels: { app: 'mall', version: 'v1' }, serviceAccount: 'mall' },
      target: { service, namespace: 'base', fqdn: 'discount.base.svc.cluster.local' } as Hop['target'],
      pod: undefined,
      status: 500,
      flag: 'FI',
      durationMs: 0.3,
      startedAt: 5,
      nodeId: 'sidecar~127.0.0.1~mall-v1-0.base~base.svc.cluster.local',
    };
    // A fault abort on fox's route: the route chose discount.fox's cluster.
    const discountFox = { service, namespace: 'fox', fqdn: 'discount.fox.svc.cluster.local' } as Hop['upstreamService'];
    const aborted = topologyHopOf({ ...base, upstreamCluster: 'outbound|7000||discount.fox.svc.cluster.local', upstreamService: discountFox } as Hop);
    expect(aborted).toMatchObject({ destination: undefined, service: { name: 'discount', namespace: 'fox' }, status: 500, at: 5 });
    // No route (NR): no cluster, the Service the Host named.
    expect(topologyHopOf({ ...base, status: 404, flag: 'NR', upstreamCluster: undefined, upstreamService: undefined } as Hop).service).toEqual({ name: 'discount', namespace: 'base' });
    // The gateway is a workload node of its own, flagged as the gateway.
    const gateway = topologyHopOf({
      ...base,
      nodeId: 'router~127.0.0.1~istio-ingressgateway.istio-system~istio-system.svc.cluster.local',
      source: { namespace: 'istio-system', workload: 'istio-ingressgateway', labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' }, serviceAccount: 'x' },
      pod: { name: 'mall-v1-0', namespace: 'base', workload: 'mall-v1', labels: { version: 'v1' }, serviceAccount: 'mall', ready: true },
      status: 200,
    } as Hop);
    expect(gateway).toMatchObject({ source: { workload: 'istio-ingressgateway', gateway: true }, destination: { workload: 'mall-v1', version: 'v1' }, service: undefined });
    // Neither a pod nor a Service (a Host nothing routes, at the gateway): Kiali's unknown node.
    const topology = new TopologyRecorder();
    topology.record({ ...topologyHopOf({ ...base, target: undefined, upstreamCluster: undefined, status: 404 } as Hop), at: 1_000 });
    expect(topology.snapshot(1_500).edges.map((e) => e.destination)).toEqual(['unknown.unknown']);
  });

  it('computes p50 and p99 within a histogram bin (4.4 %) of the exact nearest-rank values', () => {
    const topology = new TopologyRecorder();
    // 1..1000 ms, shuffled: exact p50 = 500, p99 = 990.
    const durations = Array.from({ length: 1000 }, (_, i) => i + 1).sort((a, b) => ((a * 7919) % 1000) - ((b * 7919) % 1000));
    durations.forEach((ms, i) => topology.record(hop('base/recommend-v1', 'base/scores-v1', 200, ms, 1_000 + (i % 900))));
    const [edge] = topology.snapshot(2_000).edges;
    expect(Math.abs(edge!.p50Ms - 500) / 500).toBeLessThan(0.044);
    expect(Math.abs(edge!.p99Ms - 990) / 990).toBeLessThan(0.044);
    // A bin whose hops all took the same time gives that time exactly; a lone slow hop is the p99 of 100.
    const steady = new TopologyRecorder();
    for (let i = 0; i < 99; i++) steady.record(hop('base/mall-v1', 'base/users-v1', 200, 12.3, 1_000));
    steady.record(hop('base/mall-v1', 'base/users-v1', 200, 250, 1_000));
    expect(steady.snapshot(1_500).edges[0]).toMatchObject({ p50Ms: 12.3, p99Ms: 12.3 });
    steady.record(hop('base/mall-v1', 'base/users-v1', 200, 250, 1_000));
    expect(steady.snapshot(1_500).edges[0]).toMatchObject({ p50Ms: 12.3, p99Ms: 250 });
  });

  it('forgets an edge quiet for a whole window', () => {
    const topology = new TopologyRecorder(10_000);
    topology.record(hop('base/mall-v1', 'base/users-v1', 200, 1, 1_000));
    topology.snapshot(30_000);
    expect((topology as unknown as { edges: Map<string, unknown> }).edges.size).toBe(0);
  });
});

describe("error rate and edge health as Kiali's defaults count them", () => {
  it('counts 4xx, 5xx and no response (code 0) as errors', () => {
    const topology = new TopologyRecorder();
    for (const status of [200, 200, 201, 302, 404, 403, 500, 503, 0, 200]) topology.record(hop('base/mall-v1', 'base/users-v1', status, 3, 1_000));
    expect(topology.snapshot(1_500).edges[0]).toMatchObject({ requests: 10, errors: 5, errorRate: 0.5, responses: { '-': 1, '200': 3, '201': 1, '302': 1, '403': 1, '404': 1, '500': 1, '503': 1 } });
  });

  it('5xx: degraded from the first, failure at 10 %; 4xx: degraded at 10 %, failure at 20 %; no response as 5xx', () => {
    const of = (codes: Record<string, number>) => edgeHealth({ '200': 1000 - Object.values(codes).reduce((a, b) => a + b, 0), ...codes });
    expect(of({})).toBe('healthy');
    expect(of({ '500': 1 })).toBe('degraded');
    expect(of({ '503': 99 })).toBe('degraded');
    expect(of({ '503': 100 })).toBe('failure');
    expect(of({ '404': 99 })).toBe('healthy');
    expect(of({ '404': 100 })).toBe('degraded');
    expect(of({ '404': 199 })).toBe('degraded');
    expect(of({ '403': 200 })).toBe('failure');
    expect(of({ '-': 1 })).toBe('degraded');
    expect(of({ '-': 100 })).toBe('failure');
    expect(of({ '302': 900 })).toBe('healthy');
    // The worst tolerance wins: 5 % 5xx (degraded) with 25 % 4xx (failure).
    expect(of({ '500': 50, '404': 250 })).toBe('failure');
  });
});

describe('the topology page', () => {
  const topology = new TopologyRecorder();
  topology.record({ ...hop('istio-system/istio-ingressgateway', 'base/mall-v1', 200, 40, 1_000), source: { ...end('istio-system/istio-ingressgateway'), gateway: true } });
  topology.record(hop('base/mall-v1', 'fox/discount-v2', 200, 9, 1_000));
  topology.record(failed('base/mall-v1', 'discount.fox', 500, 1_000));
  const snapshot = topology.snapshot(1_500);

  it('mirrors every node and edge in the lists, with their errors and colour', () => {
    expect([...nodeRows(snapshot).matchAll(/data-node="([^"]+)" data-kind="(\w+)"/g)].map((m) => `${m[1]} ${m[2]}`)).toEqual([
      'base/mall-v1 workload',
      'discount.fox service',
      'fox/discount-v2 workload',
      'istio-system/istio-ingressgateway gateway',
    ]);
    expect([...edgeRows(snapshot).matchAll(/data-edge="([^"]+)" data-errors="([\d.]+)" data-health="(\w+)" data-colour="([^"]+)"/g)].map((m) => m.slice(1))).toEqual([
      ['base/mall-v1→discount.fox', '100.0', 'failure', '#c9190b'],
      ['base/mall-v1→fox/discount-v2', '0.0', 'healthy', '#3e8635'],
      ['istio-system/istio-ingressgateway→base/mall-v1', '0.0', 'healthy', '#3e8635'],
    ]);
  });

  it('gives the graph a box per namespace holding its nodes', () => {
    const elements = graphElements(snapshot);
    expect(elements.filter((e) => e.data.type === 'box').map((e) => e.data.id)).toEqual(['box:base', 'box:fox', 'box:istio-system']);
    expect(elements.find((e) => e.data.id === 'fox/discount-v2')?.data).toMatchObject({ parent: 'box:fox', label: 'discount-v2\nv2', health: 'healthy' });
    expect(elements.find((e) => e.data.id === 'discount.fox')?.data).toMatchObject({ parent: 'box:fox', type: 'service', health: 'failure', colour: '#c9190b' });
    expect(elements.find((e) => e.data.id === 'base/mall-v1→discount.fox')?.data).toMatchObject({ source: 'base/mall-v1', target: 'discount.fox', colour: '#c9190b', label: '0.02rps\n100.0%', detail: '0.02rps · 100.0% errors\np50 0.2ms · p99 0.2ms' });
  });

  it('loads its scripts from the viewer itself and carries the snapshot, escaped, for them', () => {
    const html = renderTopology(snapshot);
    expect([...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1])).toEqual(['/assets/cytoscape.min.js', '/assets/cytoscape-dagre.min.js', '/assets/topology.js']);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toContain('http-equiv="refresh"');
    const json = /<script type="application\/json" id="topology-data">(.*?)<\/script>/s.exec(html)![1]!;
    expect(JSON.parse(json)).toEqual(snapshot);
    const hostile = new TopologyRecorder();
    hostile.record(hop('base/</script><b>x', 'base/y', 200, 1, 1_000));
    expect(renderTopology(hostile.snapshot(1_500))).not.toContain('</script><b>');
  });
});
