import { describe, expect, it } from 'vitest';
import { AUTHORIZATION_CASES } from './cases-authorization.js';
import { DESTINATION_RULE_CASES } from './cases-destination-rule.js';
import { runCase, type ConformanceCase } from './harness.js';
import { VIRTUAL_SERVICE_CASES } from './cases-virtual-service.js';

const SUITES: [string, ConformanceCase[]][] = [
  ['VirtualService', VIRTUAL_SERVICE_CASES],
  ['DestinationRule', DESTINATION_RULE_CASES],
  ['AuthorizationPolicy', AUTHORIZATION_CASES],
];

describe.each(SUITES)('Istio conformance: %s', (_, cases) => {
  it.each(cases)('$name ($cite)', async (test) => {
    const { answers, refusal } = await runCase(test);
    const expected = test.expect;
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
  });
});
