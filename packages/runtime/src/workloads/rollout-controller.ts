import { isDeepStrictEqual } from 'node:util';
import { namespaceOf, type WorkloadManifest } from '../api/manifests.js';
import { packageForImage, type ServicePackage } from './images.js';
import type { PodFactory, RunningPod } from './pod-factory.js';

export interface RolloutOptions {
  /** Where service packages live: services/<name>. */
  servicesDir: string;
  report: (message: string) => void;
}

/**
 * The Deployment and StatefulSet controllers of the local cluster: keeps each workload's pods in line with its
 * manifest (scale, rolling update) and knows which workloads are not run here because their image is not ours.
 */
export class RolloutController {
  private readonly running = new Map<string, RunningPod[]>();
  /** Workloads whose image is not ours (MongoDB): known, so their Services resolve, but not run. */
  private readonly foreign = new Set<string>();

  constructor(
    private readonly pods: PodFactory,
    private readonly options: RolloutOptions,
  ) {}

  /** Every pod that runs, with its process and sidecar. */
  list(): RunningPod[] {
    return [...this.running.values()].flat();
  }

  /** Whether the workload `namespace/name` is known but not run locally (its image is not a mesh-mall image). */
  isForeign(namespace: string, name: string): boolean {
    return this.foreign.has(`${namespace}/${name}`);
  }

  /**
   * Brings a workload's pods in line with its manifest. A changed pod template is rolled out as a Deployment's
   * rolling update would: the new pods start and pass readiness, then the old ones leave the endpoints and drain.
   * If the new pods never get ready, they are stopped and the old ones keep serving.
   */
  async rollOut(workload: WorkloadManifest, previous: WorkloadManifest | undefined): Promise<void> {
    const key = `${namespaceOf(workload)}/${workload.metadata.name}`;
    const image = workload.spec.template.spec.containers[0]!.image;
    // Decided before the first await, so pods started by the same apply already know what is not run here.
    const found = packageForImage(image, this.options.servicesDir);
    const old = this.running.get(key) ?? [];
    if (!found) {
      if (!this.foreign.has(key)) this.options.report(`${key}: image ${image} is not a mesh-mall image; not run locally`);
      this.foreign.add(key);
      this.running.delete(key);
      await this.pods.stop(old);
      return;
    }
    this.foreign.delete(key);
    const sameTemplate = previous !== undefined && isDeepStrictEqual(previous.spec.template, workload.spec.template) && old.length > 0;
    if (sameTemplate) {
      // Only the replica count changed: scale.
      const extra = old.slice(workload.spec.replicas);
      const added = await this.startPods(workload, found, Math.max(0, workload.spec.replicas - old.length));
      this.running.set(key, [...old.slice(0, workload.spec.replicas), ...added]);
      await this.pods.stop(extra);
      return;
    }
    const fresh = await this.startPods(workload, found, workload.spec.replicas);
    this.running.set(key, fresh);
    await this.pods.stop(old);
  }

  /** The workload was deleted: its pods drain and stop. */
  async remove(workload: WorkloadManifest): Promise<void> {
    const key = `${namespaceOf(workload)}/${workload.metadata.name}`;
    const pods = this.running.get(key) ?? [];
    this.running.delete(key);
    this.foreign.delete(key);
    await this.pods.stop(pods);
  }

  /** Stops every pod (SIGTERM, drain). */
  async stopAll(): Promise<void> {
    const all = this.list();
    this.running.clear();
    await this.pods.stop(all);
  }

  private async startPods(workload: WorkloadManifest, found: ServicePackage, count: number): Promise<RunningPod[]> {
    const started = await Promise.allSettled(Array.from({ length: count }, () => this.pods.start(workload, found)));
    const pods = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await this.pods.stop(pods);
      throw failed.reason;
    }
    return pods;
  }
}
