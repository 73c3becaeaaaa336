import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readManifests, type WorkloadManifest } from '@mesh-mall/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { echoDeployment } from './support/echo.js';
import { isAlive, REPO_ROOT, startMeshMall, type MeshMall } from './support/mesh-mall.js';

/**
 * The runtime as a node of fixed capacity: pods placed by their requests, the rest Pending with the scheduler's
 * message; pods bounded by limits.memory; pod processes started a few at a time.
 */

const Mi = 2 ** 20;
const NO_ROOM = '0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.';
/** Room for the base act and exactly three more pods of scores (96Mi each). */
const EXTRA_SCORES = 3;
const POD_STARTS = 2;

interface PodJson {
  namespace: string;
  name: string;
  workload: string;
  ready: boolean;
  status: string;
  message?: string;
  restarts: number;
  lastState?: { reason: string; exitCode: number };
  pid?: number;
  port?: number;
  startedAt?: string;
  readyAt?: string;
}

let mesh: MeshMall;
let dir: string;
let scoresYaml: Record<string, any>;

async function pods(): Promise<PodJson[]> {
  return ((await (await fetch(`${mesh.control}/pods`)).json()) as { objects: PodJson[] }).objects;
}

async function applyText(name: string, text: string) {
  await writeFile(join(dir, name), text);
  return mesh.cli('apply', '-f', join(dir, name));
}

const scores = (replicas: number) => stringify({ ...scoresYaml, spec: { ...scoresYaml.spec, replicas } });

async function mallAnswers(): Promise<number> {
  return (await fetch(`${mesh.gateway}/api/mall`)).status;
}

/** Polls until `check` holds (what the pods report, not a sleep); fails with the last pods seen. */
async function until(check: (all: PodJson[]) => boolean, what: string, timeoutMs = 60_000): Promise<PodJson[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = await pods();
    if (check(all)) return all;
    if (Date.now() > deadline) throw new Error(`${what}: ${JSON.stringify(all.filter((p) => p.namespace !== 'base'), null, 1)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mesh-mall-capacity-'));
  const base = await readManifests([join(REPO_ROOT, 'install/base_apps.yaml')]);
  const requested = base.manifests
    .filter((m): m is WorkloadManifest => m.kind === 'Deployment')
    .reduce((sum, d) => sum + d.spec.replicas * Number.parseInt(String(d.spec.template.spec.containers[0]!.resources?.requests?.memory), 10) * Mi, 0);
  scoresYaml = parseAllDocuments(await readFile(join(REPO_ROOT, 'install/base_apps.yaml'), 'utf8'))
    .map((d) => d.toJS() as Record<string, any>)
    .find((d) => d?.kind === 'Deployment' && d.metadata.name === 'scores-v1')!;
  expect(scoresYaml.spec.template.spec.containers[0].resources.requests.memory).toBe('96Mi');
  const capacity = `memory=${requested + EXTRA_SCORES * 96 * Mi},cpu=64`;
  mesh = await startMeshMall({ args: ['--capacity', capacity, '--pod-starts', String(POD_STARTS)] });
  expect(mesh.output()).toMatch(/capacity {5}cpu 64, memory \d+[MG]i, pods 110 /);
}, 120_000);
afterAll(async () => {
  await mesh?.stop();
});

/** An echo workload of its own namespace asking for `memory` of the node. */
const echo = (namespace: string, replicas: number, memory: string) => `apiVersion: v1
kind: Namespace
metadata: {name: ${namespace}}
---
${echoDeployment(namespace, replicas, `          resources: {requests: {memory: ${memory}}, limits: {memory: 256Mi}}\n`)}`;

describe('scheduling by requests', () => {
  let pendingBefore: string[];

  it('replicas: 500 of scores: what fits runs, the rest is Pending with the reason, and the mall answers throughout', async () => {
    // Two of the three free scores pods' worth taken by another workload first.
    expect((await applyText('borrow.yaml', echo('borrow', 1, '192Mi'))).code).toBe(0);
    const before = (await pods()).filter((p) => p.workload === 'scores-v1');
    expect(before.map((p) => p.status)).toEqual(['Running']);
    const asked = Date.now();
    const applying = applyText('scores-500.yaml', scores(500));
    expect(await mallAnswers()).toBe(200);
    expect(await applying).toMatchObject({ code: 0, stdout: 'deployment.apps/scores-v1 configured\n' });

    // The ReplicaSet controller makes the 499 new ones at its API client's pace: 30 at once, then 20 a second.
    const all = (await until((now) => now.filter((p) => p.workload === 'scores-v1').length === 500, 'the 500 scores pods made')).filter((p) => p.workload === 'scores-v1');
    expect(Date.now() - asked, 'made at 20 a second after a burst of 30, not at once').toBeGreaterThanOrEqual(((499 - 30) / 20) * 1000);
    expect(all).toHaveLength(500);
    expect(all.filter((p) => p.status === 'Running' && p.ready)).toHaveLength(2);
    const pending = all.filter((p) => p.status === 'Pending');
    expect(pending).toHaveLength(498);
    expect(new Set(pending.map((p) => p.message))).toEqual(new Set([NO_ROOM]));
    expect(pending.every((p) => p.pid === undefined)).toBe(true);
    pendingBefore = pending.map((p) => p.name);
    expect(await mallAnswers()).toBe(200);

    expect((await mesh.cli('get', 'workloads')).stdout).toMatch(/base\s+scores-v1\s+2\/500\s/);
    const podTable = (await mesh.cli('get', 'pods')).stdout.split('\n');
    expect(podTable[0]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+LAST-STATE\s+PID\s+PORT\s+SIDECAR\s+MESSAGE$/);
    expect(podTable.filter((line) => /\s0\/1\s+Pending\s/.test(line) && line.endsWith(NO_ROOM))).toHaveLength(498);
  }, 120_000);

  it('deleting what took room lets the oldest Pending pods start', async () => {
    expect((await mesh.cli('delete', '-f', join(dir, 'borrow.yaml'))).code).toBe(0);
    const after = await until((all) => all.filter((p) => p.workload === 'scores-v1' && p.ready).length === 1 + EXTRA_SCORES, 'two Pending pods started in the freed room');
    const started = after.filter((p) => p.workload === 'scores-v1' && p.ready && pendingBefore.includes(p.name)).map((p) => p.name);
    expect(started).toEqual(pendingBefore.slice(0, 2));
    expect(after.filter((p) => p.workload === 'scores-v1' && p.status === 'Pending')).toHaveLength(496);
    expect(await mallAnswers()).toBe(200);
  }, 120_000);

  it('scaling back to 1 starts nothing new and stops the extra pods', async () => {
    const before = (await pods()).filter((p) => p.workload === 'scores-v1' && p.pid !== undefined);
    expect(before).toHaveLength(1 + EXTRA_SCORES);
    expect((await applyText('scores-1.yaml', scores(1))).code).toBe(0);
    const after = (await pods()).filter((p) => p.workload === 'scores-v1');
    expect(after).toHaveLength(1);
    expect(before.map((p) => p.name)).toContain(after[0]!.name);
    for (const pod of before.filter((p) => p.name !== after[0]!.name)) expect(isAlive(pod.pid!), pod.name).toBe(false);
    expect(await mallAnswers()).toBe(200);
  }, 120_000);
});

describe('pods bounded as containers are', () => {
  it('a pod over its limits.memory is OOMKilled (exit code 137) and restarted', async () => {
    expect((await applyText('echo-memory.yaml', echo('memory', 1, '1Mi'))).code).toBe(0);
    const [pod] = (await pods()).filter((p) => p.namespace === 'memory');
    expect(pod).toMatchObject({ status: 'Running', ready: true, restarts: 0 });
    // 400 MB of heap against a 256Mi limit: the process dies of it; the request gets no answer.
    await fetch(`http://127.0.0.1:${pod!.port}/`, { headers: { 'x-echo-hold-mb': '400' } }).catch(() => undefined);
    const after = await until((all) => all.some((p) => p.name === pod!.name && p.restarts === 1 && p.ready), 'the OOMKilled pod restarted and ready');
    expect(after.find((p) => p.name === pod!.name)).toMatchObject({ status: 'Running', restarts: 1, lastState: { reason: 'OOMKilled', exitCode: 137 } });
    expect(isAlive(pod!.pid!)).toBe(false);
    const line = (await mesh.cli('get', 'pods')).stdout.split('\n').find((l) => l.includes(pod!.name))!;
    expect(line).toMatch(new RegExp(`memory\\s+${pod!.name}\\s+1/1\\s+Running\\s+1 \\(\\d+s ago\\)\\s+OOMKilled \\(exit code 137\\)\\s`));
  }, 120_000);
});

describe('the local kubelet starts pods a few at a time', () => {
  it(`a scale-up of 8 pods: never more than --pod-starts ${POD_STARTS} starting at once`, async () => {
    expect((await applyText('echo-8.yaml', echo('memory', 8, '1Mi'))).code).toBe(0);
    const started = (await pods()).filter((p) => p.namespace === 'memory' && p.restarts === 0);
    expect(started).toHaveLength(7);
    // From fork to ready, each pod's start; at any moment, how many were under way.
    const events = started.flatMap((p) => [
      { at: Date.parse(p.startedAt!), delta: 1 },
      { at: Date.parse(p.readyAt!), delta: -1 },
    ]);
    events.sort((a, b) => a.at - b.at || a.delta - b.delta);
    let now = 0;
    let most = 0;
    for (const event of events) most = Math.max(most, (now += event.delta));
    expect(most).toBe(POD_STARTS);
  }, 120_000);
});
