import { describe, expect, it } from 'vitest';
import { criticalPath, flatten, spanTree } from './span-tree.js';
import { mallV1Trace, TraceBuilder } from './test-fixtures.js';

describe('the span tree (the waterfall’s order)', () => {
  it('puts every row directly after its parent or after an earlier sibling’s whole subtree', () => {
    const trace = mallV1Trace();
    const rows = flatten(spanTree(trace));
    expect(rows).toHaveLength(trace.spans.length);
    const parentOf = (i: number) => rows[i]!.span.references[0]?.spanID;
    for (let i = 1; i < rows.length; i++) {
      const parent = parentOf(i);
      const index = rows.findIndex((r) => r.span.spanID === parent);
      expect(index, rows[i]!.span.operationName).toBeLessThan(i);
      // Everything between the parent and this row belongs to the parent's subtree (earlier siblings' descendants).
      for (let j = index + 1; j < i; j++) expect(rows[j]!.depth).toBeGreaterThan(rows[index]!.depth);
      expect(rows[i]!.depth).toBe(rows[index]!.depth + 1);
    }
    expect(rows.slice(0, 4).map((r) => r.span.operationName)).toEqual(['mall.base.svc.cluster.local:7000/*', 'GET /api/mall', 'simulated work', 'users GET /users']);
  });

  it('orders a parent before its child when both start in the same microsecond, and siblings by start', () => {
    const t = new TraceBuilder();
    const root = t.span('a', 'root', 0, 100);
    t.span('a', 'late', 50, 10, root);
    const child = t.span('a', 'child', 0, 40, root);
    t.span('a', 'grandchild', 0, 10, child);
    t.span('a', 'orphan', 5, 10, 'ffffffffffffffff');
    const order = flatten(spanTree(t.build())).map((r) => `${r.depth}:${r.span.operationName}`);
    expect(order).toEqual(['0:root', '1:child', '2:grandchild', '1:late', '0:orphan']);
  });

  it('survives a reference cycle without losing a span', () => {
    const t = new TraceBuilder();
    t.span('a', 'one', 0, 10, '0000000000000002');
    t.span('a', 'two', 0, 10, '0000000000000001');
    expect(flatten(spanTree(t.build()))).toHaveLength(2);
  });
});

describe('the critical path (Jaeger UI’s algorithm)', () => {
  it('runs through each of mall v1’s serial calls, recommend’s six scores calls included', () => {
    const trace = mallV1Trace();
    const names = new Map(trace.spans.map((s) => [s.spanID, `${trace.processes[s.processID]!.serviceName}: ${s.operationName}`]));
    const spans = [...new Set(criticalPath(trace).map((s) => s.spanId))];
    const onPath = spans.map((id) => names.get(id));
    expect(onPath.filter((n) => n === 'mall: recommend GET /recommend')).toHaveLength(1);
    expect(onPath.filter((n) => n === 'scores: GET /scores')).toHaveLength(6);
    expect(onPath).toContain('users: GET /users');
    expect(onPath).toContain('mall: discount GET /discount');
    expect(onPath).toContain('mall: simulated work');
  });

  it('sections add up to the root’s duration and never overlap', () => {
    const sections = criticalPath(mallV1Trace()).sort((a, b) => a.startUs - b.startUs);
    for (let i = 1; i < sections.length; i++) expect(sections[i]!.startUs).toBeGreaterThanOrEqual(sections[i - 1]!.endUs);
    expect(sections.reduce((sum, s) => sum + s.endUs - s.startUs, 0)).toBe(100_000);
  });

  it('clips a child that overflows its parent, and ignores one wholly before or after it', () => {
    const t = new TraceBuilder();
    const root = t.span('a', 'root', 10, 90);
    t.span('a', 'before', 0, 5, root);
    t.span('a', 'overflowing', 60, 100, root);
    t.span('a', 'after', 150, 10, root);
    const sections = criticalPath(t.build());
    expect(sections.map((s) => [s.startUs, s.endUs])).toEqual([
      [60, 100],
      [10, 60],
    ]);
  });
});
