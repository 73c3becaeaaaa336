import { viaGateway, type Hop } from './hop.js';

/** A workload at one end of a hop: its namespace, Deployment and `version` label. */
export interface TopologyWorkload {
  namespace: string;
  workload: string;
  version: string | undefined;
}

/** One hop as the topology sees it: who called whom, how it ended, how long it took. */
export interface TopologyHop {
  /** `gateway` for the ingress gateway. */
  source: TopologyWorkload & { gateway?: boolean };
  /** The pod's workload; undefined when the hop ended before reaching a pod. */
  destination: TopologyWorkload | undefined;
  /**
   * The Service the hop was for, as Istio's `destination_service`: the host of the cluster the route chose, else the
   * Service the Host named. Only read when there is no destination: the hop is then drawn into this service node.
   */
  service?: { namespace: string; name: string } | undefined;
  status: number;
  durationMs: number;
  at: number;
}

/** Kiali's health of an edge, from its response codes (see EDGE_TOLERANCES). */
export type EdgeHealth = 'healthy' | 'degraded' | 'failure';

export interface TopologyEdge {
  source: string;
  destination: string;
  rps: number;
  /** Failed requests as a fraction (0.125 = 12.5 %), counted as Kiali's httpPercentErr: 4xx, 5xx and no response. */
  errorRate: number;
  p50Ms: number;
  requests: number;
  p99Ms: number;
  errors: number;
  health: EdgeHealth;
  /** Requests by response code (`-` for none), as Kiali's edge `httpResponses`. */
  responses: Record<string, number>;
}

/**
 * A node of the graph. `workload` nodes are Deployments (the ingress gateway is one, with `gateway`); a `service` node
 * (id `<service>.<namespace>`, `workload: 'unknown'`) stands for a Service whose hops ended before any pod, as Kiali
 * draws `destination_workload="unknown"` telemetry.
 */
export interface TopologyNode {
  id: string;
  kind: 'workload' | 'service';
  namespace: string;
  workload: string;
  version: string;
  service?: string;
  gateway: boolean;
}

export interface Topology {
  windowSeconds: number;
  nodes: TopologyNode[];
  edges: TopologyEdge[];
}

/** What the topology keeps of a proxy's hop. */
export function topologyHopOf(hop: Hop): TopologyHop {
  const { source, pod } = hop;
  return {
    source: { namespace: source.namespace, workload: source.workload, version: source.labels.version, gateway: viaGateway(hop) },
    destination: pod ? { namespace: pod.namespace, workload: pod.workload, version: pod.labels.version } : undefined,
    service: pod ? undefined : serviceOf(hop),
    status: hop.status,
    durationMs: hop.durationMs,
    at: hop.startedAt,
  };
}

/**
 * The Service a hop without a pod was for. Istio's stats filter takes destination_service from the metadata of the
 * upstream cluster the route chose, falling back to the Host header (istio/proxy
 * source/extensions/filters/http/istio_stats/istio_stats.cc, populatePeerInfo): so an abort injected on a route to
 * discount.fox counts against discount in fox, and a Host no route knows against the Service it names, if any.
 */
function serviceOf(hop: Hop): TopologyHop['service'] {
  const service = hop.upstreamService ?? hop.target;
  return service ? { name: service.service.metadata.name, namespace: service.namespace } : undefined;
}

/**
 * Kiali's default health tolerances for HTTP (kiali/kiali config/config.go AddHealthDefault), which it applies to
 * each edge's response codes to colour it (graph/telemetry/istio/appender/health.go calculateEdgeStatusWithTolerances;
 * frontend/src/pages/Graph/GraphElems.tsx getPathStyleStroke: Failure red, Degraded orange): a share of matching
 * requests at or above `failure` % fails the edge, above zero and at or above `degraded` % degrades it; the worst wins.
 */
const EDGE_TOLERANCES: { code: RegExp; degraded: number; failure: number }[] = [
  { code: /^5\d\d$/, degraded: 0, failure: 10 },
  { code: /^4\d\d$/, degraded: 10, failure: 20 },
  // Istio reports response_code 0 for no response; Kiali reads it as "-" (graph/telemetry/istio/util HandleResponseCode).
  { code: /^-$/, degraded: 0, failure: 10 },
];

/** What Kiali counts as a failed HTTP request (graph/protocol.go: http4xx, http5xx and httpNoResponse are IsErr). */
const isError = (code: string) => code === '-' || code.startsWith('4') || code.startsWith('5');

export function edgeHealth(responses: Record<string, number>): EdgeHealth {
  const total = Object.values(responses).reduce((sum, n) => sum + n, 0);
  let worst: EdgeHealth = 'healthy';
  for (const tolerance of EDGE_TOLERANCES) {
    const matching = Object.entries(responses).reduce((sum, [code, n]) => sum + (tolerance.code.test(code) ? n : 0), 0);
    const percent = total > 0 ? (matching / total) * 100 : 0;
    if (percent <= 0) continue;
    if (percent >= tolerance.failure) return 'failure';
    if (percent >= tolerance.degraded) worst = 'degraded';
  }
  return worst;
}

/**
 * Latency histogram bins: 16 per doubling from 0.01 ms (each 4.4 % wide), up to 0.01 ms × 2^26 (11 minutes); a
 * longer hop counts in the last bin.
 */
const MIN_MS = 0.01;
const BINS_PER_OCTAVE = 16;
const MAX_BIN = 26 * BINS_PER_OCTAVE;
const binOf = (ms: number) => Math.min(MAX_BIN, Math.floor(Math.log2(Math.max(ms, MIN_MS) / MIN_MS) * BINS_PER_OCTAVE));

/** Per edge and per second: enough to answer rps, errors and latency quantiles without keeping every hop. */
interface Bucket {
  second: number;
  count: number;
  /** Requests by response code. */
  codes: Map<string, number>;
  /** Latency bin → [hops, sum of their durations]. */
  latency: Map<number, [number, number]>;
}

interface EdgeWindow {
  source: TopologyNode;
  destination: TopologyNode;
  buckets: (Bucket | undefined)[];
  newest: number;
}

function workloadNode(end: TopologyWorkload & { gateway?: boolean }): TopologyNode {
  return { id: `${end.namespace}/${end.workload}`, kind: 'workload', namespace: end.namespace, workload: end.workload, version: end.version ?? '-', gateway: end.gateway === true };
}

/** Kiali's service node; `unknown` when not even the Service is known (a Host no route or Service matches). */
function serviceNode(service: TopologyHop['service']): TopologyNode {
  const { name, namespace } = service ?? { name: 'unknown', namespace: 'unknown' };
  return { id: `${name}.${namespace}`, kind: 'service', namespace, workload: 'unknown', version: '-', service: name, gateway: false };
}

/** The quantile q of the hops in `bins`, by nearest rank, as the mean of the bin holding that rank. */
function quantile(bins: [number, [number, number]][], total: number, q: number): number {
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const [, [count, sum]] of bins) {
    seen += count;
    if (seen >= rank) return sum / count;
  }
  return 0;
}

const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

/**
 * Who talks to whom over the last minute, from the proxies' hops, as Kiali's workload graph shows it: nodes are
 * workloads (with their namespace and version) that sent or received traffic in the window, plus a service node for
 * each Service whose hops ended before a pod (fault abort, no route, no healthy upstream, overflow); edges carry
 * requests per second, Kiali's error rate and health, and p50/p99 latency.
 *
 * Recording is O(1) per hop with bounded memory: each hop is folded into its edge's bucket for that second (a count
 * per response code and a log-scale latency histogram), one bucket per second of the window. The quantiles are
 * nearest-rank over the window's histogram, reported as the mean of the hops in the bin holding the rank: within
 * 4.4 % of the exact value (a bin's width), and exact when that bin's hops took the same time.
 */
export class TopologyRecorder {
  private readonly edges = new Map<string, EdgeWindow>();
  private readonly seconds: number;

  constructor(private readonly windowMs = 60_000) {
    this.seconds = Math.ceil(windowMs / 1000);
  }

  record(hop: TopologyHop): void {
    const source = workloadNode(hop.source);
    const destination = hop.destination ? workloadNode(hop.destination) : serviceNode(hop.service);
    const key = `${source.id}→${destination.id}`;
    let edge = this.edges.get(key);
    if (!edge) {
      edge = { source, destination, buckets: new Array(this.seconds), newest: 0 };
      this.edges.set(key, edge);
    }
    const second = Math.floor(hop.at / 1000);
    const slot = second % this.seconds;
    let bucket = edge.buckets[slot];
    if (!bucket || bucket.second !== second) bucket = edge.buckets[slot] = { second, count: 0, codes: new Map(), latency: new Map() };
    edge.newest = Math.max(edge.newest, second);
    bucket.count++;
    const code = hop.status === 0 ? '-' : String(hop.status);
    bucket.codes.set(code, (bucket.codes.get(code) ?? 0) + 1);
    const bin = binOf(hop.durationMs);
    const counted = bucket.latency.get(bin);
    if (counted) {
      counted[0]++;
      counted[1] += hop.durationMs;
    } else bucket.latency.set(bin, [1, hop.durationMs]);
  }

  snapshot(now = Date.now()): Topology {
    const since = Math.floor((now - this.windowMs) / 1000);
    const nodes = new Map<string, TopologyNode>();
    const edges: TopologyEdge[] = [];
    for (const [key, edge] of this.edges) {
      // An edge quiet for a whole window is forgotten: memory follows the edges in use, not every edge ever seen.
      if (edge.newest <= since) {
        this.edges.delete(key);
        continue;
      }
      const live = edge.buckets.filter((b): b is Bucket => b !== undefined && b.second > since && b.second <= now / 1000);
      const requests = live.reduce((sum, b) => sum + b.count, 0);
      if (requests === 0) continue;
      for (const end of [edge.source, edge.destination]) nodes.set(end.id, end);
      const responses: Record<string, number> = {};
      const bins = new Map<number, [number, number]>();
      for (const bucket of live) {
        for (const [code, n] of bucket.codes) responses[code] = (responses[code] ?? 0) + n;
        for (const [bin, [count, sum]] of bucket.latency) {
          const merged = bins.get(bin);
          if (merged) {
            merged[0] += count;
            merged[1] += sum;
          } else bins.set(bin, [count, sum]);
        }
      }
      const sorted = [...bins].sort((a, b) => a[0] - b[0]);
      const errors = Object.entries(responses).reduce((sum, [code, n]) => sum + (isError(code) ? n : 0), 0);
      edges.push({
        source: edge.source.id,
        destination: edge.destination.id,
        requests,
        rps: round(requests / (this.windowMs / 1000), 2),
        errorRate: round(errors / requests, 3),
        p50Ms: round(quantile(sorted, requests, 0.5), 1),
        p99Ms: round(quantile(sorted, requests, 0.99), 1),
        errors,
        health: edgeHealth(responses),
        responses,
      });
    }
    return {
      windowSeconds: this.windowMs / 1000,
      nodes: [...nodes.values()].sort((a, b) => a.id.localeCompare(b.id)),
      edges: edges.sort((a, b) => a.source.localeCompare(b.source) || a.destination.localeCompare(b.destination)),
    };
  }
}
