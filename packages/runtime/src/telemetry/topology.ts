import type { Hop } from './hop.js';

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

/** What the topology keeps of a proxy's hop. */
export function topologyHopOf(hop: Hop): TopologyHop {
  const { source, pod } = hop;
  return {
    source: { namespace: source.namespace, workload: source.workload, version: source.labels.version },
    destination: pod ? { namespace: pod.namespace, workload: pod.workload, version: pod.labels.version } : undefined,
    status: hop.status,
    durationMs: hop.durationMs,
    at: hop.startedAt,
  };
}

const id = (n: { namespace: string; workload: string }) => `${n.namespace}/${n.workload}`;

/** Per edge and per second: enough to answer rps, error rate and p50 without keeping every hop. */
interface Bucket {
  second: number;
  count: number;
  errors: number;
  /** Durations of up to SAMPLES_PER_SECOND hops of that second, for the median. */
  durations: number[];
}

interface EdgeWindow {
  source: NonNullable<TopologyHop['destination']>;
  destination: NonNullable<TopologyHop['destination']>;
  buckets: Bucket[];
}

const SAMPLES_PER_SECOND = 100;

/**
 * Who talks to whom over the last minute, from the sidecars' hops: nodes are workloads (by namespace and version)
 * that sent or received traffic in the window; edges carry requests per second, error rate and median latency.
 * Hops are folded into one bucket per edge and second as they come, so recording is O(1) and memory is bounded by
 * the number of edges, whatever the traffic; the median is taken over up to 100 sampled hops per second.
 */
export class TopologyRecorder {
  private readonly edges = new Map<string, EdgeWindow>();
  private readonly seconds: number;

  constructor(private readonly windowMs = 60_000) {
    this.seconds = Math.ceil(windowMs / 1000);
  }

  record(hop: TopologyHop): void {
    if (!hop.destination) return;
    const key = `${id(hop.source)}→${id(hop.destination)}`;
    let edge = this.edges.get(key);
    if (!edge) {
      edge = { source: { ...hop.source }, destination: { ...hop.destination }, buckets: [] };
      this.edges.set(key, edge);
    }
    const second = Math.floor(hop.at / 1000);
    const slot = second % this.seconds;
    let bucket = edge.buckets[slot];
    if (!bucket || bucket.second !== second) bucket = edge.buckets[slot] = { second, count: 0, errors: 0, durations: [] };
    bucket.count++;
    if (hop.status >= 500) bucket.errors++;
    if (bucket.durations.length < SAMPLES_PER_SECOND) bucket.durations.push(hop.durationMs);
  }

  snapshot(now = Date.now()): Topology {
    const since = Math.floor((now - this.windowMs) / 1000);
    const nodes = new Map<string, Topology['nodes'][number]>();
    const edges: TopologyEdge[] = [];
    for (const edge of this.edges.values()) {
      const live = edge.buckets.filter((b) => b && b.second > since && b.second <= now / 1000);
      const requests = live.reduce((sum, b) => sum + b.count, 0);
      if (requests === 0) continue;
      for (const end of [edge.source, edge.destination]) nodes.set(id(end), { id: id(end), namespace: end.namespace, workload: end.workload, version: end.version ?? '-' });
      const durations = live.flatMap((b) => b.durations).sort((a, b) => a - b);
      edges.push({
        source: id(edge.source),
        destination: id(edge.destination),
        requests,
        rps: Math.round((requests / (this.windowMs / 1000)) * 100) / 100,
        errorRate: Math.round((live.reduce((sum, b) => sum + b.errors, 0) / requests) * 1000) / 1000,
        p50Ms: Math.round(durations[Math.floor(durations.length / 2)]! * 10) / 10,
      });
    }
    return { windowSeconds: this.windowMs / 1000, nodes: [...nodes.values()].sort((a, b) => a.id.localeCompare(b.id)), edges };
  }
}
