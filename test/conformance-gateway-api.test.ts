import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_API_CORE_CASES, GATEWAY_API_EXTENDED_CASES } from '../packages/runtime/src/proxy/conformance/cases-gateway-api.js';
import { checkOutcome } from '../packages/runtime/src/proxy/conformance/check-outcome.js';
import { answerOf, sendRequest, type Answer, type ConformanceCase } from '../packages/runtime/src/proxy/conformance/harness.js';
import type { RouteParentStatus } from '../packages/runtime/src/istio/gateway-api-status.js';
import { startMeshMall, type MeshMall } from './support/mesh-mall.js';

/**
 * A subset of the ported Gateway API conformance cases (packages/runtime/src/proxy/conformance/cases-gateway-api.ts),
 * end to end: each case's Gateways and routes go in with `mesh-mall apply`, its requests go to the local proxy of the
 * Gateway it names, and the suite's echo backends are pods of services/echo (test/fixtures/gateway-conformance-
 * workloads.yaml), which answer which workload and namespace served and the path and headers they saw.
 */
const SUBSET = [
  'HTTPRouteSimpleSameNamespace: / goes to infra-backend-v1',
  'HTTPRouteMatching: /v2example goes to infra-backend-v1',
  'HTTPRouteHeaderMatching: / with Version: two, Color: blue goes to infra-backend-v2',
  'HTTPRoutePathMatchOrder: /match/exact/one goes to infra-backend-v3',
  'HTTPRouteInvalidNonExistentBackendRef: GET / gets 500',
  'HTTPRouteReferenceGrant: GET / goes to web-backend',
  'HTTPRouteInvalidReferenceGrant: GET / gets 500',
  'HTTPRoutePartiallyInvalidViaInvalidReferenceGrant: GET / goes to app-backend-v1',
  'HTTPRouteRequestHeaderModifier: /add with Some-Other-Header: val, X-Header-Add: some-other-value goes to infra-backend-v1',
  'HTTPRouteRedirectHostAndStatus: /host-and-status is redirected (301) to http://example.org/host-and-status',
  'HTTPRouteRewritePath: /strip-prefix/three goes to infra-backend-v1',
];
const CASES = [...GATEWAY_API_CORE_CASES, ...GATEWAY_API_EXTENDED_CASES].filter((c) => SUBSET.includes(c.name));

let mesh: MeshMall;
let scratch: string;
beforeAll(async () => {
  mesh = await startMeshMall({ args: ['-f', 'test/fixtures/gateway-conformance-workloads.yaml'] });
  scratch = await mkdtemp(join(tmpdir(), 'mesh-mall-gateway-conformance-'));
});
afterAll(async () => {
  await mesh?.stop();
});

const listJson = async <T>(what: string): Promise<T[]> => JSON.parse((await mesh.cli('get', what, '-o', 'json')).stdout) as T[];

/** Where the local proxy of the Gateway `gateway:<namespace>/<name>` listens for its port 80. */
async function gatewayPort(from: string): Promise<number> {
  const gateways = await listJson<{ metadata: { namespace: string; name: string }; status: { localListeners: { port: number; url: string }[] } }>('gateways');
  const found = gateways.find((g) => `gateway:${g.metadata.namespace}/${g.metadata.name}` === from);
  if (!found) throw new Error(`${from}: no such Gateway applied`);
  return Number(new URL(found.status.localListeners.find((l) => l.port === 80)!.url).port);
}

async function send(test: ConformanceCase): Promise<Answer> {
  const response = await sendRequest(await gatewayPort(test.request.from), test.request);
  return answerOf(response, '-');
}

describe('Gateway API conformance (gateway-api v1.2.1), end to end through mesh-mall up', () => {
  it('runs every case of the subset', () => expect(CASES.map((c) => c.name).sort()).toEqual([...SUBSET].sort()));

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_, test) => {
    const file = join(scratch, `${randomUUID()}.yaml`);
    await writeFile(file, test.yaml);
    const applied = await mesh.cli('apply', '-f', file);
    try {
      expect(applied.stderr).toBe('');
      const answers: Answer[] = [];
      for (let i = 0; i < (test.request.times ?? 1); i++) answers.push(await send(test));
      const routes = await listJson<{ metadata: { namespace: string; name: string }; status: { parents: RouteParentStatus[] } }>('httproutes');
      const routeStatus = Object.fromEntries(routes.map((r) => [`${r.metadata.namespace}/${r.metadata.name}`, r.status.parents]));
      checkOutcome(test, { answers, refusal: undefined, routeStatus });
    } finally {
      if (applied.code === 0) expect((await mesh.cli('delete', '-f', file)).code).toBe(0);
    }
  });
});
