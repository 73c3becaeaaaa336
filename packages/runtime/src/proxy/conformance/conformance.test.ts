import { describe, expect, it } from 'vitest';
import { AUTHORIZATION_CASES } from './cases-authorization.js';
import { DESTINATION_RULE_CASES } from './cases-destination-rule.js';
import { checkOutcome } from './check-outcome.js';
import { runCase, type ConformanceCase } from './harness.js';
import { VIRTUAL_SERVICE_CASES } from './cases-virtual-service.js';
import { GATEWAY_API_CORE_CASES, GATEWAY_API_EXTENDED_CASES } from './cases-gateway-api.js';

const SUITES: [string, ConformanceCase[]][] = [
  ['VirtualService', VIRTUAL_SERVICE_CASES],
  ['DestinationRule', DESTINATION_RULE_CASES],
  ['AuthorizationPolicy', AUTHORIZATION_CASES],
  ['Gateway API HTTPRoute core (gateway-api v1.2.1)', GATEWAY_API_CORE_CASES],
  ['Gateway API HTTPRoute extended (gateway-api v1.2.1)', GATEWAY_API_EXTENDED_CASES],
];

describe.each(SUITES)('Istio conformance: %s', (_, cases) => {
  it.each(cases)('$name ($cite)', async (test) => {
    checkOutcome(test, await runCase(test));
  });
});
