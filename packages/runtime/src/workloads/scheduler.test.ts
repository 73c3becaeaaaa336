import { describe, expect, it } from 'vitest';
import { Scheduler, unschedulableReason } from './scheduler.js';

const Mi = 2 ** 20;
const NO_VICTIMS = ' preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.';

describe("the scheduler's reasons (NodeResourcesFit, FitError)", () => {
  const capacity = { cpu: 1, memory: 256 * Mi, pods: 3 };

  it('fits what is left', () => {
    expect(unschedulableReason({ cpu: 0.5, memory: 128 * Mi }, { cpu: 0.5, memory: 128 * Mi, pods: 2 }, capacity)).toBeUndefined();
  });

  it('says every resource short, sorted, as one node', () => {
    expect(unschedulableReason({ cpu: 0.6, memory: 200 * Mi }, { cpu: 0.5, memory: 128 * Mi, pods: 1 }, capacity)).toBe(
      `0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory.${NO_VICTIMS}`,
    );
    expect(unschedulableReason({ cpu: 0, memory: 0 }, { cpu: 0, memory: 0, pods: 3 }, capacity)).toBe(`0/1 nodes are available: 1 Too many pods.${NO_VICTIMS}`);
  });

  it('checks a resource only when the pod requests it', () => {
    expect(unschedulableReason({ cpu: 0, memory: 1 * Mi }, { cpu: 5, memory: 0, pods: 0 }, capacity)).toBeUndefined();
  });
});

describe('Scheduler', () => {
  const pod = (memory: number) => ({ requests: { cpu: 0, memory: memory * Mi } });

  it('binds what fits, keeps the rest Pending in order, and binds them as room frees up', () => {
    const bound: unknown[] = [];
    const scheduler = new Scheduler({ cpu: 1, memory: 300 * Mi, pods: 110 }, (p) => bound.push(p));
    const [a, b, c, d] = [pod(200), pod(200), pod(150), pod(50)];
    for (const p of [a, b, c, d]) scheduler.add(p);
    // b and c do not fit; d, later and smaller, is not held back by them.
    expect(bound).toEqual([a, d]);
    expect(scheduler.reason(b)).toMatch(/^0\/1 nodes are available: 1 Insufficient memory\./);
    scheduler.remove(a);
    // 250 Mi free: b (200) came first and fits; c (150) then does not.
    expect(bound).toEqual([a, d, b]);
    expect(scheduler.reason(c)).toBeDefined();
    scheduler.remove(c);
    scheduler.remove(b);
    expect(bound).toEqual([a, d, b]);
    expect(scheduler.allocated()).toEqual({ cpu: 0, memory: 50 * Mi, pods: 1 });
  });
});
