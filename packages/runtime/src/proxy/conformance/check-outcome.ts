import { expect } from 'vitest';
import type { CaseOutcome, ConformanceCase } from './harness.js';

/** Asserts that what a case's objects and requests got is what Istio with Envoy gives (the case's `expect`). */
export function checkOutcome(test: ConformanceCase, { answers, refusal, routeStatus }: CaseOutcome): void {
  const expected = test.expect;
  for (const { route, parent, conditions } of test.routeStatus ?? []) {
    const [namespace, name] = parent.split('/') as [string, string];
    const routeNamespace = route.split('/')[0]!;
    const entry = routeStatus?.[route]?.find((p) => p.parentRef.name === name && (p.parentRef.namespace ?? routeNamespace) === namespace);
    const seen = entry?.conditions.map(({ type, status, reason }) => ({ type, status, reason }));
    expect(seen && [...seen].sort((a, b) => a.type.localeCompare(b.type)), `status of ${route} for parent ${parent}`).toEqual(conditions && [...conditions].sort((a, b) => a.type.localeCompare(b.type)));
  }
  if ('refused' in expected) {
    expect(refusal).toMatch(expected.refused);
    return;
  }
  expect(refusal).toBeUndefined();
  if (expected.split) {
    const counts: Record<string, number> = {};
    for (const answer of answers) counts[answer.servedBy ?? 'none'] = (counts[answer.servedBy ?? 'none'] ?? 0) + 1;
    expect(counts).toEqual(expected.split);
  }
  if (expected.spreadOver) expect(new Set(answers.map((a) => a.servedBy))).toEqual(new Set(expected.spreadOver));
  if (expected.sequence) {
    expect(answers.map(({ status, flag }) => ({ status, flag }))).toEqual(expected.sequence);
    return;
  }
  for (const answer of answers) {
    expect(answer.status).toBe(expected.status);
    if ('servedBy' in expected && !expected.split && !expected.spreadOver) expect(answer.servedBy).toBe(expected.servedBy);
    if (expected.flag !== undefined) expect(answer.flag).toBe(expected.flag);
    if (expected.path !== undefined) expect(answer.path).toBe(expected.path);
    for (const [name, value] of Object.entries(expected.headers ?? {})) expect(answer.headers[name], `request header ${name}`).toBe(value);
    for (const [name, value] of Object.entries(expected.responseHeaders ?? {})) expect(answer.responseHeaders[name], `response header ${name}`).toBe(value);
  }
}
