import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMeshMall, type MeshMall } from './support/mesh-mall.js';

/*
 * The runtime's /metrics, scraped by a real Prometheus (Debian's), answers the PromQL that Kiali's graph and Istio's
 * Grafana dashboards send, with the series a cluster's proxies would report. Queries are copied from:
 * - Kiali: graph/telemetry/istio/istio.go buildNamespaceTrafficMap (kiali/kiali), queries 0, 2 and 3;
 * - Istio's dashboards: manifests/addons/dashboards/istio-service-dashboard.json and istio-workload-dashboard.json
 *   (istio/istio; the same as samples/addons/grafana.yaml), with $qrep at its default `destination`. Grafana's
 *   irate(...[$__rate_interval]) becomes rate(...[1m]) here: irate reads the last two scrapes only, and the traffic
 *   has stopped by the time the queries run.
 */

const PROMETHEUS = '/usr/bin/prometheus';
/** Kiali's group-by for request traffic (buildNamespaceTrafficMap). */
const KIALI_GROUP_BY =
  'source_cluster,source_workload_namespace,source_workload,source_canonical_service,source_canonical_revision,destination_cluster,destination_service_namespace,destination_service,destination_service_name,destination_workload_namespace,destination_workload,destination_canonical_service,destination_canonical_revision,request_protocol,response_code,grpc_response_status,response_flags';

type Sample = { metric: Record<string, string>; value: [number, string] };

let mesh: MeshMall;
let prometheus: { url: string; process: ChildProcess; dir: string; output: () => string } | undefined;

beforeAll(async () => {
  if (!existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} is missing: install Debian's Prometheus with \`apt-get install -y prometheus\` (.ci/run does)`);
  mesh = await startMeshMall();
  await mesh.apply('install/jason-apps.yaml', 'istio/jason-routing.yaml');
  await mesh.apply('install/fox-apps.yaml', 'istio/fox-routing.yaml', 'istio/faults/discount-abort-fox.yaml');
  prometheus = await startPrometheus(new URL(mesh.control).host);
  await until('the scrape of /metrics is up', async () => (await query('up{job="mesh-mall"}'))[0]?.value[1] === '1');

  // A counter's rate needs it to grow between two scrapes: the same traffic twice, with a scrape of the first in between.
  await loadPages();
  await scraped();
  await loadPages();
  await scraped();
}, 180_000);

afterAll(async () => {
  if (prometheus) {
    const exited = new Promise((resolve) => prometheus!.process.once('exit', resolve));
    if (prometheus.process.exitCode === null && prometheus.process.signalCode === null) prometheus.process.kill('SIGTERM');
    await exited;
    await rm(prometheus.dir, { recursive: true, force: true });
  }
  await mesh?.stop();
});

/** Polls `check` until it holds (expect.poll is for tests only, and these waits are in beforeAll). */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Debian's Prometheus as a child of this test (never a system service), scraping `target` every second. */
async function startPrometheus(target: string): Promise<NonNullable<typeof prometheus>> {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-mall-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  await writeFile(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: mesh-mall',
      '    metrics_path: /metrics',
      '    static_configs:',
      `      - targets: ['${target}']`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const child = spawn(PROMETHEUS, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const started = { url, process: child, dir, output: () => output };
  prometheus = started;
  await until('prometheus is ready', async () => {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${output.slice(-3000)}`);
    return (await fetch(`${url}/-/ready`).catch(() => undefined))?.status === 200;
  });
  return started;
}

async function query(promql: string): Promise<Sample[]> {
  const response = await fetch(`${prometheus!.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await response.json()) as { status: string; error?: string; data: { resultType: string; result: Sample[] } };
  if (body.status !== 'success') throw new Error(`${promql}: ${body.error}`);
  return body.data.result;
}

/** The series of a query's answer, values dropped, in a stable order. */
async function series(promql: string): Promise<Record<string, string>[]> {
  const samples = await query(promql);
  for (const s of samples) expect(Number(s.value[1]), `${JSON.stringify(s.metric)} in ${promql}`).toBeGreaterThan(0);
  return sorted(samples.map((s) => s.metric));
}

/** Label sets in an order that does not depend on the order of their keys. */
function sorted(list: Record<string, string>[]): Record<string, string>[] {
  const key = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
  return [...list].sort((a, b) => key(a).localeCompare(key(b)));
}

/** The runtime's own `istio_requests_total` samples, from its /metrics. */
async function exposed(): Promise<{ labels: Record<string, string>; value: number }[]> {
  const text = await (await fetch(`${mesh.control}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('istio_requests_total{'))
    .map((line) => {
      const [, body, value] = /^[^{]+\{(.*)\} (\S+)$/.exec(line)!;
      return { labels: Object.fromEntries([...body!.matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!])), value: Number(value) };
    });
}

async function requestsWhere(match: Record<string, string>): Promise<number> {
  return (await exposed()).filter((s) => Object.entries(match).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}

async function page(user?: string): Promise<void> {
  const response = await fetch(`${mesh.gateway}/api/mall`, { headers: user ? { cookie: `user=${user}` } : {} });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`the page of ${user ?? 'a guest'} answered ${response.status}`);
}

const faultAbort = { reporter: 'source', source_workload: 'mall-v1', response_flags: 'FI' };
const foxDiscount = { reporter: 'destination', destination_workload: 'discount-v2' };

/** A guest's page, jason's, and fox's until fox has met both the fault abort (50%) and discount v2 once more. */
async function loadPages(): Promise<void> {
  await page();
  await page('jason');
  const before = [await requestsWhere(faultAbort), await requestsWhere(foxDiscount)];
  for (let i = 0; i < 60; i++) {
    await page('fox');
    const now = [await requestsWhere(faultAbort), await requestsWhere(foxDiscount)];
    if (now[0]! > before[0]! && now[1]! > before[1]!) return;
  }
  throw new Error('60 pages of fox never met both the fault abort and discount v2');
}

/** Waits until Prometheus has scraped every request the runtime has counted. */
async function scraped(): Promise<void> {
  await until('prometheus has scraped every request counted', async () => {
    const total = (await exposed()).reduce((sum, s) => sum + s.value, 0);
    const [sample] = await query('sum(istio_requests_total{job="mesh-mall"})');
    return Number(sample?.value[1] ?? 0) === total;
  });
}

interface Workload {
  namespace: string;
  workload: string;
  canonical: string;
  revision: string;
}
const w = (namespace: string, workload: string): Workload => ({ namespace, workload, canonical: workload.replace(/-v\d+$/, ''), revision: workload.replace(/^.*-(v\d+)$/, '$1') });
const GATEWAY: Workload = { namespace: 'istio-system', workload: 'istio-ingressgateway', canonical: 'istio-ingressgateway', revision: 'latest' };
const mallV1 = w('base', 'mall-v1');

/** The series Kiali groups request traffic by, for a request from `source` that reached `destination` of Service `service`. */
function edge(source: Workload, destination: Workload, service: string, code: string): Record<string, string> {
  const [name, namespace] = service.split('.') as [string, string];
  return {
    source_cluster: 'Kubernetes',
    source_workload_namespace: source.namespace,
    source_workload: source.workload,
    source_canonical_service: source.canonical,
    source_canonical_revision: source.revision,
    destination_cluster: 'Kubernetes',
    destination_service_namespace: namespace,
    destination_service: service,
    destination_service_name: name,
    destination_workload_namespace: destination.namespace,
    destination_workload: destination.workload,
    destination_canonical_service: destination.canonical,
    destination_canonical_revision: destination.revision,
    request_protocol: 'http',
    response_code: code,
    // grpc_response_status is "" on HTTP, which Prometheus stores as no label at all.
    response_flags: '-',
  };
}

describe('Prometheus scraping /metrics', () => {
  it("Kiali's graph, namespace base: incoming traffic as the destinations report it", async () => {
    expect(await series(`sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="base"} [60s])) by (${KIALI_GROUP_BY}) > 0`)).toEqual(
      sorted([
        edge(GATEWAY, mallV1, 'mall.base.svc.cluster.local', '200'),
        // Nobody has logged in, so users answers 404 for jason and fox (a guest costs no users call).
        edge(mallV1, w('base', 'users-v1'), 'users.base.svc.cluster.local', '404'),
        edge(mallV1, w('base', 'recommend-v1'), 'recommend.base.svc.cluster.local', '200'),
        edge(mallV1, w('base', 'discount-v1'), 'discount.base.svc.cluster.local', '200'),
        edge(w('base', 'recommend-v1'), w('base', 'products-v1'), 'products.base.svc.cluster.local', '200'),
        edge(w('base', 'recommend-v1'), w('base', 'scores-v1'), 'scores.base.svc.cluster.local', '200'),
        edge(w('base', 'discount-v1'), w('base', 'products-v1'), 'products.base.svc.cluster.local', '200'),
        // jason's recommend v2 calls back into base (full-link lanes).
        edge(w('jason', 'recommend-v2'), w('base', 'products-v1'), 'products.base.svc.cluster.local', '200'),
        edge(w('jason', 'recommend-v2'), w('base', 'scores-v1'), 'scores.base.svc.cluster.local', '200'),
      ]),
    );
  });

  it("Kiali's graph, namespaces jason and fox: incoming and outgoing edges of the lanes", async () => {
    expect(await series(`sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="jason"} [60s])) by (${KIALI_GROUP_BY}) > 0`)).toEqual([
      edge(mallV1, w('jason', 'recommend-v2'), 'recommend.jason.svc.cluster.local', '200'),
    ]);
    expect(await series(`sum(rate(istio_requests_total{reporter="source",source_workload_namespace="jason"} [60s])) by (${KIALI_GROUP_BY}) > 0`)).toEqual(
      sorted([
        edge(w('jason', 'recommend-v2'), w('base', 'products-v1'), 'products.base.svc.cluster.local', '200'),
        edge(w('jason', 'recommend-v2'), w('base', 'scores-v1'), 'scores.base.svc.cluster.local', '200'),
      ]),
    );
    expect(await series(`sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="fox"} [60s])) by (${KIALI_GROUP_BY}) > 0`)).toEqual(
      sorted([
        edge(mallV1, w('fox', 'discount-v2'), 'discount.fox.svc.cluster.local', '200'),
        // fox's products lane: recommend v1 in base calls it for fox, and so does discount v2.
        edge(w('base', 'recommend-v1'), w('fox', 'products-v2'), 'products.fox.svc.cluster.local', '200'),
        edge(w('fox', 'discount-v2'), w('fox', 'products-v2'), 'products.fox.svc.cluster.local', '200'),
        edge(w('fox', 'products-v2'), w('fox', 'favorites-v1'), 'favorites.fox.svc.cluster.local', '200'),
      ]),
    );
  });

  it("Kiali's graph finds the fault abort, which never reached a pod, from the source's report alone", async () => {
    const query0 = String.raw`sum(rate(istio_requests_total{reporter="source",source_workload_namespace!="fox",destination_workload_namespace="unknown",destination_workload="unknown",destination_service=~"^.+\\.fox\\..+$"} [60s])) by (${KIALI_GROUP_BY}) > 0`;
    expect(await series(query0)).toEqual([
      {
        ...edge(mallV1, { namespace: 'unknown', workload: 'unknown', canonical: 'unknown', revision: 'latest' }, 'discount.fox.svc.cluster.local', '500'),
        destination_cluster: 'unknown',
        destination_service_namespace: 'unknown',
        response_flags: 'FI',
      },
    ]);
    // ...and no destination reported it.
    expect(await query('sum(istio_requests_total{reporter="destination",response_flags="FI"})')).toEqual([]);
  });

  it("Istio's Service dashboard (mall): inbound by source and mTLS, request size and duration quantiles", async () => {
    const service = 'destination_service="mall.base.svc.cluster.local"';
    const sources = 'source_workload=~".*", source_workload_namespace=~".*"';
    // Variables: the service list, and the source namespaces of the chosen service.
    expect((await query('sum(istio_requests_total{}) by (destination_service)')).map((s) => s.metric.destination_service).sort()).toEqual([
      'discount.base.svc.cluster.local',
      'discount.fox.svc.cluster.local',
      'favorites.fox.svc.cluster.local',
      'mall.base.svc.cluster.local',
      'products.base.svc.cluster.local',
      'products.fox.svc.cluster.local',
      'recommend.base.svc.cluster.local',
      'recommend.jason.svc.cluster.local',
      'scores.base.svc.cluster.local',
      'users.base.svc.cluster.local',
    ]);
    expect((await query(`sum(istio_requests_total{reporter=~"destination", ${service}}) by (source_workload_namespace)`)).map((s) => s.metric)).toEqual([
      { source_workload_namespace: 'istio-system' },
    ]);
    expect(await series(`round(sum(rate(istio_requests_total{connection_security_policy="mutual_tls",${service},reporter=~"destination",${sources}}[1m])) by (source_workload, source_workload_namespace, response_code), 0.001)`)).toEqual([
      { source_workload: 'istio-ingressgateway', source_workload_namespace: 'istio-system', response_code: '200' },
    ]);
    expect(await query(`round(sum(rate(istio_requests_total{connection_security_policy!="mutual_tls", ${service}, reporter=~"destination", ${sources}}[1m])) by (source_workload, source_workload_namespace, response_code), 0.001)`)).toEqual([]);

    for (const metric of ['istio_request_bytes', 'istio_response_bytes']) {
      const [p50, ...more] = await query(`histogram_quantile(0.50, sum(rate(${metric}_bucket{reporter=~"destination", connection_security_policy="mutual_tls", ${service}, ${sources}}[1m])) by (source_workload, source_workload_namespace, le))`);
      expect(more).toEqual([]);
      expect(p50!.metric).toEqual({ source_workload: 'istio-ingressgateway', source_workload_namespace: 'istio-system' });
      expect(Number(p50!.value[1]), metric).toBeGreaterThan(0);
    }
    const [duration] = await query(`(histogram_quantile(0.50, sum(rate(istio_request_duration_milliseconds_bucket{reporter=~"destination",${service}}[1m])) by (le)) / 1000) or histogram_quantile(0.50, sum(rate(istio_request_duration_seconds_bucket{reporter=~"destination",${service}}[1m])) by (le))`);
    // A page takes mall v1's three calls one after another: well over a millisecond, well under a minute.
    expect(Number(duration!.value[1])).toBeGreaterThan(0.001);
    expect(Number(duration!.value[1])).toBeLessThan(60);
  });

  it("Istio's Workload dashboard: recommend-v2's inbound over mTLS (STRICT in jason), mall-v1's outbound split by destination principal", async () => {
    expect(await series(`round(sum(rate(istio_requests_total{connection_security_policy="mutual_tls", destination_workload_namespace=~"jason", destination_workload=~"recommend-v2", reporter=~"destination", source_workload=~".*", source_workload_namespace=~".*"}[1m])) by (source_workload, source_workload_namespace, response_code), 0.001)`)).toEqual([
      { source_workload: 'mall-v1', source_workload_namespace: 'base', response_code: '200' },
    ]);
    // Outbound: a request sent over mTLS knows the destination's certificate; the fault abort was never sent.
    const outbound = (principal: string) =>
      `round(sum(rate(istio_requests_total{${principal}, source_workload_namespace=~"base", source_workload=~"mall-v1", reporter="source", destination_service=~".*"}[1m])) by (destination_service, response_code), 0.001)`;
    expect(await series(outbound('destination_principal=~"spiffe.*"'))).toEqual(
      sorted([
        { destination_service: 'users.base.svc.cluster.local', response_code: '404' },
        { destination_service: 'recommend.base.svc.cluster.local', response_code: '200' },
        { destination_service: 'recommend.jason.svc.cluster.local', response_code: '200' },
        { destination_service: 'discount.base.svc.cluster.local', response_code: '200' },
        { destination_service: 'discount.fox.svc.cluster.local', response_code: '200' },
      ]),
    );
    expect(await series(outbound('destination_principal!~"spiffe.*"'))).toEqual([{ destination_service: 'discount.fox.svc.cluster.local', response_code: '500' }]);
  });

  it('principals and security policy as each reporter sees them', async () => {
    const [destination] = await query('sum(istio_requests_total{reporter="destination",destination_workload="recommend-v2"}) by (source_principal, destination_principal, connection_security_policy)');
    expect(destination!.metric).toEqual({
      source_principal: 'spiffe://cluster.local/ns/base/sa/mall',
      destination_principal: 'spiffe://cluster.local/ns/jason/sa/recommend',
      connection_security_policy: 'mutual_tls',
    });
    const [source] = await query('sum(istio_requests_total{reporter="source",destination_workload="recommend-v2"}) by (source_principal, destination_principal, connection_security_policy)');
    expect(source!.metric).toEqual({
      source_principal: 'spiffe://cluster.local/ns/base/sa/mall',
      destination_principal: 'spiffe://cluster.local/ns/jason/sa/recommend',
      connection_security_policy: 'unknown',
    });
  });
});
