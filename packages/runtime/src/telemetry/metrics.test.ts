import { describe, expect, it } from 'vitest';
import type { Pod, SourceIdentity } from '../k8s/identity.js';
import type { ServiceTarget } from '../k8s/service-registry.js';
import { BUCKETS, MeshMetrics, reportLabels, type RequestOutcome } from './metrics.js';

// Expected values follow istio/proxy source/extensions/filters/http/istio_stats/istio_stats.cc (populatePeerInfo):
// a client-side reporter takes its own side from its node metadata and its peer from the metadata exchange; a
// server-side reporter the reverse, and it alone knows the connection's security.

const mall: SourceIdentity = { name: 'mall-v1-abc', namespace: 'base', workload: 'mall-v1', labels: { app: 'mall', version: 'v1' }, serviceAccount: 'mall' };
const gateway: SourceIdentity = {
  namespace: 'istio-system',
  workload: 'istio-ingressgateway',
  labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
  serviceAccount: 'istio-ingressgateway-service-account',
};
const recommendV2: Pod = { name: 'recommend-v2-xyz', namespace: 'jason', workload: 'recommend-v2', labels: { app: 'recommend', version: 'v2' }, serviceAccount: 'recommend', ready: true };
const mallPod: Pod = { name: 'mall-v1-abc', namespace: 'base', workload: 'mall-v1', labels: { app: 'mall', version: 'v1' }, serviceAccount: 'mall', ready: true };

/** The route chose the Service `fqdn`'s cluster (port 7000, no subset). */
function routedTo(fqdn: string): Pick<RequestOutcome, 'upstreamCluster' | 'upstreamService'> {
  const [name, namespace] = fqdn.split('.') as [string, string];
  return { upstreamCluster: `outbound|7000||${fqdn}`, upstreamService: { fqdn, namespace, service: { metadata: { name, namespace } } } as ServiceTarget };
}

function hop(overrides: Partial<RequestOutcome>): RequestOutcome {
  return {
    source: mall,
    target: undefined,
    pod: recommendV2,
    status: 200,
    flag: undefined,
    durationMs: 12.7,
    requestHeaderBytes: 300,
    requestBodyBytes: 0,
    responseHeaderBytes: 150,
    responseBodyBytes: 2000,
    ...routedTo('recommend.jason.svc.cluster.local'),
    authority: 'recommend.base.svc.cluster.local:7000',
    nodeId: 'sidecar~127.0.0.1~mall-v1-abc.base~base.svc.cluster.local',
    ...overrides,
  };
}

/** The `istio_requests_total` samples of the exposition, labels parsed, in the order written. */
function parse(text: string, metric = 'istio_requests_total'): { labels: Record<string, string>; names: string[]; value: number }[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${metric}{`))
    .map((line) => {
      const [, body, value] = /^[^{]+\{(.*)\} (\S+)$/.exec(line)!;
      const pairs = [...body!.matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!] as const);
      return { labels: Object.fromEntries(pairs), names: pairs.map(([n]) => n), value: Number(value) };
    });
}

describe('MeshMetrics: Istio standard labels', () => {
  it('a hop that reached its pod is reported by the source and by the destination, labels in the filter order', async () => {
    const metrics = new MeshMetrics();
    metrics.record(hop({}));
    metrics.record(hop({}));
    const samples = parse(await metrics.text());
    expect(samples).toHaveLength(2);
    expect(samples[0]!.names).toEqual([
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
    ]);
    const common = {
      source_workload: 'mall-v1',
      source_canonical_service: 'mall',
      source_canonical_revision: 'v1',
      source_workload_namespace: 'base',
      source_principal: 'spiffe://cluster.local/ns/base/sa/mall',
      source_app: 'mall',
      source_version: 'v1',
      source_cluster: 'Kubernetes',
      destination_workload: 'recommend-v2',
      destination_workload_namespace: 'jason',
      destination_principal: 'spiffe://cluster.local/ns/jason/sa/recommend',
      destination_app: 'recommend',
      destination_version: 'v2',
      destination_service: 'recommend.jason.svc.cluster.local',
      destination_canonical_service: 'recommend',
      destination_canonical_revision: 'v2',
      destination_service_name: 'recommend',
      destination_service_namespace: 'jason',
      destination_cluster: 'Kubernetes',
      request_protocol: 'http',
      response_code: '200',
      grpc_response_status: '',
      response_flags: '-',
    };
    expect(samples.map((s) => [s.labels, s.value])).toEqual([
      [{ reporter: 'source', ...common, connection_security_policy: 'unknown' }, 2],
      [{ reporter: 'destination', ...common, connection_security_policy: 'mutual_tls' }, 2],
    ]);
  });

  it('a fault abort never leaves the caller: reported by the source only, destination known by its cluster alone', () => {
    const { source, destination } = reportLabels(hop({ pod: undefined, status: 500, flag: 'FI', ...routedTo('discount.fox.svc.cluster.local') }));
    expect(destination).toBeUndefined();
    // What Kiali's graph looks for as "failed requests that never reach a dest" (graph/telemetry/istio/istio.go query 0).
    expect(source).toMatchObject({
      reporter: 'source',
      source_workload: 'mall-v1',
      source_principal: 'unknown',
      destination_workload: 'unknown',
      destination_workload_namespace: 'unknown',
      destination_principal: 'unknown',
      destination_app: 'unknown',
      destination_version: 'unknown',
      destination_service: 'discount.fox.svc.cluster.local',
      destination_canonical_service: 'unknown',
      destination_canonical_revision: 'latest',
      destination_service_name: 'discount',
      destination_service_namespace: 'unknown',
      destination_cluster: 'unknown',
      response_code: '500',
      response_flags: 'FI',
      connection_security_policy: 'unknown',
    });
  });

  it('without a cluster a sidecar names the destination by the Host header, a gateway does not', () => {
    const noRoute = { pod: undefined, status: 503, flag: 'NC' as const, upstreamCluster: undefined, upstreamService: undefined, authority: 'nowhere:7000' };
    expect(reportLabels(hop(noRoute)).source).toMatchObject({ destination_service: 'nowhere:7000', destination_service_name: 'nowhere:7000', response_flags: 'NC' });
    const atGateway = hop({ ...noRoute, source: gateway, status: 404, flag: 'NR', authority: 'localhost:8080', nodeId: 'router~127.0.0.1~istio-ingressgateway.istio-system~istio-system.svc.cluster.local' });
    expect(reportLabels(atGateway).source).toMatchObject({ destination_service: 'unknown', destination_service_name: 'unknown', response_code: '404' });
  });

  it('an endpoint that could not be connected to is known by its endpoint metadata only: no app, version or principal', () => {
    const { source, destination } = reportLabels(hop({ status: 503, flag: 'UF,URX' }));
    expect(destination).toBeUndefined();
    expect(source).toMatchObject({
      destination_workload: 'recommend-v2',
      destination_workload_namespace: 'jason',
      destination_canonical_service: 'recommend',
      destination_canonical_revision: 'v2',
      destination_app: 'unknown',
      destination_version: 'unknown',
      destination_principal: 'unknown',
      source_principal: 'unknown',
      response_flags: 'UF,URX',
    });
  });

  it('the ingress gateway reports as a source; the callee sees it as its peer', () => {
    const { source, destination } = reportLabels(
      hop({ source: gateway, pod: mallPod, ...routedTo('mall.base.svc.cluster.local'), nodeId: 'router~127.0.0.1~istio-ingressgateway.istio-system~istio-system.svc.cluster.local' }),
    );
    expect(source).toMatchObject({
      reporter: 'source',
      source_workload: 'istio-ingressgateway',
      source_canonical_service: 'istio-ingressgateway',
      source_canonical_revision: 'latest',
      source_workload_namespace: 'istio-system',
      source_principal: 'spiffe://cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account',
      source_app: 'istio-ingressgateway',
      // Its own node metadata has no version label: the filter writes what is there, an empty value.
      source_version: '',
      destination_workload: 'mall-v1',
      destination_service: 'mall.base.svc.cluster.local',
      destination_service_name: 'mall',
    });
    expect(destination).toMatchObject({
      reporter: 'destination',
      source_workload: 'istio-ingressgateway',
      source_version: 'unknown',
      destination_workload: 'mall-v1',
      destination_service_namespace: 'base',
      connection_security_policy: 'mutual_tls',
    });
  });

  it('plain text (PeerAuthentication DISABLE): the destination reports none and knows no principal', () => {
    const { source, destination } = reportLabels(hop({ plainText: true }));
    expect(source).toMatchObject({ source_principal: 'unknown', destination_principal: 'unknown', connection_security_policy: 'unknown' });
    expect(destination).toMatchObject({ source_workload: 'mall-v1', source_principal: 'unknown', destination_principal: 'unknown', connection_security_policy: 'none' });
  });

  it('an RBAC denial happens at the destination: both report the 403', () => {
    const { source, destination } = reportLabels(hop({ status: 403 }));
    expect([source.response_code, source.response_flags]).toEqual(['403', '-']);
    expect([destination?.response_code, destination?.response_flags, destination?.connection_security_policy]).toEqual(['403', '-', 'mutual_tls']);
  });

  it('who flags what: a timeout at the caller is a reset stream (0, DC) to the callee; a reset by the app is the callee proxy’s UC', () => {
    const timeout = reportLabels(hop({ status: 504, flag: 'UT' }));
    expect([timeout.source.response_code, timeout.source.response_flags]).toEqual(['504', 'UT']);
    expect([timeout.destination?.response_code, timeout.destination?.response_flags]).toEqual(['0', 'DC']);
    const reset = reportLabels(hop({ status: 503, flag: 'UC,URX' }));
    expect([reset.source.response_code, reset.source.response_flags]).toEqual(['503', 'URX']);
    expect([reset.destination?.response_code, reset.destination?.response_flags]).toEqual(['503', 'UC']);
    const delayed = reportLabels(hop({ flag: 'DI' }));
    expect([delayed.source.response_flags, delayed.destination?.response_flags]).toEqual(['DI', '-']);
    const gone = reportLabels(hop({ status: 499, flag: 'DC' }));
    expect([gone.source.response_code, gone.destination?.response_code]).toEqual(['0', '0']);
  });
});

describe('MeshMetrics: histograms', () => {
  it("durations in whole milliseconds and sizes (headers + body) in Envoy's default buckets, cumulative, with +Inf, sum and count", async () => {
    const metrics = new MeshMetrics();
    metrics.record(hop({ durationMs: 0.4 }));
    metrics.record(hop({ durationMs: 7.9 }));
    metrics.record(hop({ durationMs: 4_000_000 }));
    const text = await metrics.text();
    const source = (metric: string) => parse(text, metric).filter((s) => s.labels.reporter === 'source');

    const buckets = source('istio_request_duration_milliseconds_bucket');
    expect(buckets.map((b) => b.labels.le)).toEqual([...BUCKETS.map(String), '+Inf']);
    expect(BUCKETS).toEqual([0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000]);
    const le = (bound: string) => buckets.find((b) => b.labels.le === bound)!.value;
    expect([le('0.5'), le('5'), le('10'), le('3600000'), le('+Inf')]).toEqual([1, 1, 2, 2, 3]);
    expect(source('istio_request_duration_milliseconds_sum')[0]!.value).toBe(0 + 7 + 4_000_000);
    expect(source('istio_request_duration_milliseconds_count')[0]!.value).toBe(3);

    expect(source('istio_request_bytes_sum')[0]!.value).toBe(3 * 300);
    expect(source('istio_response_bytes_sum')[0]!.value).toBe(3 * 2150);
    const responseBuckets = source('istio_response_bytes_bucket');
    expect(responseBuckets.find((b) => b.labels.le === '1000')!.value).toBe(0);
    expect(responseBuckets.find((b) => b.labels.le === '2500')!.value).toBe(3);
    expect(parse(text, 'istio_request_bytes_count').map((s) => s.labels.reporter)).toEqual(['source', 'destination']);
    expect(text).toContain('# TYPE istio_requests_total counter\n');
    expect(text).toContain('# TYPE istio_request_duration_milliseconds histogram\n');
  });

  it('hops that render the same labels share one series, whichever pod or Host header they came by', async () => {
    const metrics = new MeshMetrics();
    metrics.record(hop({}));
    metrics.record(hop({ pod: { ...recommendV2, name: 'recommend-v2-other' }, authority: 'recommend:7000' }));
    expect(parse(await metrics.text()).map((s) => s.value)).toEqual([2, 2]);
  });

  it('escapes label values as the text format requires', async () => {
    const metrics = new MeshMetrics();
    metrics.record(hop({ pod: undefined, flag: 'NR', status: 404, upstreamCluster: undefined, upstreamService: undefined, authority: 'a"b\\c' }));
    expect(await metrics.text()).toContain('destination_service="a\\"b\\\\c"');
  });
});
