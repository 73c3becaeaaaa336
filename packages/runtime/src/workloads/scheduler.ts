import type { Requests } from '../api/resources.js';
import type { Capacity } from './capacity.js';

/** A pod as the scheduler sees it. */
export interface Schedulable {
  requests: Requests;
}

/**
 * Why the pod does not fit the node, as kube-scheduler says it (NodeResourcesFit's reasons, "Too many pods" and
 * "Insufficient <resource>", in FitError's "0/1 nodes are available: …" sentence with DefaultPreemption's verdict after
 * it; the local runtime has no pod priorities, so preemption never finds a victim); undefined when it fits.
 */
export function unschedulableReason(requests: Requests, allocated: Requests & { pods: number }, capacity: Capacity): string | undefined {
  const reasons: string[] = [];
  if (allocated.pods + 1 > capacity.pods) reasons.push('Too many pods');
  if (requests.cpu > 0 && allocated.cpu + requests.cpu > capacity.cpu + 1e-9) reasons.push('Insufficient cpu');
  if (requests.memory > 0 && allocated.memory + requests.memory > capacity.memory) reasons.push('Insufficient memory');
  if (reasons.length === 0) return undefined;
  const counted = reasons.sort().map((reason) => `1 ${reason}`).join(', ');
  return `0/1 nodes are available: ${counted}. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.`;
}

/**
 * The local cluster's one node and its scheduler: binds pods while their requests fit what is left, keeps the others
 * Pending in the order they came (the scheduling queue), and binds them as room frees up. A pending pod that does not
 * fit never holds back a later one that does: the scheduler tries each.
 */
export class Scheduler<Pod extends Schedulable> {
  private readonly bound = new Set<Pod>();
  /** In the order they came (a Set keeps insertion order). */
  private readonly pending = new Set<Pod>();
  /** Why each pending pod is pending, as its PodScheduled condition says. */
  private readonly reasons = new Map<Pod, string>();

  constructor(
    readonly capacity: Capacity,
    /** Called for each pod as it is bound to the node. */
    private readonly onBound: (pod: Pod) => void,
  ) {}

  /** Binds the pod if it fits, else queues it. (A new pod takes room, never frees it: the others need no new try.) */
  add(pod: Pod): void {
    this.pending.add(pod);
    this.schedule(pod, this.allocated());
  }

  /** The pod is gone (deleted, or stopped for good): its requests are free for the pods still pending. */
  remove(pod: Pod): void {
    this.pending.delete(pod);
    this.reasons.delete(pod);
    if (this.bound.delete(pod)) this.schedulePending();
  }

  isBound(pod: Pod): boolean {
    return this.bound.has(pod);
  }

  /** Why the pod is Pending; undefined once bound. */
  reason(pod: Pod): string | undefined {
    return this.reasons.get(pod);
  }

  /** What the bound pods request, and how many they are. */
  allocated(): Requests & { pods: number } {
    const total = { cpu: 0, memory: 0, pods: this.bound.size };
    for (const pod of this.bound) {
      total.cpu += pod.requests.cpu;
      total.memory += pod.requests.memory;
    }
    return total;
  }

  private schedulePending(): void {
    const allocated = this.allocated();
    for (const pod of [...this.pending]) this.schedule(pod, allocated);
  }

  /** Binds the pending pod if it fits what `allocated` leaves (updated in place), else records why not. */
  private schedule(pod: Pod, allocated: Requests & { pods: number }): void {
    const reason = unschedulableReason(pod.requests, allocated, this.capacity);
    if (reason) {
      this.reasons.set(pod, reason);
      return;
    }
    this.pending.delete(pod);
    this.reasons.delete(pod);
    this.bound.add(pod);
    allocated.pods++;
    allocated.cpu += pod.requests.cpu;
    allocated.memory += pod.requests.memory;
    this.onBound(pod);
  }
}
