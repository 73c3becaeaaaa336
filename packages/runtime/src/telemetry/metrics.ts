import { Counter, Histogram, Registry } from 'prom-client';
import { principalOf } from '../k8s/identity.js';
import type { Hop } from './hop.js';

/** Istio's standard request metrics, with its label names, as reported by the caller's proxy (reporter="source"). */
const LABELS = [
  'reporter',
  'source_workload',
  'source_workload_namespace',
  'source_app',
  'source_version',
  'source_principal',
  'destination_workload',
  'destination_workload_namespace',
  'destination_app',
  'destination_version',
  'destination_service',
  'destination_service_name',
  'destination_service_namespace',
  'request_protocol',
  'response_code',
  'response_flags',
] as const;

/** Istio's default buckets for request duration, in milliseconds. */
const BUCKETS_MS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

/** What the metrics read of a hop. */
export type RequestOutcome = Pick<Hop, 'source' | 'target' | 'pod' | 'status' | 'flag' | 'durationMs' | 'requestBodyBytes' | 'responseBodyBytes' | 'requestHeaderBytes' | 'responseHeaderBytes'>;

export class MeshMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({ name: 'istio_requests_total', help: 'Requests through the mesh.', labelNames: LABELS, registers: [this.registry] });
  private readonly duration = new Histogram({
    name: 'istio_request_duration_milliseconds',
    help: 'Request duration through the mesh, in milliseconds.',
    labelNames: LABELS,
    buckets: BUCKETS_MS,
    registers: [this.registry],
  });

  /**
   * The counter and histogram children of one label set, found by a short key: prom-client would otherwise sort and
   * hash sixteen labels twice per request on the proxy path.
   */
  private readonly children = new Map<string, { requests: ReturnType<Counter['labels']>; duration: ReturnType<Histogram['labels']> }>();

  record(outcome: RequestOutcome): void {
    const { source, target, pod } = outcome;
    const key = `${source.namespace}/${source.workload}|${pod ? `${pod.namespace}/${pod.workload}` : '-'}|${target?.fqdn ?? '-'}|${outcome.status}|${outcome.flag ?? '-'}`;
    let child = this.children.get(key);
    if (!child) {
      const labels = this.labelsOf(outcome);
      child = { requests: this.requests.labels(labels), duration: this.duration.labels(labels) };
      this.children.set(key, child);
    }
    child.requests.inc();
    child.duration.observe(outcome.durationMs);
  }

  private labelsOf(outcome: RequestOutcome): Record<(typeof LABELS)[number], string> {
    const { source, target, pod } = outcome;
    return {
      reporter: 'source',
      source_workload: source.workload,
      source_workload_namespace: source.namespace,
      source_app: source.labels.app ?? 'unknown',
      source_version: source.labels.version ?? 'unknown',
      source_principal: `spiffe://${principalOf(source)}`,
      destination_workload: pod?.workload ?? 'unknown',
      destination_workload_namespace: pod?.namespace ?? 'unknown',
      destination_app: pod?.labels.app ?? 'unknown',
      destination_version: pod?.labels.version ?? 'unknown',
      destination_service: target?.fqdn ?? 'unknown',
      destination_service_name: target?.service.metadata.name ?? 'unknown',
      destination_service_namespace: target?.namespace ?? 'unknown',
      request_protocol: 'http',
      response_code: String(outcome.status),
      response_flags: outcome.flag ?? '-',
    };
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
