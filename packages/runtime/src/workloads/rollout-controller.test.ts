import { describe, expect, it, vi } from 'vitest';
import type { WorkloadManifest } from '../api/manifests.js';
import type { PodFactory, RunningPod } from './pod-factory.js';
import { RolloutController } from './rollout-controller.js';
import { STUB_SERVICES_DIR } from './test-fixtures.js';

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

  it("makes a scale-up's pods at its controller's API rate: a burst of 30, then 20 a second", async () => {
    const { factory } = fakeFactory();
    let now = 0;
    // No room for any pod: every one made stays Pending, so what is counted is what the controller made.
    const rollouts = new RolloutController(factory, { servicesDir: STUB_SERVICES_DIR, capacity: { cpu: 8, memory: 2 ** 34, pods: 0 }, report: () => undefined, now: () => now });
    await rollouts.rollOut(workload('Deployment', 'mesh-mall/stub:v1', 100_000));
    expect(rollouts.list()).toHaveLength(30);
    now = 1000;
    await vi.waitFor(() => expect(rollouts.list()).toHaveLength(50));
    now = 2000;
    await vi.waitFor(() => expect(rollouts.list()).toHaveLength(70));
    await rollouts.stopAll();
    expect(rollouts.list()).toEqual([]);
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

/**
 * A kubelet the test drives: each start waits until the test says the pod is ready (or its start failed), and every
 * start, readiness and stop goes into one log, in the order it happened.
 */
function manualFactory(options: { createdWhenSettled?: boolean } = {}) {
  let next = 0;
  const log: string[] = [];
  const starts = new Map<string, { ready: () => void; fail: (error: Error) => void; readyAgain: () => void; pod: RunningPod['pod'] }>();
  const factory = {
    newPod: (workload: WorkloadManifest) => ({ name: `${workload.metadata.name}-${next++}`, namespace: 'ns', workload: workload.metadata.name, labels: {}, serviceAccount: 'default', ready: false }),
    start: (pod: RunningPod['pod'], _workload: WorkloadManifest, _found: unknown, events: { created: (r: RunningPod) => void; readyAgain: () => void }) =>
      new Promise<RunningPod>((resolve, reject) => {
        log.push(`start ${pod.name}`);
        const stopped = () => {
          log.push(`stop ${pod.name}`);
          pod.ready = false;
        };
        // A pod stopped while it starts fails its start, as PodProcess's does.
        const running = { pod, process: { stop: async () => (stopped(), reject(new Error(`${pod.name} stopped before it was ready`))) }, sidecar: {} } as unknown as RunningPod;
        // PodFactory makes the process once the pod's sidecar listens: a pod may be removed before it has one.
        if (!options.createdWhenSettled) events.created(running);
        starts.set(pod.name, {
          pod,
          ready: () => {
            if (options.createdWhenSettled) events.created(running);
            pod.ready = true;
            log.push(`ready ${pod.name}`);
            resolve(running);
          },
          fail: reject,
          readyAgain: events.readyAgain,
        });
      }),
    stop: async (pods: RunningPod[]) => pods.forEach((p) => (log.push(`stop ${p.pod.name}`), (p.pod.ready = false))),
  };
  return { factory: factory as unknown as PodFactory, log, starts };
}

/** Lets every promise chain the controller has under way run to its next wait (no I/O here: one turn is enough). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const STUB_IMAGE = 'mesh-mall/stub:v1';

function manual(capacity = { cpu: 8, memory: 2 ** 34, pods: 110 }, options: { createdWhenSettled?: boolean } = {}) {
  const { factory, log, starts } = manualFactory(options);
  const reports: string[] = [];
  const rollouts = new RolloutController(factory, { servicesDir: STUB_SERVICES_DIR, capacity, report: (m) => reports.push(m) });
  /** Makes the pods ready, one after the other, letting the controller act after each. */
  const ready = async (...names: string[]) => {
    for (const name of names) {
      starts.get(name)!.ready();
      await settle();
    }
  };
  const pods = () => rollouts.list().map(({ record, unschedulable }) => `${record.pod.name} ${record.workload.spec.template.spec.containers[0]!.image}${record.pod.ready ? ' ready' : ''}${unschedulable ? ' Pending' : ''}`);
  return { rollouts, log, starts, reports, ready, pods };
}

const named = (name: string, kind: 'Deployment' | 'StatefulSet', image: string, replicas: number, strategy?: object): WorkloadManifest => {
  const w = workload(kind, image, replicas, strategy);
  return { ...w, metadata: { ...w.metadata, name } } as WorkloadManifest;
};

describe('RolloutController: the order of a rollout', () => {
  it('at 25%/25% of 2 replicas: one new pod at a time, an old one leaving only once a new one is ready (the newest first)', async () => {
    const { rollouts, log, ready, pods } = manual();
    const first = rollouts.rollOut(workload('Deployment', STUB_IMAGE, 2));
    await settle();
    await ready('web-0', 'web-1');
    await first;
    const second = rollouts.rollOut(workload('Deployment', 'mesh-mall/stub:v2', 2));
    await settle();
    await ready('web-2', 'web-3');
    await second;
    expect(log).toEqual(['start web-0', 'start web-1', 'ready web-0', 'ready web-1', 'start web-2', 'ready web-2', 'stop web-1', 'start web-3', 'ready web-3', 'stop web-0']);
    expect(pods()).toEqual(['web-2 mesh-mall/stub:v2 ready', 'web-3 mesh-mall/stub:v2 ready']);
  });

  it('with maxSurge 0: an old pod leaves first, then its replacement starts', async () => {
    const { rollouts, log, ready } = manual();
    const strategy = { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } };
    const first = rollouts.rollOut(workload('Deployment', STUB_IMAGE, 2, strategy));
    await settle();
    await ready('web-0', 'web-1');
    await first;
    const second = rollouts.rollOut(workload('Deployment', 'mesh-mall/stub:v2', 2, strategy));
    await settle();
    await ready('web-2', 'web-3');
    await second;
    expect(log.slice(4)).toEqual(['stop web-1', 'start web-2', 'ready web-2', 'stop web-0', 'start web-3', 'ready web-3']);
  });

  it('Recreate: every old pod stops before the first new one starts', async () => {
    const { rollouts, log, ready } = manual();
    const first = rollouts.rollOut(workload('Deployment', STUB_IMAGE, 2, { type: 'Recreate' }));
    await settle();
    await ready('web-0', 'web-1');
    await first;
    const second = rollouts.rollOut(workload('Deployment', 'mesh-mall/stub:v2', 2, { type: 'Recreate' }));
    await settle();
    await ready('web-2', 'web-3');
    await second;
    expect(log.slice(4)).toEqual(['stop web-0', 'stop web-1', 'start web-2', 'start web-3', 'ready web-2', 'ready web-3']);
  });

  it('scaled down mid-rollout: the new pods not ready go first, then the old ones as the pace allows', async () => {
    const { rollouts, log, ready, pods } = manual();
    const strategy = { rollingUpdate: { maxSurge: '100%', maxUnavailable: 0 } };
    const first = rollouts.rollOut(workload('Deployment', STUB_IMAGE, 2, strategy));
    await settle();
    await ready('web-0', 'web-1');
    await first;
    const rolling = rollouts.rollOut(workload('Deployment', 'mesh-mall/stub:v2', 2, strategy));
    await settle();
    expect(log.slice(4)).toEqual(['start web-2', 'start web-3']);
    const scaled = rollouts.rollOut(workload('Deployment', 'mesh-mall/stub:v2', 1, strategy));
    await ready('web-2');
    await rolling;
    await scaled;
    expect(log.slice(4)).toEqual(['start web-2', 'start web-3', 'ready web-2', 'stop web-3', 'stop web-1', 'stop web-0']);
    expect(pods()).toEqual(['web-2 mesh-mall/stub:v2 ready']);
  });

  it("a StatefulSet starts its next pod once every earlier one is ready, a crashed one's readiness again included", async () => {
    const { rollouts, log, starts, ready } = manual();
    const rolling = rollouts.rollOut(workload('StatefulSet', STUB_IMAGE, 3));
    await settle();
    expect(log).toEqual(['start web-0']);
    await ready('web-0');
    expect(log).toEqual(['start web-0', 'ready web-0', 'start web-1']);
    // web-0 crashes and is restarted by its kubelet: web-1's readiness alone does not let web-2 start.
    starts.get('web-0')!.pod.ready = false;
    await ready('web-1');
    await rolling;
    expect(log).toEqual(['start web-0', 'ready web-0', 'start web-1', 'ready web-1']);
    starts.get('web-0')!.pod.ready = true;
    starts.get('web-0')!.readyAgain();
    await settle();
    expect(log).toEqual(['start web-0', 'ready web-0', 'start web-1', 'ready web-1', 'start web-2']);
  });
});

describe('RolloutController: scaling, room on the node, failures', () => {
  it('leaves what does not fit Pending with the scheduler\'s reason; a scale-down removes Pending pods, then pods not ready, then the newest', async () => {
    const { rollouts, log, starts, ready, pods } = manual({ cpu: 8, memory: 2 ** 34, pods: 3 });
    const rolling = rollouts.rollOut(workload('Deployment', STUB_IMAGE, 5));
    await settle();
    expect(log).toEqual(['start web-0', 'start web-1', 'start web-2']);
    expect(rollouts.list().map((p) => p.unschedulable)).toEqual([
      undefined,
      undefined,
      undefined,
      '0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
      '0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    ]);
    await ready('web-0', 'web-1', 'web-2');
    // What is left waits for room: the rollout is done as far as it can go.
    await rolling;
    starts.get('web-1')!.pod.ready = false;
    await rollouts.rollOut(workload('Deployment', STUB_IMAGE, 2));
    expect(pods()).toEqual([`web-0 ${STUB_IMAGE} ready`, `web-2 ${STUB_IMAGE} ready`]);
    expect(log.slice(6)).toEqual(['stop web-1']);
  });

  it('starts a Pending pod once room frees up, and reports a start that then fails', async () => {
    const { rollouts, log, starts, ready, reports, pods } = manual({ cpu: 8, memory: 2 ** 34, pods: 1 });
    const a = named('a', 'Deployment', STUB_IMAGE, 1);
    const rolling = rollouts.rollOut(a);
    await settle();
    await ready('a-0');
    await rolling;
    await rollouts.rollOut(named('b', 'Deployment', STUB_IMAGE, 1));
    expect(pods()).toEqual([`a-0 ${STUB_IMAGE} ready`, `b-1 ${STUB_IMAGE} Pending`]);
    await rollouts.remove(a);
    await settle();
    expect(log).toEqual(['start a-0', 'ready a-0', 'stop a-0', 'start b-1']);
    starts.get('b-1')!.fail(new Error('ns/b-1 exited with code 1 before listening'));
    await settle();
    await settle();
    expect(reports).toEqual(['ns/b-1 exited with code 1 before listening']);
    expect(pods()).toEqual([]);
  });

  it('keeps the old pods serving when new ones fail to start, and starts them again only when asked (retry)', async () => {
    const { rollouts, log, starts, ready, pods } = manual();
    const first = rollouts.rollOut(workload('Deployment', STUB_IMAGE, 1));
    await settle();
    await ready('web-0');
    await first;
    const v2 = workload('Deployment', 'mesh-mall/stub:v2', 1);
    const failing = rollouts.rollOut(v2);
    await settle();
    starts.get('web-1')!.fail(new Error("couldn't find key password in Secret ns/db"));
    await expect(failing).rejects.toThrow("couldn't find key password in Secret ns/db");
    await settle();
    expect(pods()).toEqual([`web-0 ${STUB_IMAGE} ready`]);
    expect(log).toEqual(['start web-0', 'ready web-0', 'start web-1']);

    // A retry of a workload whose rollout did not fail does nothing.
    await rollouts.retry(named('other', 'Deployment', STUB_IMAGE, 1));
    const retried = rollouts.retry(v2);
    await settle();
    await ready('web-2');
    await retried;
    expect(log.slice(3)).toEqual(['start web-2', 'ready web-2', 'stop web-0']);
    expect(pods()).toEqual(['web-2 mesh-mall/stub:v2 ready']);
  });

  it('does not run a workload whose image is not ours, saying so once; its pods go when its image stops being ours', async () => {
    const { rollouts, log, ready, reports, pods } = manual();
    const first = rollouts.rollOut(workload('Deployment', STUB_IMAGE, 1));
    await settle();
    await ready('web-0');
    await first;
    expect(rollouts.isForeign('ns', 'web')).toBe(false);
    await rollouts.rollOut(workload('Deployment', 'mongo:7.0', 1));
    await rollouts.rollOut(workload('Deployment', 'mongo:7.0.1', 1));
    expect(rollouts.isForeign('ns', 'web')).toBe(true);
    expect(pods()).toEqual([]);
    expect(log).toEqual(['start web-0', 'ready web-0', 'stop web-0']);
    expect(reports).toEqual(['ns/web: image mongo:7.0 is not a mesh-mall image; not run locally']);
    await rollouts.remove(workload('Deployment', 'mongo:7.0.1', 1));
    expect(rollouts.isForeign('ns', 'web')).toBe(false);
  });

  it('stops a pod deleted before its process was made, once its start is done', async () => {
    const { rollouts, log, ready, starts } = manual({ cpu: 8, memory: 2 ** 34, pods: 1 }, { createdWhenSettled: true });
    const a = named('a', 'Deployment', STUB_IMAGE, 1);
    const b = named('b', 'Deployment', STUB_IMAGE, 1);
    const rolling = rollouts.rollOut(a);
    await settle();
    await ready('a-0');
    await rolling;
    await rollouts.rollOut(b);
    await rollouts.remove(a);
    await settle();
    const removing = rollouts.remove(b);
    await settle();
    expect(log).toEqual(['start a-0', 'ready a-0', 'stop a-0', 'start b-1']);
    starts.get('b-1')!.ready();
    await removing;
    expect(log).toEqual(['start a-0', 'ready a-0', 'stop a-0', 'start b-1', 'ready b-1', 'stop b-1']);
    expect(rollouts.list()).toEqual([]);
  });

  it('stops a pod that is still starting (bound once room freed up) when its workload is deleted', async () => {
    const { rollouts, log, ready } = manual({ cpu: 8, memory: 2 ** 34, pods: 1 });
    const a = named('a', 'Deployment', STUB_IMAGE, 1);
    const b = named('b', 'Deployment', STUB_IMAGE, 1);
    const rolling = rollouts.rollOut(a);
    await settle();
    await ready('a-0');
    await rolling;
    await rollouts.rollOut(b);
    await rollouts.remove(a);
    await settle();
    await rollouts.remove(b);
    expect(log).toEqual(['start a-0', 'ready a-0', 'stop a-0', 'start b-1', 'stop b-1']);
    expect(rollouts.list()).toEqual([]);
  });
});
