import { describe, expect, it } from 'vitest';
import { analyzeTrace, formatAnalysis, formatWaterfall } from './analyze.js';
import { flatten, spanTree } from './span-tree.js';
import { mallV1Trace, TraceBuilder } from './test-trace.js';

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
