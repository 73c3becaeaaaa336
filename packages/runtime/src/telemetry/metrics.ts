import type { Pod, SourceIdentity } from '../k8s/identity.js';
import { principalOf } from '../k8s/identity.js';
import { canonicalService } from '../k8s/labels.js';
import { viaGateway, type Hop } from './hop.js';

/*
 * Istio's standard HTTP metrics, as the proxies of a cluster would expose them together. Everything here follows the
 * stats filter every Istio proxy runs (istio/proxy source/extensions/filters/http/istio_stats/istio_stats.cc, cited as
 * "istio_stats.cc" below) and what pilot configures it with (istio/istio pilot/pkg/model/telemetry.go,
 * pilot/pkg/networking/core/cluster_builder.go addTelemetryMetadata).
 *
 * On a cluster each hop passes two Envoys: the caller's outbound listener reports it as reporter="source", the
 * callee's inbound listener as reporter="destination" (istio_stats.cc Config: the listener's traffic direction; a
 * gateway's listeners are outbound, so istio-ingressgateway reports as a source). Locally one proxy carries the hop, so
 * it is reported twice here when it reached the destination, and by the source alone when it failed before that.
 */

/** The label names in the order the filter adds them to a request's stats (istio_stats.cc IstioStatsFilter::log). */
const LABELS = [
  'reporter',
  'source_workload',
  'source_canonical_service',
  'source_canonical_revision',
  'source_workload_namespace',
  'source_principal',
  'source_app',
  'source_version',
  'source_cluster',
  'destination_workload',
  'destination_workload_namespace',
  'destination_principal',
  'destination_app',
  'destination_version',
  'destination_service',
  'destination_canonical_service',
  'destination_canonical_revision',
  'destination_service_name',
  'destination_service_namespace',
  'destination_cluster',
  'request_protocol',
  'response_code',
  'grpc_response_status',
  'response_flags',
  'connection_security_policy',
] as const;
type Labels = Record<(typeof LABELS)[number], string>;

/**
 * The buckets of every Istio histogram, durations and byte sizes alike: Istio sets none of its own unless a pod asks
 * with the `sidecar.istio.io/statsHistogramBuckets` annotation, so Envoy's defaults apply (envoy
 * source/common/stats/histogram_impl.cc HistogramSettingsImpl::defaultBuckets / supportedBuckets).
 */
export const BUCKETS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000] as const;

/** The CLUSTER_ID every proxy of a single-cluster install reports as source_cluster / destination_cluster. */
const CLUSTER_ID = 'Kubernetes';
/** The trust domain of the workloads' SPIFFE identities. */
const SPIFFE = 'spiffe://';

/**
 * Flags of a hop that never reached the destination's proxy: a fault abort, no route or cluster, no healthy endpoint,
 * the caller's own circuit breaker, or a connection that could not be made.
 */
const NOT_SENT = /(?:^|,)(?:NR|NC|FI|UH|UO|UF)(?:,|$)/;

/** What the metrics read of a hop. */
export type RequestOutcome = Pick<
  Hop,
  | 'source'
  | 'target'
  | 'pod'
  | 'status'
  | 'flag'
  | 'durationMs'
  | 'requestBodyBytes'
  | 'responseBodyBytes'
  | 'requestHeaderBytes'
  | 'responseHeaderBytes'
  | 'upstreamCluster'
  | 'upstreamService'
  | 'authority'
  | 'nodeId'
> & {
  /**
   * Whether the request reached `pod` in plain text (its PeerAuthentication mode is DISABLE) rather than over mutual
   * TLS, which every caller's sidecar sends otherwise (auto mTLS, STRICT and PERMISSIVE alike). Unset: mutual TLS.
   */
  plainText?: boolean | undefined;
};

/** One histogram of one series: counts per bucket (not yet cumulative), the +Inf count in the last slot. */
class Histogram {
  readonly counts = new Array<number>(BUCKETS.length + 1).fill(0);
  sum = 0;
  count = 0;

  observe(value: number): void {
    let i = 0;
    while (i < BUCKETS.length && value > BUCKETS[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

/** One label set's counter and three histograms. */
class Series {
  requests = 0;
  readonly duration = new Histogram();
  readonly requestBytes = new Histogram();
  readonly responseBytes = new Histogram();
  constructor(readonly labels: string) {}
}

/** The series one hop counts in: its source report, and its destination report when it reached the destination. */
interface Reports {
  source: Series;
  destination: Series | undefined;
}

const NO_POD = {};

function count(series: Series, ms: number, requestBytes: number, responseBytes: number): void {
  series.requests++;
  series.duration.observe(ms);
  series.requestBytes.observe(requestBytes);
  series.responseBytes.observe(responseBytes);
}

export class MeshMetrics {
  /** Every series, by its rendered label set: two keys that render the same labels share one. */
  private readonly series = new Map<string, Series>();
  /**
   * The series of a hop, by caller, destination pod and the rest of what the labels depend on: recording is a few map
   * lookups on a short key, and the labels are rendered once per distinct key (entries go with their pod).
   */
  private readonly reports = new WeakMap<SourceIdentity, WeakMap<object, Map<string, Reports>>>();

  record(outcome: RequestOutcome): void {
    let byPod = this.reports.get(outcome.source);
    if (!byPod) this.reports.set(outcome.source, (byPod = new WeakMap()));
    const podKey = outcome.pod ?? NO_POD;
    let byRest = byPod.get(podKey);
    if (!byRest) byPod.set(podKey, (byRest = new Map()));
    // The node id is one per proxy, as is the source identity: it need not be in the key.
    const key = `${outcome.upstreamCluster ?? `|${outcome.authority}`}|${outcome.status}|${outcome.flag ?? ''}|${outcome.plainText ? 1 : 0}`;
    let reports = byRest.get(key);
    if (!reports) byRest.set(key, (reports = this.reportsOf(outcome)));

    // Envoy records whole milliseconds (istio_stats.cc log(): requestComplete() / absl::Milliseconds(1)) and, as
    // sizes, its downstream bytes meter: what the proxy received from its caller and sent back, on the wire
    // (wireBytesReceived / wireBytesSent), so headers and body; HTTP/1's request line and separators are not counted here.
    const ms = Math.floor(outcome.durationMs);
    const requestBytes = outcome.requestHeaderBytes + outcome.requestBodyBytes;
    const responseBytes = outcome.responseHeaderBytes + outcome.responseBodyBytes;
    count(reports.source, ms, requestBytes, responseBytes);
    if (reports.destination) count(reports.destination, ms, requestBytes, responseBytes);
  }

  private reportsOf(outcome: RequestOutcome): Reports {
    const labels = reportLabels(outcome);
    return {
      source: this.seriesOf(labels.source),
      destination: labels.destination ? this.seriesOf(labels.destination) : undefined,
    };
  }

  private seriesOf(labels: Labels): Series {
    const rendered = LABELS.map((name) => `${name}="${escapeLabelValue(labels[name])}"`).join(',');
    let series = this.series.get(rendered);
    if (!series) this.series.set(rendered, (series = new Series(rendered)));
    return series;
  }

  /** The Prometheus text exposition (format 0.0.4), as Envoy's `/stats/prometheus` writes it: TYPE lines, no HELP. */
  text(): Promise<string> {
    const all = [...this.series.values()];
    const lines: string[] = [];
    if (all.length > 0) {
      lines.push('# TYPE istio_requests_total counter');
      for (const s of all) lines.push(`istio_requests_total{${s.labels}} ${s.requests}`);
    }
    const histograms = [
      ['istio_request_bytes', (s: Series) => s.requestBytes],
      ['istio_request_duration_milliseconds', (s: Series) => s.duration],
      ['istio_response_bytes', (s: Series) => s.responseBytes],
    ] as const;
    for (const [name, of] of histograms) {
      if (all.length === 0) break;
      lines.push(`# TYPE ${name} histogram`);
      for (const s of all) {
        const h = of(s);
        let cumulative = 0;
        for (let i = 0; i < BUCKETS.length; i++) {
          cumulative += h.counts[i]!;
          lines.push(`${name}_bucket{${s.labels},le="${BUCKETS[i]}"} ${cumulative}`);
        }
        lines.push(`${name}_bucket{${s.labels},le="+Inf"} ${h.count}`);
        lines.push(`${name}_sum{${s.labels}} ${h.sum}`);
        lines.push(`${name}_count{${s.labels}} ${h.count}`);
      }
    }
    return Promise.resolve(lines.length > 0 ? `${lines.join('\n')}\n` : '');
  }

  get contentType(): string {
    return 'text/plain; version=0.0.4; charset=utf-8';
  }
}

/** Who a workload is to the stats filter: what its proxy's node metadata or its peer's metadata exchange carry. */
interface Workload {
  workload: string;
  namespace: string;
  labels: Record<string, string>;
  serviceAccount: string;
}

function spiffe(w: Workload): string {
  return `${SPIFFE}${principalOf(w)}`;
}

interface ServiceNames {
  host: string;
  name: string;
}

/**
 * The Service of the route's cluster: pilot gives each cluster it builds for a Service the Service's host and name
 * (cluster_builder.go addTelemetryMetadata), and Envoy knows the route's cluster as soon as the route is chosen,
 * before a fault abort too (conn_manager_impl.cc refreshCachedRoute → setUpstreamClusterInfo). The inbound cluster of
 * the callee carries the Services of its port: the same one here.
 */
function clusterServiceOf(outcome: RequestOutcome): ServiceNames | undefined {
  const service = outcome.upstreamService;
  return service ? { host: service.fqdn, name: service.service.metadata.name } : undefined;
}

/** The caller's view without a cluster: the Host header, except at a gateway (telemetry.go disableHostHeaderFallback). */
function hostHeaderService(outcome: RequestOutcome): ServiceNames {
  const authority = viaGateway(outcome) ? '' : outcome.authority;
  return { host: authority || 'unknown', name: authority || 'unknown' };
}

/**
 * The labels of the hop's reports (istio_stats.cc populatePeerInfo, populateFlagsAndConnectionSecurity): the source's,
 * always; the destination's when the hop reached the destination's proxy (an RBAC denial happens there, so it counts).
 */
export function reportLabels(outcome: RequestOutcome): { source: Labels; destination: Labels | undefined } {
  const { source, pod, flag } = outcome;
  const flags = flag ?? '';
  const reached = pod !== undefined && !NOT_SENT.test(flags);
  // The hop between the two proxies is mutual TLS unless the destination takes plain text; a hop that never left the
  // caller's proxy has no upstream connection, so no certificate on either side.
  const mtls = reached && !outcome.plainText;
  const cluster = clusterServiceOf(outcome);
  const service = cluster ?? hostHeaderService(outcome);
  // Envoy's response code is 0 when nothing was answered before the downstream went away (DC).
  const downstreamGone = /(?:^|,)DC(?:,|$)/.test(flags);

  const self = canonicalService(source.labels, source.workload);
  // The destination as the caller's proxy learns it: from the peer's metadata exchange once it answered, else from
  // the endpoint's `istio.workload` metadata (workload;namespace;canonical name;revision;cluster: no app or version),
  // else nothing.
  const peer = pod ? canonicalService(pod.labels, pod.workload) : undefined;
  const endpointOnly = pod !== undefined && !reached;
  // UC is the destination proxy's finding (the app broke the connection); the caller's proxy then gets its 503.
  const sourceFlags = reached ? flags.replace(/(?:^|,)UC(?=,|$)/, '').replace(/^,/, '') : flags;
  const sourceReport: Labels = {
    reporter: 'source',
    // Its own node metadata: WORKLOAD_NAME, NAMESPACE, LABELS (the injector's canonical labels, app, version).
    source_workload: source.workload,
    source_canonical_service: self.service,
    source_canonical_revision: self.revision,
    source_workload_namespace: source.namespace,
    // The local certificate of the upstream mTLS connection.
    source_principal: mtls ? spiffe(source) : 'unknown',
    source_app: source.labels.app ?? '',
    source_version: source.labels.version ?? '',
    source_cluster: CLUSTER_ID,
    destination_workload: pod?.workload ?? 'unknown',
    destination_workload_namespace: pod?.namespace ?? 'unknown',
    destination_principal: mtls ? spiffe(pod!) : 'unknown',
    destination_app: (!endpointOnly && pod?.labels.app) || 'unknown',
    destination_version: (!endpointOnly && pod?.labels.version) || 'unknown',
    destination_service: service.host,
    destination_canonical_service: peer?.service ?? 'unknown',
    destination_canonical_revision: peer?.revision ?? 'latest',
    destination_service_name: service.name,
    destination_service_namespace: pod?.namespace ?? 'unknown',
    destination_cluster: pod ? CLUSTER_ID : 'unknown',
    request_protocol: 'http',
    response_code: String(downstreamGone ? 0 : outcome.status),
    grpc_response_status: '',
    response_flags: sourceFlags || '-',
    // Only an inbound listener knows how its peer connected.
    connection_security_policy: 'unknown',
  };
  if (!reached) return { source: sourceReport, destination: undefined };

  // The callee's proxy: a caller that gave up (route or per-try timeout, its own client gone) resets the stream, which
  // the callee's proxy logs as a downstream disconnect with nothing answered.
  const abandoned = downstreamGone || /(?:^|,)UT(?:,|$)/.test(flags);
  const destinationFlags = abandoned ? 'DC' : /(?:^|,)UC(?:,|$)/.test(flags) ? 'UC' : '-';
  return { source: sourceReport, destination: destinationLabels(source, pod, cluster, mtls, abandoned ? 0 : outcome.status, destinationFlags) };
}

function destinationLabels(source: SourceIdentity, pod: Pod, service: ServiceNames | undefined, mtls: boolean, code: number, flags: string): Labels {
  const caller = canonicalService(source.labels, source.workload);
  const self = canonicalService(pod.labels, pod.workload);
  return {
    reporter: 'destination',
    // The peer's metadata exchange, with the namespace from its certificate when there is one.
    source_workload: source.workload,
    source_canonical_service: caller.service,
    source_canonical_revision: caller.revision,
    source_workload_namespace: source.namespace,
    // Under plain text the callee's proxy sees no peer certificate.
    source_principal: mtls ? spiffe(source) : 'unknown',
    source_app: source.labels.app || 'unknown',
    source_version: source.labels.version || 'unknown',
    source_cluster: CLUSTER_ID,
    // Its own node metadata.
    destination_workload: pod.workload,
    destination_workload_namespace: pod.namespace,
    destination_principal: mtls ? spiffe(pod) : 'unknown',
    destination_app: pod.labels.app ?? '',
    destination_version: pod.labels.version ?? '',
    // The inbound cluster's Service, else its canonical service (an inbound listener has no Host header fallback).
    destination_service: service?.host ?? self.service,
    destination_canonical_service: self.service,
    destination_canonical_revision: self.revision,
    destination_service_name: service?.name ?? self.service,
    destination_service_namespace: pod.namespace,
    destination_cluster: CLUSTER_ID,
    request_protocol: 'http',
    response_code: String(code),
    grpc_response_status: '',
    response_flags: flags,
    // Both a peer and a local certificate: mutual_tls; otherwise none (istio_stats.cc populatePeerInfo, ServerSidecar).
    connection_security_policy: mtls ? 'mutual_tls' : 'none',
  };
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
