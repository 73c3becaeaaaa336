import { describe, expect, it } from 'vitest';
import type { WorkloadManifest } from '../api/manifests.js';
import type { PodFactory, RunningPod } from './pod-factory.js';
import { RolloutController } from './rollout-controller.js';

/** A kubelet stand-in: pods are ready a moment after they start, and stop at once. */
function fakeFactory() {
  let next = 0;
  const live = new Set<string>();
  const factory = {
    newPod: (workload: WorkloadManifest) => ({ name: `${workload.metadata.name}-${next++}`, namespace: 'ns', workload: workload.metadata.name, labels: {}, serviceAccount: 'default', ready: false }),
    start: async (pod: RunningPod['pod'], _workload: WorkloadManifest, _found: unknown, events: { created: (r: RunningPod) => void }) => {
      const running = { pod, process: { stop: async () => void live.delete(pod.name) }, sidecar: {} } as unknown as RunningPod;
      events.created(running);
      await new Promise((resolve) => setImmediate(resolve));
      pod.ready = true;
      live.add(pod.name);
      return running;
    },
    stop: async (pods: RunningPod[]) => pods.forEach((p) => live.delete(p.pod.name)),
  };
  return { factory: factory as unknown as PodFactory, live };
}

const workload = (kind: 'Deployment' | 'StatefulSet', image: string, replicas: number, strategy?: object): WorkloadManifest =>
  ({
    apiVersion: 'apps/v1',
    kind,
    metadata: { name: 'web', namespace: 'ns' },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, ...(strategy ? { strategy } : {}), template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } } },
  }) as WorkloadManifest;

function controller() {
  const { factory, live } = fakeFactory();
  const rollouts = new RolloutController(factory, { servicesDir: new URL('../../../../services', import.meta.url).pathname, capacity: { cpu: 8, memory: 2 ** 34, pods: 110 }, report: () => undefined });
  const images = () => rollouts.list().map(({ record }) => record.workload.spec.template.spec.containers[0]!.image);
  return { rollouts, live, images };
}

describe('RolloutController', () => {
  it.each([
    ['a StatefulSet', 'StatefulSet' as const, undefined],
    ['a Deployment with maxSurge 0', 'Deployment' as const, { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } }],
    ['a Deployment at 25%/25%', 'Deployment' as const, undefined],
  ])('%s: a changed template is rolled out to the last pod', async (_name, kind, strategy) => {
    const { rollouts, live, images } = controller();
    await rollouts.rollOut(workload(kind, 'mesh-mall/echo:v1', 3, strategy));
    expect(images()).toEqual(Array(3).fill('mesh-mall/echo:v1'));
    await rollouts.rollOut(workload(kind, 'mesh-mall/echo:v2', 3, strategy));
    expect(images()).toEqual(Array(3).fill('mesh-mall/echo:v2'));
    expect(live.size).toBe(3);
  });

  it('stopAll leaves no pod behind, and makes none after', async () => {
    const { rollouts, live } = controller();
    const rolling = rollouts.rollOut(workload('Deployment', 'mesh-mall/echo:v1', 4));
    await rollouts.stopAll();
    await rolling.catch(() => undefined);
    expect(rollouts.list()).toEqual([]);
    expect(live.size).toBe(0);
  });
});
