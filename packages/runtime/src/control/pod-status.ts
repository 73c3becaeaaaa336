import type { Pod } from '../k8s/identity.js';
import type { Termination } from '../workloads/pod-process.js';
import type { PodView } from '../workloads/rollout-controller.js';

/** A pod as `get pods` shows it (and `-o json` gives it). */
export interface PodStatus extends Pod {
  /** kubectl get pods' STATUS: Pending, ContainerCreating, Running, CrashLoopBackOff or Terminating. */
  status: string;
  /** Why: the scheduler's message for a Pending pod, the kubelet's back-off for a crash-looping one. */
  message: string | undefined;
  restarts: number;
  /** How the container last ended (lastState.terminated): OOMKilled, Error or Completed, with its exit code. */
  lastState: { reason: Termination['reason']; exitCode: number; finishedAt: string } | undefined;
  pid: number | undefined;
  sidecarPort: number | undefined;
  /** When its current process started, and when that process was first ready (ISO 8601). */
  startedAt: string | undefined;
  readyAt: string | undefined;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The STATUS kubectl's printPod shows: the waiting reason if any, else the phase. */
export function podStatus({ record, unschedulable }: PodView): PodStatus {
  const process = record.running?.process;
  const last = process?.lastTermination;
  const status = unschedulable !== undefined || (!record.starting && !record.running) ? 'Pending' : (process?.state ?? 'ContainerCreating');
  const message =
    unschedulable ??
    (status === 'CrashLoopBackOff' && process ? `back-off ${goDuration(process.backoffSeconds)} restarting failed container=${record.workload.spec.template.spec.containers[0]!.name} pod=${record.pod.name}_${record.pod.namespace}` : undefined);
  return {
    ...record.pod,
    status,
    message,
    restarts: process?.restartCount ?? 0,
    lastState: last && { reason: last.reason, exitCode: last.exitCode, finishedAt: iso(last.at)! },
    pid: process?.pid,
    sidecarPort: record.running?.sidecar.port,
    startedAt: iso(process?.startedAt),
    readyAt: iso(process?.readyAt),
  };
}

/** Seconds as Go's time.Duration prints whole seconds: 10s, 1m20s, 5m0s. */
function goDuration(seconds: number): string {
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${seconds % 60}s`;
}
