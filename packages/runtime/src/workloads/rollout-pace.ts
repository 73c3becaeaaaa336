import type { DeploymentStrategy } from '../api/deployment-strategy.js';

/** How far a rolling update may go above and below the desired replicas. */
export interface RolloutPace {
  maxSurge: number;
  maxUnavailable: number;
}

/**
 * A Deployment's maxSurge and maxUnavailable as the Deployment controller resolves them (ResolveFenceposts in
 * pkg/controller/deployment/util): 25 % each by default (SetDefaults_Deployment), a percentage of the replicas with
 * maxSurge rounded up and maxUnavailable rounded down, and maxUnavailable 1 when both come to 0.
 */
export function deploymentPace(strategy: DeploymentStrategy | undefined, replicas: number): RolloutPace {
  const rolling = strategy?.rollingUpdate ?? {};
  const maxSurge = scaled(rolling.maxSurge ?? '25%', replicas, Math.ceil);
  const maxUnavailable = scaled(rolling.maxUnavailable ?? '25%', replicas, Math.floor);
  return { maxSurge, maxUnavailable: maxSurge === 0 && maxUnavailable === 0 ? 1 : maxUnavailable };
}

/** A StatefulSet's RollingUpdate replaces one pod at a time, never above its replicas. */
export const STATEFUL_SET_PACE: RolloutPace = { maxSurge: 0, maxUnavailable: 1 };

/** intstr.GetScaledValueFromIntOrPercent. */
function scaled(value: number | string, total: number, round: (n: number) => number): number {
  return typeof value === 'number' ? value : round((Number.parseInt(value, 10) * total) / 100);
}

/**
 * What one step of a rolling update does (the Deployment controller's rolloutRolling): how many new pods to create,
 * so that all pods stay within replicas + maxSurge (NewRSNewReplicas), and how many old pods may go, so that the
 * available ones stay at least replicas − maxUnavailable (reconcileOldReplicaSets: the old pods that are not ready
 * first, then ready ones).
 */
export function rollingStep(
  pace: RolloutPace,
  replicas: number,
  current: { total: number; ready: number },
  old: { total: number; ready: number },
): { create: number; removeUnready: number; removeReady: number } {
  const create = Math.max(0, Math.min(replicas + pace.maxSurge - (current.total + old.total), replicas - current.total));
  const minAvailable = replicas - pace.maxUnavailable;
  // All pods less the available floor less the new pods not yet available: the old pods and the ready new ones over it.
  const maxScaledDown = old.total + current.ready - minAvailable;
  if (maxScaledDown <= 0) return { create, removeUnready: 0, removeReady: 0 };
  const removeUnready = Math.min(maxScaledDown, old.total - old.ready);
  const removeReady = Math.max(0, Math.min(maxScaledDown - removeUnready, old.ready + current.ready - minAvailable, old.ready));
  return { create, removeUnready, removeReady };
}
