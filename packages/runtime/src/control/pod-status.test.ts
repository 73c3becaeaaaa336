import { describe, expect, it } from 'vitest';
import type { WorkloadManifest } from '../api/manifests.js';
import type { PodProcess } from '../workloads/pod-process.js';
import type { PodRecord } from '../workloads/rollout-controller.js';
import { podStatus } from './pod-status.js';

const WORKLOAD = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'users-v1', namespace: 'base' },
  spec: { replicas: 1, selector: { matchLabels: { app: 'users' } }, template: { metadata: { labels: { app: 'users' } }, spec: { containers: [{ name: 'users', image: 'mesh-mall/users:v1' }] } } },
} as WorkloadManifest;

const T0 = Date.parse('2025-06-01T12:00:00Z');

function record(process?: Partial<PodProcess>, fields: Partial<PodRecord> = {}): PodRecord {
  return {
    pod: { name: 'users-v1-abc', namespace: 'base', workload: 'users-v1', labels: { app: 'users' }, serviceAccount: 'users', ready: false },
    workload: WORKLOAD,
    revision: 'r1',
    requests: { cpu: 0, memory: 0 },
    removed: false,
    ...(process ? { running: { pod: undefined as never, process: process as PodProcess, sidecar: { port: 41000 } as never } } : {}),
    ...fields,
  };
}

const base = { name: 'users-v1-abc', namespace: 'base', workload: 'users-v1', labels: { app: 'users' }, serviceAccount: 'users', ready: false };

describe('podStatus: a pod as get pods shows it', () => {
  it('is Pending with the scheduler\'s message while it waits for room, and Pending before the kubelet has it', () => {
    expect(podStatus({ record: record(), unschedulable: '0/1 nodes are available: 1 Too many pods.' })).toEqual({
      ...base,
      status: 'Pending',
      message: '0/1 nodes are available: 1 Too many pods.',
      restarts: 0,
      lastState: undefined,
      pid: undefined,
      sidecarPort: undefined,
      startedAt: undefined,
      readyAt: undefined,
    });
    expect(podStatus({ record: record(), unschedulable: undefined })).toMatchObject({ status: 'Pending', message: undefined });
  });

  it('is ContainerCreating once its start began and before it has a process', () => {
    expect(podStatus({ record: record(undefined, { starting: Promise.resolve() }), unschedulable: undefined })).toMatchObject({ status: 'ContainerCreating', message: undefined, sidecarPort: undefined });
  });

  it('shows its process: state, pid, restarts, last termination and its times in ISO 8601', () => {
    const process = { state: 'Running', pid: 4242, restartCount: 2, lastTermination: { reason: 'Error', exitCode: 1, at: T0 }, startedAt: T0 + 1000, readyAt: T0 + 1500, backoffSeconds: 0 } as const;
    expect(podStatus({ record: record(process), unschedulable: undefined })).toEqual({
      ...base,
      status: 'Running',
      message: undefined,
      restarts: 2,
      lastState: { reason: 'Error', exitCode: 1, finishedAt: '2025-06-01T12:00:00.000Z' },
      pid: 4242,
      sidecarPort: 41000,
      startedAt: '2025-06-01T12:00:01.000Z',
      readyAt: '2025-06-01T12:00:01.500Z',
    });
  });

  it("says a crash-looping pod's back-off as the kubelet does, in Go's durations", () => {
    const looping = (backoffSeconds: number) =>
      podStatus({ record: record({ state: 'CrashLoopBackOff', backoffSeconds, restartCount: 5, lastTermination: { reason: 'OOMKilled', exitCode: 137, at: T0 } }), unschedulable: undefined });
    expect(looping(10)).toMatchObject({ status: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=users pod=users-v1-abc_base', restarts: 5 });
    expect(looping(80).message).toBe('back-off 1m20s restarting failed container=users pod=users-v1-abc_base');
    expect(looping(300).message).toBe('back-off 5m0s restarting failed container=users pod=users-v1-abc_base');
  });

  it('is Terminating while it stops', () => {
    expect(podStatus({ record: record({ state: 'Terminating', restartCount: 0 }), unschedulable: undefined })).toMatchObject({ status: 'Terminating', message: undefined });
  });
});
