import { analyzeTrace, type Analysis, type JaegerSpan, type JaegerTrace } from '@mesh-mall/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMeshMall, type MeshMall } from './support/mesh-mall.js';

/** The services every page load touches. */
const PAGE_SERVICES = ['mall', 'users', 'recommend', 'scores', 'products', 'discount'];
/** OpenTelemetry JS starts spans on whole milliseconds (see CLOCK_SLACK_US in the analysis). */
const CLOCK_SLACK_US = 1000;

let mesh: MeshMall;
beforeAll(async () => {
  mesh = await startMeshMall();
});
afterAll(async () => {
  await mesh?.stop();
});

/**
 * Loads the page as `user`, then waits until its trace holds the server span of every one of `services`: a server
 * span ends after everything its service did for the request, so with it, that service's spans have all been sent.
 */
async function pageTrace(user: string, services = PAGE_SERVICES): Promise<{ trace: JaegerTrace; analysis: Analysis }> {
  const view = (await (await fetch(`${mesh.gateway}/api/mall`, { headers: { cookie: `user=${user}` } })).json()) as { meta: { traceId: string } };
  let trace: JaegerTrace | undefined;
  await expect
    .poll(
      async () => {
        const response = await fetch(`${mesh.viewer}/api/traces/${view.meta.traceId}`);
        trace = response.ok ? ((await response.json()) as { data: JaegerTrace[] }).data[0] : undefined;
        const served = new Set(
          trace?.spans.filter((s) => s.tags.some((t) => t.key === 'span.kind' && t.value === 'server')).map((s) => trace!.processes[s.processID]!.serviceName),
        );
        return services.every((s) => served.has(s));
      },
      { timeout: 10_000, interval: 200 },
    )
    .toBe(true);
  return { trace: trace!, analysis: analyzeTrace(trace!) };
}

const tag = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value;
const service = (trace: JaegerTrace, span: JaegerSpan) => trace.processes[span.processID]!.serviceName;

function mallCalls(trace: JaegerTrace) {
  const mall = trace.spans.filter((s) => trace.processes[s.processID]!.serviceName === 'mall');
  return ['users GET /users', 'recommend GET /recommend', 'discount GET /discount'].map((operation) => mall.find((s) => s.operationName === operation)!);
}

describe('the tracing act', () => {
  it('mall v1: one connected trace through every service; the three calls run one after another; N+1; the 404', async () => {
    const { trace, analysis } = await pageTrace('nobody-knows-me');
    const ids = new Set(trace.spans.map((s) => s.spanID));
    const roots = trace.spans.filter((s) => !s.references.some((r) => ids.has(r.spanID)));
    expect(roots.map((r) => trace.processes[r.processID]!.serviceName)).toEqual(['istio-ingressgateway.istio-system']);
    // As under Istio: the caller's client span, then its proxy's span, then the callee's server span, each the parent of
    // the next (the proxy injects its own span context); the proxy's span is named and tagged as Envoy's.
    const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
    const parentOf = (span: JaegerSpan) => byId.get(span.references[0]?.spanID ?? '');
    const servers = trace.spans.filter((s) => tag(s, 'span.kind') === 'server');
    expect(servers.map((s) => service(trace, s)).sort()).toEqual(['discount', 'mall', 'products', 'products', 'recommend', 'scores', 'scores', 'scores', 'scores', 'scores', 'scores', 'users']);
    for (const server of servers) {
      const callee = service(trace, server);
      const proxy = parentOf(server)!;
      expect(tag(proxy, 'component'), callee).toBe('proxy');
      expect(proxy.operationName).toBe(`${callee}.base.svc.cluster.local:7000/*`);
      expect(tag(proxy, 'upstream_cluster')).toBe(`outbound|7000|${callee === 'mall' ? 'v1' : ''}|${callee}.base.svc.cluster.local`);
      expect(tag(proxy, 'http.status_code')).toBe(callee === 'users' ? '404' : '200');
      expect(tag(proxy, 'istio.namespace')).toBe(callee === 'mall' ? 'istio-system' : 'base');
      if (callee === 'mall') continue;
      const client = parentOf(proxy)!;
      expect([tag(client, 'span.kind'), tag(client, 'peer.service')]).toEqual(['client', callee]);
      expect(`${service(trace, client)}.base`).toBe(service(trace, proxy));
    }
    // Nothing else: no framework hook or layer spans, no second client span per call (TRACE_DETAIL=calls).
    const kinds = trace.spans.map((s) => (tag(s, 'component') === 'proxy' ? 'proxy' : s.operationName === 'simulated work' ? 'work' : String(tag(s, 'span.kind'))));
    expect(Object.fromEntries(['proxy', 'server', 'client', 'work'].map((k) => [k, kinds.filter((x) => x === k).length]))).toEqual({ proxy: 12, server: 12, client: 11, work: 12 });
    expect(trace.spans).toHaveLength(47);

    const [users, recommend, discount] = mallCalls(trace);
    expect(recommend!.startTime + CLOCK_SLACK_US).toBeGreaterThanOrEqual(users!.startTime + users!.duration);
    expect(discount!.startTime + CLOCK_SLACK_US).toBeGreaterThanOrEqual(recommend!.startTime + recommend!.duration);

    expect(analysis.serialFanOuts.find((f) => f.parent.startsWith('mall'))).toMatchObject({ calls: ['users GET /users', 'recommend GET /recommend', 'discount GET /discount'] });
    expect(analysis.nPlusOne).toEqual([expect.objectContaining({ operation: 'scores GET /scores', count: 6 })]);
    expect(analysis.errors).toContainEqual(expect.objectContaining({ span: 'mall: users GET /users', status: 404 }));
    // The critical path runs through the proxies into each of recommend's six scores calls (the kit starts its spans
    // on the monotonic clock, so a call never seems to start before its predecessor ended).
    // Every server span is on it, in the staircase's order.
    const onPath = analysis.criticalPath.filter((s) => s.kind === 'server').map((s) => s.service);
    expect(onPath).toEqual(['mall', 'users', 'recommend', 'products', ...Array(6).fill('scores'), 'discount', 'products']);
  });

  it('mall v2: the three calls overlap and the analysis finds no serial fan-out in the mall', async () => {
    await mesh.apply('install/mall-v2-apps.yaml', 'istio/mall-v2-100.yaml');
    const { trace, analysis } = await pageTrace('guest-v2');
    const calls = mallCalls(trace);
    const latestStart = Math.max(...calls.map((c) => c!.startTime));
    const earliestEnd = Math.min(...calls.map((c) => c!.startTime + c!.duration));
    expect(latestStart).toBeLessThan(earliestEnd);
    expect(trace.processes[trace.spans.find((s) => s.operationName === 'GET /api/mall')!.processID]!.tags).toContainEqual(
      expect.objectContaining({ key: 'service.version', value: 'v2' }),
    );
    expect(analysis.serialFanOuts.filter((f) => f.parent.startsWith('mall'))).toEqual([]);
  });

  it('recommend v2 keeps the N+1 (6 scores calls); jason on recommend v3 makes one', async () => {
    await mesh.apply('install/jason-apps.yaml', 'istio/jason-routing.yaml');
    expect((await pageTrace('jason')).analysis.nPlusOne).toEqual([expect.objectContaining({ operation: 'scores GET /scores', count: 6 })]);
    await mesh.apply('install/recommend-v3-apps.yaml', 'istio/recommend-v3-routing.yaml');
    const { trace, analysis } = await pageTrace('jason');
    expect(analysis.nPlusOne).toEqual([]);
    expect(trace.spans.filter((s) => s.operationName === 'scores GET /scores')).toHaveLength(1);
  });

  it('the viewer lists traces and draws one as a waterfall', async () => {
    const { trace } = await pageTrace('jason');
    const services = (await (await fetch(`${mesh.viewer}/api/services`)).json()) as { data: string[] };
    expect(services.data).toEqual(expect.arrayContaining(PAGE_SERVICES));
    const newest = (await (await fetch(`${mesh.viewer}/api/traces?service=mall&limit=2&lookback=1h`)).json()) as { data: JaegerTrace[]; limit: number };
    expect(newest.data).toHaveLength(2);
    expect(newest.data[0]!.traceID).toBe(trace.traceID);
    const list = await (await fetch(mesh.viewer)).text();
    // The row names the shopper (the server spans' user.id).
    expect(list).toMatch(new RegExp(`data-trace="${trace.traceID}"[^]*?<td>jason</td>`));
    const page = await (await fetch(`${mesh.viewer}/trace/${trace.traceID}`)).text();
    expect(page).toContain('data-waterfall');
    expect(page.match(/<tr class="span/g)).toHaveLength(trace.spans.length);
    expect(page).toMatch(/<div class="bar[^"]*"><span style="left:[\d.]+%;width:[\d.]+%">/);
    // The viewer's own inline script only: nothing loaded from elsewhere.
    expect(page).not.toMatch(/<script[^>]+src=|(src|href)="https?:\/\/(?!localhost)/);
    const mallPage = await (await fetch(mesh.gateway, { headers: { cookie: 'user=jason' } })).text();
    expect(mallPage).toMatch(new RegExp(`trace <a href="${mesh.viewer}/trace/[\\da-f]{32}">`));
  });

  it("the topology shows fox's workloads only once fox's requests flow", async () => {
    await mesh.apply('install/fox-apps.yaml', 'istio/fox-routing.yaml');
    const nodes = async () => ((await (await fetch(`${mesh.viewer}/api/topology`)).json()) as { nodes: { id: string }[] }).nodes.map((n) => n.id);
    await fetch(`${mesh.gateway}/api/mall`);
    expect(await nodes()).not.toContain('fox/discount-v2');
    await fetch(`${mesh.gateway}/api/mall`, { headers: { cookie: 'user=fox' } });
    expect(await nodes()).toEqual(expect.arrayContaining(['fox/discount-v2', 'fox/products-v2', 'fox/favorites-v1']));
    const cli = await mesh.cli('get', 'topology');
    expect(cli.stdout).toMatch(/fox\/products-v2\s+fox\/favorites-v1/);
  });
});
