import { readFile } from 'node:fs/promises';
import { parseDocuments, ManifestError } from '@mesh-mall/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMeshMall, type MeshMall } from './support/mesh-mall.js';
import { seeded, type Random } from './support/seeded.js';

/**
 * Hostile manifests through apply, from a fixed seed so a failure replays: alias bombs and deep nesting (refused by
 * the CLI's parser, in one line), huge and wrong replicas, oversized strings, invalid names, unknown kinds and
 * versions, `__proto__`/`constructor` keys, junk where Istio and Kubernetes fields go, and 10,000 objects in one
 * request. Each is refused with a 4xx naming the cause, or applied within the node's capacity; the mall answers 200
 * throughout, and the runtime's memory stays bounded.
 */

const SEED = 20261123;
const DOCUMENTS = 2_000;
const NAMESPACES = ['fuzz-a', 'fuzz-b'];

let mesh: MeshMall;

beforeAll(async () => {
  // Room for the base act and a few more pods: whatever the fuzz applies, at most that many run.
  mesh = await startMeshMall({ args: ['--capacity', 'pods=12'] });
  const namespaces = NAMESPACES.map((name) => ({ source: 'setup', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } }));
  expect((await post({ documents: namespaces })).status).toBe(200);
}, 120_000);
afterAll(async () => {
  await mesh?.stop();
});

async function post(body: unknown): Promise<{ status: number; message?: string }> {
  const response = await fetch(`${mesh.control}/apply`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const answer = (await response.json()) as { message?: string };
  return { status: response.status, message: answer.message };
}

/** Resident memory of the runtime's process, in bytes (Linux). */
async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

const NAMES = ['echo-v1', 'echo-v2', '', 'UPPER', '-dash', 'a..b', 'a'.repeat(254), '__proto__', 'constructor', 'ok', 'näme', 'x'.repeat(100_000)];
/** Names and namespaces the API server refuses for any kind (not DNS subdomains; a namespace not a DNS label). */
const INVALID_NAMES = new Set(['', 'UPPER', '-dash', 'a..b', 'a'.repeat(254), '__proto__', 'näme', 'x'.repeat(100_000)]);
const INVALID_NAMESPACES = new Set(['Bad_NS']);
const REPLICAS = [0, 1, 2, 500, 100_000, 2 ** 31 - 1, 2 ** 31, -1, 1.5, '3', null, 'Infinity'];
const QUANTITIES = ['1Mi', '50m', '1', 'lots', '-1Mi', '1e400', '', 12, '1Gi', '0'];
const KINDS = ['Deployment', 'StatefulSet', 'Service', 'Namespace', 'Secret', 'VirtualService', 'DestinationRule', 'Gateway', 'AuthorizationPolicy', 'Widget', 'ConfigMap', 'Ingress', '', 42];
const VERSIONS = ['apps/v1', 'v1', 'networking.istio.io/v1', 'security.istio.io/v1', 'apps/v2', 'v9', 'networking.k8s.io/v1', '', null];

function junk(r: Random, depth = 0): unknown {
  switch (r.int(depth > 3 ? 4 : 7)) {
    case 0:
      return r.pick(['', 'x', '*', '../etc', '\u0000', '😀', 'x'.repeat(r.pick([10, 5000]))]);
    case 1:
      return r.pick([0, -1, 1.5, 2 ** 53, 1e308]);
    case 2:
      return r.pick([null, true, false]);
    case 3:
      return [];
    case 4:
      return Array.from({ length: r.int(3) }, () => junk(r, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: r.int(3) + 1 }, () => [r.pick(['hosts', 'http', 'route', 'spec', 'match', 'x', '__proto__', 'constructor', 'prototype']), junk(r, depth + 1)]));
  }
}

/** An echo workload in a fuzz namespace: mostly valid, with one thing wrong or extreme. */
function workload(r: Random): Record<string, unknown> {
  const resources = r.int(3) === 0 ? { requests: { memory: r.pick(QUANTITIES), cpu: r.pick(QUANTITIES) } } : { requests: { memory: '1Mi' }, limits: { memory: '256Mi' } };
  return {
    apiVersion: r.int(10) === 0 ? r.pick(VERSIONS) : 'apps/v1',
    kind: r.pick(['Deployment', 'Deployment', 'StatefulSet']),
    metadata: { name: r.int(4) === 0 ? r.pick(NAMES) : r.pick(['echo-v1', 'echo-v2']), namespace: r.pick([...NAMESPACES, ...NAMESPACES, 'absent', 'Bad_NS']) },
    spec: {
      replicas: r.pick(REPLICAS),
      selector: { matchLabels: { app: 'echo' } },
      ...(r.int(5) === 0 ? { strategy: { rollingUpdate: { maxSurge: r.pick([0, 1, '25%', '1.5', -1]), maxUnavailable: r.pick([0, '0%', '100%', '101%']) } } } : {}),
      template: {
        metadata: { labels: { app: 'echo', version: 'v1' } },
        spec: { containers: [{ name: 'echo', image: r.int(8) === 0 ? r.pick(['', 'nginx', 'mesh-mall/nope:v1', 42]) : 'mesh-mall/echo:v1', resources }] },
      },
    },
  };
}

/** One hostile document, as an object the CLI would send (or YAML the CLI's parser must refuse). */
function hostileDocument(r: Random): { object?: unknown; yaml?: string; body?: string } {
  switch (r.int(10)) {
    case 0:
      return { yaml: `a: &a [${Array(9).fill('x').join(', ')}]\n${'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]`).join('\n')}\n` };
    case 1:
      return { yaml: `${'- '.repeat(r.pick([100, 5_000]))}x\n` };
    case 2: {
      // Nesting where a spec goes, past any sensible depth; the deepest past the API server's JSON decoder (10000).
      const depth = r.pick([50, 3_000, 200_000]);
      if (depth > 10_000) return { body: `{"documents": [{"source": "deep.json", "object": {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": "deep", "namespace": "fuzz-a"}, "spec": ${'{"hosts": '.repeat(depth)}"x"${'}'.repeat(depth)}}}]}` };
      let spec: unknown = 'x';
      for (let i = 0; i < depth; i++) spec = { hosts: spec };
      return { object: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'deep', namespace: 'fuzz-a' }, spec } };
    }
    case 3:
      return { object: JSON.parse(`{"apiVersion":"v1","kind":"Service","metadata":{"name":"proto","namespace":"fuzz-a","__proto__":{"polluted":true}},"spec":{"ports":[{"port":7000}],"constructor":{"prototype":{"polluted":true}}}}`) };
    case 4:
    case 5:
      return { object: workload(r) };
    default:
      return { object: { apiVersion: r.pick(VERSIONS), kind: r.pick(KINDS), metadata: { name: r.pick(NAMES), namespace: r.pick(NAMESPACES) }, spec: junk(r), data: r.int(4) === 0 ? { key: '!!not base64' } : undefined } };
  }
}

describe(`hostile manifests through apply (seed ${SEED})`, () => {
  it(`${DOCUMENTS} documents and a request of 10,000 objects: a 4xx naming the cause or applied within capacity; the mall answers throughout; the runtime grows by under 256 MiB`, async () => {
    const r = seeded(SEED);
    const pid = mesh.process.pid!;
    const residentBefore = await residentBytes(pid);
    const statuses = new Map<number, number>();
    const problems: string[] = [];
    for (let i = 0; i < DOCUMENTS; i++) {
      const { object, yaml, body } = hostileDocument(r);
      let documents: { source: string; object: unknown }[];
      if (body !== undefined) {
        // A request the CLI would not make (its YAML parser stops far sooner): straight to the control API.
        const answer = await post(body);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (answer.status !== 400) problems.push(`#${i}: ${answer.status} ${answer.message} for JSON past the decoder's depth`);
        continue;
      }
      if (yaml !== undefined) {
        // What `mesh-mall apply -f` does with a file: parsed on the client, refused there in one line.
        try {
          documents = parseDocuments(yaml, `fuzz-${i}.yaml`);
        } catch (error) {
          if (!(error instanceof ManifestError) || error.message.includes('\n')) problems.push(`#${i}: the parser threw ${String(error)}`);
          statuses.set(0, (statuses.get(0) ?? 0) + 1);
          continue;
        }
      } else {
        documents = [{ source: `fuzz-${i}.yaml (document 1)`, object }];
      }
      const answer = await post({ documents });
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      if (answer.status !== 200 && !(answer.status >= 400 && answer.status < 500 && answer.message)) problems.push(`#${i}: ${answer.status} ${answer.message}`);
      const meta = (object as { metadata?: { name?: unknown; namespace?: unknown } } | undefined)?.metadata;
      if (answer.status === 200 && (INVALID_NAMES.has(meta?.name as string) || INVALID_NAMESPACES.has(meta?.namespace as string))) {
        problems.push(`#${i}: applied with the name ${JSON.stringify(String(meta?.name).slice(0, 40))} in ${JSON.stringify(meta?.namespace)}`);
      }
      if (i % 50 === 0) {
        const mall = await fetch(`${mesh.gateway}/api/mall`);
        if (mall.status !== 200) problems.push(`#${i}: the mall answered ${mall.status}`);
      }
    }
    const many = Array.from({ length: 10_000 }, (_, n) => ({ source: 'many.yaml', object: { apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${n}`, namespace: 'fuzz-b' }, spec: { ports: [{ port: 7000 }] } } }));
    const manyAnswer = await post({ documents: many });
    expect(manyAnswer.status, manyAnswer.message).toBe(200);

    expect(problems).toEqual([]);
    // The seed's outcomes, exactly: refused by the CLI's parser (0), applied (200), JSON too deep for the API server
    // (400), refused by the runtime as the API server or the local runtime would (422).
    expect(Object.fromEntries(statuses)).toEqual({ 0: 297, 200: 271, 400: 68, 422: 1364 });
    expect((await fetch(`${mesh.gateway}/api/mall`)).status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // At most the capacity's 12 pods run, whatever was asked (a bound, as capacity is).
    const pods = ((await (await fetch(`${mesh.control}/pods`)).json()) as { objects: { pid?: number }[] }).objects;
    expect(pods.filter((p) => p.pid !== undefined).length).toBeLessThanOrEqual(12);
    expect(await residentBytes(pid)).toBeLessThan(residentBefore + 256 * 2 ** 20);
  }, 600_000);
});
