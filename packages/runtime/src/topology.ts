/** One hop as the topology sees it: who called whom, how it ended, how long it took. */
export interface TopologyHop {
  source: { namespace: string; workload: string; version: string | undefined };
  destination: { namespace: string; workload: string; version: string | undefined } | undefined;
  status: number;
  durationMs: number;
  at: number;
}

export interface TopologyEdge {
  source: string;
  destination: string;
  rps: number;
  errorRate: number;
  p50Ms: number;
  requests: number;
}

export interface Topology {
  windowSeconds: number;
  nodes: { id: string; namespace: string; workload: string; version: string }[];
  edges: TopologyEdge[];
}

const id = (n: { namespace: string; workload: string }) => `${n.namespace}/${n.workload}`;

/**
 * Who talks to whom over the last minute, from the sidecars' hops: nodes are workloads (by namespace and version)
 * that sent or received traffic in the window; edges carry requests per second, error rate and median latency.
 */
export class TopologyRecorder {
  private hops: TopologyHop[] = [];
  /** Hops before this index have left the window; dropped in bulk so recording stays O(1) on the proxy path. */
  private head = 0;

  constructor(private readonly windowMs = 60_000) {}

  record(hop: TopologyHop): void {
    this.hops.push(hop);
    while (this.head < this.hops.length && hop.at - this.hops[this.head]!.at > this.windowMs) this.head++;
    if (this.head > 10_000 && this.head > this.hops.length / 2) {
      this.hops = this.hops.slice(this.head);
      this.head = 0;
    }
  }

  snapshot(now = Date.now()): Topology {
    const since = now - this.windowMs;
    const nodes = new Map<string, Topology['nodes'][number]>();
    const edges = new Map<string, TopologyHop[]>();
    for (let i = this.head; i < this.hops.length; i++) {
      const hop = this.hops[i]!;
      if (hop.at < since) continue;
      if (!hop.destination) continue;
      for (const end of [hop.source, hop.destination]) nodes.set(id(end), { id: id(end), namespace: end.namespace, workload: end.workload, version: end.version ?? '-' });
      const key = `${id(hop.source)}→${id(hop.destination)}`;
      const list = edges.get(key);
      if (list) list.push(hop);
      else edges.set(key, [hop]);
    }
    const seconds = this.windowMs / 1000;
    return {
      windowSeconds: seconds,
      nodes: [...nodes.values()].sort((a, b) => a.id.localeCompare(b.id)),
      edges: [...edges.values()].map((hops) => {
        const durations = hops.map((h) => h.durationMs).sort((a, b) => a - b);
        return {
          source: id(hops[0]!.source),
          destination: id(hops[0]!.destination!),
          requests: hops.length,
          rps: Math.round((hops.length / seconds) * 100) / 100,
          errorRate: Math.round((hops.filter((h) => h.status >= 500).length / hops.length) * 1000) / 1000,
          p50Ms: Math.round(durations[Math.floor(durations.length / 2)]! * 10) / 10,
        };
      }),
    };
  }
}
