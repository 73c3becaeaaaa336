import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTHORIZATION_CASES } from '../packages/runtime/src/proxy/conformance/cases-authorization.js';
import { DESTINATION_RULE_CASES } from '../packages/runtime/src/proxy/conformance/cases-destination-rule.js';
import { VIRTUAL_SERVICE_CASES } from '../packages/runtime/src/proxy/conformance/cases-virtual-service.js';
import { checkOutcome } from '../packages/runtime/src/proxy/conformance/check-outcome.js';
import { answerOf, sendRequest, type Answer, type ConformanceCase } from '../packages/runtime/src/proxy/conformance/harness.js';
import { startMeshMall, type MeshMall } from './support/mesh-mall.js';

/**
 * A representative subset of the conformance suite (packages/runtime/src/proxy/conformance), end to end: the objects
 * go in with `mesh-mall apply`, requests leave from a real pod's sidecar (or come in at the gateway) to echo pods run
 * from our image, and the response flag is read from the access log.
 */
const SUBSET = [
  'a header exact match sends jason to v2, everyone else to v1',
  'no route of the VirtualService matches: 404 with response flag NR',
  'weights split requests between subsets (80/20 over 100 requests, exactly: smooth weighted round-robin)',
  'rewrite.uri replaces the matched uri prefix and keeps the query',
  'headers.request removes before it sets: a header both removed and set reaches the destination set',
  'fault.abort with percentage 100 answers the status itself, with response flag FI',
  'a fault without percentage injects nothing',
  'at the ingress, the VirtualService bound to the Gateway that accepts the host routes',
  'at a gateway, the routes of two VirtualServices for one host are merged, in order',
  'a field the runtime does not implement (corsPolicy) is refused, not ignored',
  'a subset no DestinationRule defines: 503 with response flag NC',
  "a subset is the Service's endpoints with the subset's labels",
  'DENY on a path prefix denies matching paths only',
  'paths are normalized before authorization: /x/../admin is /admin to a DENY on /admin*',
  'a policy selecting the ingress gateway is enforced there, before routing',
];
const CASES = [...VIRTUAL_SERVICE_CASES, ...DESTINATION_RULE_CASES, ...AUTHORIZATION_CASES].filter((c) => SUBSET.includes(c.name));

let mesh: MeshMall;
let scratch: string;
beforeAll(async () => {
  mesh = await startMeshMall({ args: ['-f', 'test/fixtures/conformance-workloads.yaml'] });
  scratch = await mkdtemp(join(tmpdir(), 'mesh-mall-conformance-'));
});
afterAll(async () => {
  await mesh?.stop();
});

/** The access log line of one request, from the proxy it left through; written off the request path, so awaited. */
async function hopOf(requestId: string, sourceWorkload: string): Promise<Record<string, unknown> | undefined> {
  for (const deadline = Date.now() + 5_000; Date.now() < deadline; await sleep(50)) {
    const hop = (await mesh.accessLog()).find((h) => h.x_request_id === requestId && h.source_workload === sourceWorkload);
    if (hop) return hop;
  }
  return undefined;
}

async function send(test: ConformanceCase): Promise<Answer> {
  const { from } = test.request;
  const caller = from === 'ingress' ? undefined : (await mesh.pods()).find((p) => `${p.namespace}/${p.workload.replace(/-(v\d+)$/, '@$1')}` === from);
  const port = caller ? caller.sidecarPort : Number(new URL(mesh.gateway).port);
  const requestId = randomUUID();
  const response = await sendRequest(port, test.request, { 'x-request-id': requestId });
  const hop = await hopOf(requestId, caller ? caller.workload : 'istio-ingressgateway');
  return answerOf(response, String(hop?.response_flags ?? '-'));
}

describe('Istio conformance, end to end through mesh-mall up', () => {
  it('runs every case of the subset', () => expect(CASES.map((c) => c.name).sort()).toEqual([...SUBSET].sort()));

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_, test) => {
    const file = join(scratch, `${randomUUID()}.yaml`);
    await writeFile(file, test.yaml);
    const applied = await mesh.cli('apply', '-f', file);
    try {
      if (applied.code !== 0) return checkOutcome(test, { answers: [], refusal: applied.stderr });
      const answers: Answer[] = [];
      for (let i = 0; i < (test.request.times ?? 1); i++) answers.push(await send(test));
      checkOutcome(test, { answers, refusal: undefined });
    } finally {
      if (applied.code === 0) expect((await mesh.cli('delete', '-f', file)).code).toBe(0);
    }
  });
});
