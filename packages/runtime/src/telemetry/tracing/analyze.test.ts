import { describe, expect, it } from 'vitest';
import { analyzeTrace, formatAnalysis, formatWaterfall } from './analyze.js';
import { flatten, spanTree } from './span-tree.js';
import { mallV1Trace, TraceBuilder } from './test-fixtures.js';

describe('analyze on mall v1’s trace', () => {
  const analysis = analyzeTrace(mallV1Trace());

  it('names the three serial calls, the N+1 and the users 404', () => {
    expect(analysis.root).toBe('istio-ingressgateway.istio-system: mall.base.svc.cluster.local:7000/*');
    expect(analysis.serialFanOuts).toEqual([
      { parent: 'mall: GET /api/mall', calls: ['users GET /users', 'recommend GET /recommend', 'discount GET /discount'], sumMs: 89, maxMs: 50 },
      { parent: 'recommend: GET /recommend', calls: ['products GET /products', ...Array(6).fill('scores GET /scores')], sumMs: 42, maxMs: 6 },
    ]);
    expect(analysis.nPlusOne).toEqual([{ parent: 'recommend: GET /recommend', operation: 'scores GET /scores', count: 6, totalMs: 36 }]);
    expect(analysis.errors).toEqual([{ span: 'mall: users GET /users', status: 404, message: undefined }]);
  });

  it('follows the critical path through the proxies into recommend’s scores calls, in time order', () => {
    const path = analysis.criticalPath.map((s) => s.span);
    expect(path.slice(0, 4)).toEqual(['istio-ingressgateway.istio-system: mall.base.svc.cluster.local:7000/*', 'mall: GET /api/mall', 'mall: simulated work', 'mall: users GET /users']);
    expect(path.filter((s) => s === 'scores: GET /scores')).toHaveLength(6);
    // Mall v1 is serial throughout: every span is waited on, so the path is the whole waterfall, in its order.
    const trace = mallV1Trace();
    expect(path).toEqual(flatten(spanTree(trace)).map(({ span }) => `${trace.processes[span.processID]!.serviceName}: ${span.operationName}`));
    expect(path.at(-1)).toBe('products: GET /products');
    const text = formatAnalysis(analysis);
    expect(text).toContain('critical path: 37 spans, through mall → users → recommend → products → scores ×6 → discount → products');
    expect(text).toContain('most of its time in: products: GET /products 23.6 ms');
    expect(text).toContain('N+1 in recommend: GET /recommend: scores GET /scores called 6 times');
  });

  it('prints the waterfall as the span tree: each call under its caller', () => {
    const lines = formatWaterfall(mallV1Trace()).split('\n');
    expect(lines[1]).toMatch(/^istio-ingressgateway\.istio-system: mall\.base/);
    expect(lines[2]).toMatch(/^ {2}mall: GET \/api\/mall/);
    expect(lines[3]).toMatch(/^ {4}mall: simulated work/);
    expect(lines[4]).toMatch(/^ {4}mall: users GET \/users/);
    expect(lines[5]).toMatch(/^ {6}mall\.base: users\.base\.svc\.cluster\.local:7000\/\*/);
    expect(lines[6]).toMatch(/^ {8}users: GET \/users/);
  });

  it('analyses a trace whose every span has a parent (a reference cycle) instead of failing', () => {
    const t = new TraceBuilder();
    t.span('a', 'one', 0, 10, '0000000000000002');
    t.span('a', 'two', 5, 10, '0000000000000001');
    // Which span of the cycle is taken as the root is arbitrary; that there is one is the point.
    expect(['a: one', 'a: two']).toContain(analyzeTrace(t.build()).root);
  });
});

/**
 * Mall v2's page (its three calls at once: users, recommend, discount answering 503) with recommend v2's N+1, or with
 * recommend v3's one batched scores call.
 */
function mallV2Trace(recommend: 'v2' | 'v3'): ReturnType<TraceBuilder['build']> {
  const t = new TraceBuilder('0000000000000000000000000000f002');
  const gateway = t.span('istio-ingressgateway.istio-system', 'mall.base.svc.cluster.local:7000/*', 0, 60_000, undefined, { component: 'proxy' });
  const mall = t.span('mall', 'GET /api/mall', 100, 59_800, gateway, { 'span.kind': 'server' });
  t.span('mall', 'simulated work', 100, 9_900, mall);
  t.call('mall', 'users', '/users', 10_000, 10_000, mall);
  const server = t.call('mall', 'recommend', '/recommend', 10_050, 49_000, mall);
  t.span('recommend', 'simulated work', 10_250, 4_800, server);
  t.call('recommend', 'products', '/products', 15_100, 6_000, server);
  for (let i = 0; i < (recommend === 'v2' ? 6 : 1); i++) t.call('recommend', 'scores', '/scores', 21_150 + i * 6_050, 6_000, server);
  t.call('mall', 'discount', '/discount', 10_100, 29_000, mall, 503);
  return t.build();
}

describe('analyze: what it prints for each act of the talk', () => {
  it('mall v1: the serial calls, the N+1, the 404, the staircase', () => {
    expect(formatAnalysis(analyzeTrace(mallV1Trace()))).toBe(
      [
        'trace abc0000000000000000000000000cdef: istio-ingressgateway.istio-system: mall.base.svc.cluster.local:7000/*, 100 ms',
        '  serial fan-out in mall: GET /api/mall: users GET /users → recommend GET /recommend → discount GET /discount never overlap: sum 89 ms vs max 50 ms (in parallel: ~50 ms)',
        `  serial fan-out in recommend: GET /recommend: products GET /products → ${Array(6).fill('scores GET /scores').join(' → ')} never overlap: sum 42 ms vs max 6 ms (in parallel: ~6 ms)`,
        '  N+1 in recommend: GET /recommend: scores GET /scores called 6 times, 36 ms in total',
        '  error: mall: users GET /users answered 404',
        '  critical path: 37 spans, through mall → users → recommend → products → scores ×6 → discount → products',
        '  most of its time in: products: GET /products 23.6 ms, mall: simulated work 10 ms, users: GET /users 9.6 ms',
      ].join('\n'),
    );
  });

  it("mall v2: the mall's calls overlap, so no serial fan-out there; the path goes through the slowest, recommend", () => {
    expect(formatAnalysis(analyzeTrace(mallV2Trace('v2')))).toBe(
      [
        'trace 0000000000000000000000000000f002: istio-ingressgateway.istio-system: mall.base.svc.cluster.local:7000/*, 60 ms',
        `  serial fan-out in recommend: GET /recommend: products GET /products → ${Array(6).fill('scores GET /scores').join(' → ')} never overlap: sum 42 ms vs max 6 ms (in parallel: ~6 ms)`,
        '  N+1 in recommend: GET /recommend: scores GET /scores called 6 times, 36 ms in total',
        '  error: mall: discount GET /discount answered 503',
        '  critical path: 28 spans, through mall → recommend → products → scores ×6',
        '  most of its time in: mall: simulated work 9.9 ms, products: GET /products 5.6 ms, scores: GET /scores 5.6 ms',
      ].join('\n'),
    );
  });

  it('recommend v3: one scores call, no N+1', () => {
    expect(formatAnalysis(analyzeTrace(mallV2Trace('v3')))).toBe(
      [
        'trace 0000000000000000000000000000f002: istio-ingressgateway.istio-system: mall.base.svc.cluster.local:7000/*, 60 ms',
        '  serial fan-out in recommend: GET /recommend: products GET /products → scores GET /scores never overlap: sum 12 ms vs max 6 ms (in parallel: ~6 ms)',
        '  error: mall: discount GET /discount answered 503',
        '  critical path: 13 spans, through mall → recommend → products → scores',
        '  most of its time in: recommend: GET /recommend 31.8 ms, mall: simulated work 9.9 ms, products: GET /products 5.6 ms',
      ].join('\n'),
    );
  });

  it('a trace with nothing to say says so; an error with a description gives it', () => {
    const t = new TraceBuilder('00000000000000000000000000000001');
    const root = t.span('scores', 'GET /scores', 0, 2_000, undefined, { 'span.kind': 'server' });
    t.span('scores', 'simulated work', 100, 1_500, root);
    expect(formatAnalysis(analyzeTrace(t.build()))).toBe(
      ['trace 00000000000000000000000000000001: scores: GET /scores, 2 ms', '  no serial fan-out, no N+1, no errors', '  critical path: 2 spans, through scores', '  most of its time in: scores: simulated work 1.5 ms, scores: GET /scores 0.5 ms'].join('\n'),
    );
    expect(formatWaterfall(t.build(), 20)).toBe(
      ['trace 00000000000000000000000000000001 (2 ms)', 'scores: GET /scores      │████████████████████│ 2 ms', '  scores: simulated work │ ███████████████    │ 1.5 ms'].join('\n'),
    );
    const failed = new TraceBuilder('00000000000000000000000000000002');
    failed.span('mall', 'users GET /users', 0, 1_000, undefined, { 'peer.service': 'users', error: true, 'otel.status_description': 'users answered 404' });
    expect(analyzeTrace(failed.build()).errors).toEqual([{ span: 'mall: users GET /users', status: undefined, message: 'users answered 404' }]);
    expect(formatAnalysis(analyzeTrace(failed.build())).split('\n')[1]).toBe('  error: mall: users GET /users (users answered 404)');
  });
});
