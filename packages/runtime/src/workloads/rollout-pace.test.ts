import { describe, expect, it } from 'vitest';
import { deploymentPace, rollingStep } from './rollout-pace.js';

describe('maxSurge and maxUnavailable (ResolveFenceposts)', () => {
  it.each([
    [1, 1, 0],
    [3, 1, 0],
    [4, 1, 1],
    [10, 3, 2],
  ])('25%%/25%% of %d replicas: surge %d, unavailable %d', (replicas, maxSurge, maxUnavailable) => {
    expect(deploymentPace(undefined, replicas)).toEqual({ maxSurge, maxUnavailable });
  });

  it('takes counts as they are, and makes unavailable 1 when both come to 0', () => {
    expect(deploymentPace({ rollingUpdate: { maxSurge: 2, maxUnavailable: 0 } }, 5)).toEqual({ maxSurge: 2, maxUnavailable: 0 });
    expect(deploymentPace({ rollingUpdate: { maxSurge: '0%', maxUnavailable: '10%' } }, 5)).toEqual({ maxSurge: 0, maxUnavailable: 1 });
  });
});

describe('a rolling update step', () => {
  it('surges first and removes old pods only as new ones get ready', () => {
    const pace = { maxSurge: 1, maxUnavailable: 0 };
    expect(rollingStep(pace, 2, { total: 0, ready: 0 }, { total: 2, ready: 2 })).toEqual({ create: 1, removeUnready: 0, removeReady: 0 });
    expect(rollingStep(pace, 2, { total: 1, ready: 1 }, { total: 2, ready: 2 })).toEqual({ create: 0, removeUnready: 0, removeReady: 1 });
    expect(rollingStep(pace, 2, { total: 1, ready: 1 }, { total: 1, ready: 1 })).toEqual({ create: 1, removeUnready: 0, removeReady: 0 });
  });

  it('with no surge, removes one old pod before it creates its replacement', () => {
    const pace = { maxSurge: 0, maxUnavailable: 1 };
    expect(rollingStep(pace, 3, { total: 0, ready: 0 }, { total: 3, ready: 3 })).toEqual({ create: 0, removeUnready: 0, removeReady: 1 });
    expect(rollingStep(pace, 3, { total: 0, ready: 0 }, { total: 2, ready: 2 })).toEqual({ create: 1, removeUnready: 0, removeReady: 0 });
  });

  it('removes old pods that are not ready before ready ones', () => {
    expect(rollingStep({ maxSurge: 1, maxUnavailable: 1 }, 4, { total: 1, ready: 0 }, { total: 4, ready: 3 })).toEqual({ create: 0, removeUnready: 1, removeReady: 0 });
  });
});
