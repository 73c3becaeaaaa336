import { namespaceOf, type WorkloadManifest } from '../api/manifests.js';
import { podRequests, type Requests } from '../api/resources.js';
import type { Pod } from '../k8s/identity.js';
import type { Capacity } from './capacity.js';
import { TokenBucket } from './api-rate-limit.js';
import { packageForImage, type ServicePackage } from './images.js';
import type { PodFactory, RunningPod } from './pod-factory.js';
import { deploymentPace, rollingStep, STATEFUL_SET_PACE, type RolloutPace } from './rollout-pace.js';
import { Scheduler } from './scheduler.js';

export interface RolloutOptions {
  /** Where service packages live: services/<name>. */
  servicesDir: string;
  /** What the local node offers pods. */
  capacity: Capacity;
  report: (message: string) => void;
  /** The clock of the controllers' API rate limit (tests pass their own). */
  now?: () => number;
}

/** One pod of a workload, from its creation (Pending) to its removal. */
export interface PodRecord {
  pod: Pod;
  /** The manifest it was made from; its template is the pod's revision. */
  workload: WorkloadManifest;
  revision: string;
  requests: Requests;
  /** Its process and sidecar, once the kubelet has made them. */
  running?: RunningPod;
  /** Settles when the start the kubelet began has ended, ready or not. */
  starting?: Promise<void>;
  /** Why its start failed. */
  failed?: Error;
  removed: boolean;
}

/** A pod as `get pods` shows it. */
export interface PodView {
  record: PodRecord;
  /** Pending's reason: the scheduler's message. */
  unschedulable: string | undefined;
}

/** pkg/controller/replicaset: the most pods one sync creates. */
const BURST_REPLICAS = 500;

/** The pod template's identity, whatever order its keys came in (as the pod-template-hash is). */
const revisionOf = (workload: WorkloadManifest) => canonical(workload.spec.template);

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The Deployment and StatefulSet controllers of the local cluster, with its scheduler: keeps each workload's pods in
 * line with its manifest. New pods are placed by their requests (scheduler.ts) or left Pending; the kubelet starts
 * the bound ones a few at a time (StartSlots). A changed template is rolled out at the pace of maxSurge and
 * maxUnavailable; a scale-down removes Pending pods first, then those not ready, then the newest (ActivePods' order).
 * Workloads whose image is not ours (MongoDB) are known, so their Services resolve, but not run.
 */
export class RolloutController {
  private readonly pods = new Map<string, PodRecord[]>();
  private readonly foreign = new Set<string>();
  /** The manifest in force for each workload run here. */
  private readonly desired = new Map<string, WorkloadManifest>();
  /** Workloads whose last pods of the current template did not start (a missing Secret…): retried on request only. */
  private readonly failing = new Set<string>();
  /** One reconcile at a time per workload. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly scheduler: Scheduler<PodRecord>;
  /** Set by stopAll: no reconcile makes pods any more. */
  private stopped = false;
  /** Each controller's API client (the ReplicaSet controller's for Deployments, the StatefulSet controller's). */
  private readonly apiClients: Record<WorkloadManifest['kind'], TokenBucket>;
  /** Workloads waiting for their controller's next API token to make more pods, with the timer that resumes them. */
  private readonly waitingForApi = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly factory: PodFactory,
    private readonly options: RolloutOptions,
  ) {
    this.scheduler = new Scheduler<PodRecord>(options.capacity, (record) => this.launch(record));
    this.apiClients = { Deployment: new TokenBucket(undefined, undefined, options.now), StatefulSet: new TokenBucket(undefined, undefined, options.now) };
  }

  /** Every pod, Pending ones included. */
  list(): PodView[] {
    return [...this.pods.values()].flat().map((record) => ({ record, unschedulable: this.scheduler.reason(record) }));
  }

  /** Whether the workload `namespace/name` is known but not run locally (its image is not a mesh-mall image). */
  isForeign(namespace: string, name: string): boolean {
    return this.foreign.has(`${namespace}/${name}`);
  }

  /** Starts again what the last rollout of `workload` could not, if anything. */
  async retry(workload: WorkloadManifest): Promise<void> {
    if (this.failing.has(keyOf(workload))) await this.rollOut(workload);
  }

  /**
   * Brings a workload's pods in line with its manifest; resolves when the rollout is done or can go no further until
   * room frees up on the node (its new pods Pending). If new pods fail to start, they are removed and the old ones
   * keep serving; the error says why.
   */
  rollOut(workload: WorkloadManifest): Promise<void> {
    const key = keyOf(workload);
    const image = workload.spec.template.spec.containers[0]!.image;
    const found = packageForImage(image, this.options.servicesDir);
    if (!found) {
      // Decided before the first await, so pods started by the same apply already know what is not run here.
      if (!this.foreign.has(key)) this.options.report(`${key}: image ${image} is not a mesh-mall image; not run locally`);
      this.foreign.add(key);
      this.desired.delete(key);
    } else {
      this.foreign.delete(key);
      this.desired.set(key, workload);
    }
    this.failing.delete(key);
    return this.serially(key, () => (found ? this.reconcile(key, workload) : this.removeAll(key)));
  }

  /** The workload was deleted: its pods drain and stop. */
  async remove(workload: WorkloadManifest): Promise<void> {
    const key = keyOf(workload);
    this.foreign.delete(key);
    this.failing.delete(key);
    this.desired.delete(key);
    await this.serially(key, () => this.removeAll(key));
  }

  /** Stops every pod (SIGTERM, drain); a reconcile under way stops making pods. */
  async stopAll(): Promise<void> {
    this.stopped = true;
    this.desired.clear();
    for (const timer of this.waitingForApi.values()) clearTimeout(timer);
    this.waitingForApi.clear();
    await Promise.all([...this.pods.keys()].map((key) => this.serially(key, () => this.removeAll(key))));
  }

  private serially(key: string, work: () => Promise<void>): Promise<void> {
    const result = (this.queues.get(key) ?? Promise.resolve()).then(work);
    this.queues.set(key, result.catch(() => undefined));
    return result;
  }

  private async reconcile(key: string, workload: WorkloadManifest): Promise<void> {
    const revision = revisionOf(workload);
    const { replicas } = workload.spec;
    const pace: RolloutPace = workload.kind === 'StatefulSet' ? STATEFUL_SET_PACE : deploymentPace(workload.spec.strategy, replicas);
    const recreate = workload.kind === 'Deployment' && workload.spec.strategy?.type === 'Recreate';
    for (;;) {
      // Deleted, stopped, or superseded by a newer manifest: its own reconcile takes over.
      if (this.stopped || this.desired.get(key) !== workload) return;
      const all = this.pods.get(key) ?? [];
      const failed = all.filter((r) => r.revision === revision && r.failed);
      if (failed.length > 0) {
        // The new pods that are not ready go; those that are, and the old ones left, keep serving.
        await this.removePods(key, all.filter((r) => r.revision === revision && !r.pod.ready));
        this.failing.add(key);
        throw failed[0]!.failed!;
      }
      const current = all.filter((r) => r.revision === revision);
      const old = all.filter((r) => r.revision !== revision);
      const ready = (records: PodRecord[]) => records.filter((r) => r.pod.ready).length;
      if (old.length === 0) {
        if (current.length > replicas) await this.removePods(key, byDeletionOrder(current).slice(0, current.length - replicas));
        // A StatefulSet (OrderedReady) creates its next pod once every earlier one is running and ready.
        const wanted = workload.kind === 'StatefulSet' ? (ready(current) === current.length ? 1 : 0) : replicas - current.length;
        this.create(key, workload, revision, Math.min(wanted, replicas - current.length));
      } else if (recreate) {
        await this.removePods(key, old);
        continue;
      } else {
        // Scaled down mid-rollout: the new revision too (reconcileNewReplicaSet).
        if (current.length > replicas) {
          await this.removePods(key, byDeletionOrder(current).slice(0, current.length - replicas));
          continue;
        }
        const step = rollingStep(pace, replicas, { total: current.length, ready: ready(current) }, { total: old.length, ready: ready(old) });
        this.create(key, workload, revision, step.create);
        const ranked = byDeletionOrder(old);
        const unready = ranked.filter((r) => !r.pod.ready).slice(0, step.removeUnready);
        const readyOnes = ranked.filter((r) => r.pod.ready).slice(0, step.removeReady);
        // Old pods gone make room for the next step (with no surge, the next new pod): go on at once.
        if (unready.length + readyOnes.length > 0) {
          await this.removePods(key, [...unready, ...readyOnes]);
          continue;
        }
      }
      const now = this.pods.get(key) ?? [];
      if (now.every((r) => r.revision === revision && r.pod.ready) && now.length === replicas) return;
      const starting = now.flatMap((r) => (r.starting ? [r.starting] : []));
      // Nothing starting: what is left waits for room on the node (Pending), and resumes as it gets it.
      if (starting.length === 0) return;
      await Promise.race(starting);
    }
  }

  /**
   * Makes `count` new pods, at most BURST_REPLICAS of them Pending at once (the ReplicaSet controller's burstReplicas):
   * more are made as these get bound, so a typo like `replicas: 500000` holds 500 pod objects, not half a million.
   * Each create spends a token of the controller's API client (api-rate-limit.ts); when they run out, the workload
   * goes on at the next token. The ReplicaSet controller's slowStartBatch (batches of 1, 2, 4, …) is not modelled: it
   * only differs from this when a create call fails (an admission refusal stops the batches that follow), and the
   * local API server's pod creation cannot fail.
   */
  private create(key: string, workload: WorkloadManifest, revision: string, count: number): void {
    if (this.stopped) return;
    const pending = (this.pods.get(key) ?? []).filter((r) => !r.starting && !r.running && !r.removed).length;
    const wanted = Math.min(count, BURST_REPLICAS - pending);
    const granted = this.apiClients[workload.kind].take(wanted);
    // Out of API tokens: the workload goes on when its controller's client has the next one.
    if (granted < wanted && !this.waitingForApi.has(key)) {
      const resume = setTimeout(() => {
        this.waitingForApi.delete(key);
        this.kick(key);
      }, this.apiClients[workload.kind].untilNext());
      this.waitingForApi.set(key, resume.unref());
    }
    for (let i = 0; i < granted; i++) {
      const record: PodRecord = {
        pod: this.factory.newPod(workload),
        workload,
        revision,
        requests: podRequests(workload.spec.template.spec.containers),
        removed: false,
      };
      this.pods.set(key, [...(this.pods.get(key) ?? []), record]);
      this.scheduler.add(record);
    }
  }

  /** The kubelet's part, once the pod is bound to the node: start it, and go on with its rollout once it is ready. */
  private launch(record: PodRecord): void {
    const key = keyOf(record.workload);
    const found = packageForImage(record.workload.spec.template.spec.containers[0]!.image, this.options.servicesDir)!;
    record.starting = this.factory
      .start(record.pod, record.workload, found, {
        created: (running) => (record.running = running),
        // A pod ready again after a crash may let its rollout (or a StatefulSet's next pod) go on.
        readyAgain: () => this.kick(key),
      })
      .then(
        async (running) => {
          if (record.removed) await this.factory.stop([running]);
        },
        (error: Error) => {
          // The failed start has already stopped its process and closed its sidecar.
          delete record.running;
          if (!record.removed) record.failed = error;
        },
      )
      .finally(() => {
        record.starting = undefined;
        // A pod bound after its rollout stopped waiting (room freed up) carries the rollout on.
        if (!record.removed) this.kick(key);
      });
  }

  /** Reconciles the workload in the background, unless its last rollout failed (then only apply retries it). */
  private kick(key: string): void {
    this.serially(key, async () => {
      const workload = this.desired.get(key);
      if (workload && !this.failing.has(key)) await this.reconcile(key, workload);
    }).catch((error: Error) => this.options.report(error.message));
  }

  private removeAll(key: string): Promise<void> {
    return this.removePods(key, this.pods.get(key) ?? []);
  }

  /** Pending pods leave the queue; bound ones stop (out of the endpoints, SIGTERM, drain) and then free their room. */
  private async removePods(key: string, records: readonly PodRecord[]): Promise<void> {
    const gone = new Set(records);
    const left = (this.pods.get(key) ?? []).filter((r) => !gone.has(r));
    if (left.length > 0) this.pods.set(key, left);
    else this.pods.delete(key);
    for (const record of records) record.removed = true;
    for (const record of records.filter((r) => !this.scheduler.isBound(r))) this.scheduler.remove(record);
    await Promise.all(
      records
        .filter((r) => this.scheduler.isBound(r))
        .map(async (record) => {
          // A pod still starting is stopped through its start, which cleans up after itself; a started one here.
          if (record.starting) {
            await record.running?.process.stop();
            await record.starting;
          } else if (record.running) {
            await this.factory.stop([record.running]);
          }
          this.scheduler.remove(record);
        }),
    );
  }
}

function keyOf(workload: WorkloadManifest): string {
  return `${namespaceOf(workload)}/${workload.metadata.name}`;
}

/**
 * Which pods a scale-down removes first (controller.ActivePods' Less): not yet bound (Pending), then not ready, then
 * the newest.
 */
function byDeletionOrder(records: readonly PodRecord[]): PodRecord[] {
  const rank = (r: PodRecord) => (r.running === undefined && r.starting === undefined ? 0 : r.pod.ready ? 2 : 1);
  return records
    .map((record, index) => ({ record, index }))
    .sort((a, b) => rank(a.record) - rank(b.record) || b.index - a.index)
    .map(({ record }) => record);
}
