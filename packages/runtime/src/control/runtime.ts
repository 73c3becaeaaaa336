import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { AccessLog } from './access-log.js';
import { HopRecorder } from './hop-recorder.js';
import { TopologyRecorder } from './topology.js';
import { TraceStore } from './tracing/store.js';
import { Cluster, matchesLabels, type Pod } from './cluster.js';
import { packageForImage, type ServicePackage } from './images.js';
import { MeshConfig, type IstioObject } from './istio/mesh-config.js';
import {
  ManifestError,
  namespaceOf,
  RESOURCE_NAMES,
  type IstioManifests,
  type Manifest,
  type NamespaceManifest,
  type WorkloadManifest,
} from './manifests.js';
import { MeshMetrics } from './metrics.js';
import { containerEnv } from './pod-env.js';
import { PodProcess } from './pod-process.js';
import { COMPILE_CACHE_DIR } from './paths.js';
import { Router, type IngressIdentity, type SourceIdentity } from './router.js';
import { Sidecar } from './sidecar.js';

export interface RuntimeOptions {
  /** Where service packages live: services/<name>. */
  servicesDir: string;
  /** Logs, the access log and workload data (the embedded users store). */
  stateDir: string;
  accessLogPath: string;
  /** Tells the user what happens: restarts, workloads not run locally, dropped settings. */
  report: (message: string) => void;
  /** Replaces MONGO_URL for workloads, for someone with a MongoDB of their own. */
  mongoUrl?: string | undefined;
  /** Set in every pod after the manifest's own env, e.g. LATENCY_MS=0 for benchmarks. */
  extraEnv?: Record<string, string>;
}

export interface RunningPod {
  pod: Pod;
  process: PodProcess;
  sidecar: Sidecar;
}

const LOOPBACK = '127.0.0.1';
/** Environment a container may see from the machine, as a container would have its image's PATH and HOME. */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'TZ', 'SYSTEMROOT'];
const URL_HOST = /^[a-z][a-z\d+.-]*:\/\/(?:[^@/]*@)?([^/:?#]+(?::\d+)?)/i;
/** Namespaces a cluster has before anything is applied. */
const BUILT_IN_NAMESPACES = ['default', 'istio-system'];
/** Objects are applied in this order, so that what a pod needs (its Service, its env's targets) exists first. */
const APPLY_ORDER: Manifest['kind'][] = [
  'Namespace',
  'ServiceAccount',
  'Service',
  'StatefulSet',
  'Deployment',
  'Gateway',
  'DestinationRule',
  'VirtualService',
  'AuthorizationPolicy',
  'PeerAuthentication',
];

const keyOf = (m: Manifest) => `${m.kind}/${m.kind === 'Namespace' ? '' : namespaceOf(m)}/${m.metadata.name}`;
const isWorkload = (m: Manifest): m is WorkloadManifest => m.kind === 'Deployment' || m.kind === 'StatefulSet';
const isIstio = (m: Manifest): m is IstioManifests =>
  ['VirtualService', 'DestinationRule', 'Gateway', 'AuthorizationPolicy', 'PeerAuthentication'].includes(m.kind);

/**
 * The local stand-in for a cluster: holds the applied objects, runs each replica of our images as a child process
 * with its own sidecar, and routes every hop through those sidecars by the Istio objects in force. Apply and delete
 * are idempotent and run one at a time.
 */
export class Runtime {
  readonly cluster = new Cluster();
  readonly router = new Router(this.cluster);
  readonly accessLog: AccessLog;
  readonly metrics = new MeshMetrics();
  readonly traces = new TraceStore();
  readonly topology = new TopologyRecorder();
  private readonly hops: HopRecorder;
  private readonly objects = new Map<string, Manifest>();
  private readonly running = new Map<string, RunningPod[]>();
  /** Workloads whose image is not ours (MongoDB): known, so their Services resolve, but not run. */
  private readonly foreign = new Set<string>();
  /** Dropped settings already reported, so each is said once rather than once per pod. */
  private readonly reported = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  /**
   * Set for every pod over the manifest's env: where traces go (the runtime's own collector instead of the cluster's
   * Jaeger) and the viewer the mall links to.
   */
  private telemetryEnv: Record<string, string> = {};

  constructor(private readonly options: RuntimeOptions) {
    this.accessLog = new AccessLog(options.accessLogPath);
    this.hops = new HopRecorder(this.accessLog, this.metrics, this.topology, this.traces);
  }

  /** Points every pod started from now on at the runtime's collector and viewer. */
  useTelemetry(collectorUrl: string, viewerUrl: string): void {
    this.telemetryEnv = {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      // Traces show up in the viewer a moment after the page, not five seconds later.
      OTEL_BSP_SCHEDULE_DELAY: '200',
      TRACE_UI_URL: viewerUrl,
    };
  }

  /** A proxy for a caller that is not a pod, such as the ingress gateway. */
  sidecarFor(identity: SourceIdentity, ingress?: IngressIdentity): Sidecar {
    return new Sidecar({ identity, router: this.router, hops: this.hops, ...(ingress ? { ingress } : {}) });
  }

  /** kubectl apply: creates or updates each object; prints one line per object, as kubectl does. */
  apply(manifests: Manifest[]): Promise<string[]> {
    return this.serially(() => this.applyNow(manifests));
  }

  /** kubectl delete: removes each object (a Namespace with everything in it). */
  delete(manifests: Manifest[]): Promise<string[]> {
    return this.serially(() => this.deleteNow(manifests));
  }

  list(): Manifest[] {
    return [...this.objects.values()];
  }

  pods(): { pod: Pod; pid: number | undefined; restarts: number; sidecarPort: number | undefined }[] {
    return [...this.running.values()]
      .flat()
      .map(({ pod, process, sidecar }) => ({ pod, pid: process.pid, restarts: process.restartCount, sidecarPort: sidecar.port }));
  }

  /** Stops every pod (SIGTERM, drain) and every sidecar. */
  async stop(): Promise<void> {
    await this.queue.catch(() => undefined);
    const all = [...this.running.values()].flat();
    this.running.clear();
    await this.stopPods(all);
    this.accessLog.close();
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async applyNow(manifests: Manifest[]): Promise<string[]> {
    const batch = [...manifests].sort((a, b) => APPLY_ORDER.indexOf(a.kind) - APPLY_ORDER.indexOf(b.kind));
    this.checkNamespaces(batch);
    const istio = this.istioWith(batch.filter(isIstio), []);
    const errors = MeshConfig.validate(istio.virtualServices);
    if (errors.length > 0) throw new ManifestError(errors.join('\n'));

    const results: string[] = [];
    const rollouts: Promise<void>[] = [];
    for (const manifest of batch) {
      const key = keyOf(manifest);
      const previous = this.objects.get(key);
      const verdict = !previous ? 'created' : isDeepStrictEqual(previous, manifest) ? 'unchanged' : 'configured';
      results.push(`${RESOURCE_NAMES[manifest.kind]}/${manifest.metadata.name} ${verdict}`);
      if (verdict === 'unchanged') continue;
      this.objects.set(key, manifest);
      if (manifest.kind === 'Service') this.cluster.putService(manifest);
      if (isWorkload(manifest)) rollouts.push(this.rollOut(manifest, previous as WorkloadManifest | undefined));
    }
    const failures = (await Promise.allSettled(rollouts)).flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    this.router.configure(istio);
    if (failures.length > 0) throw new ManifestError(`rollout failed:\n${failures.join('\n')}`);
    return results;
  }

  private async deleteNow(manifests: Manifest[]): Promise<string[]> {
    const results: string[] = [];
    const removed: Manifest[] = [];
    for (const manifest of manifests) {
      const targets = manifest.kind === 'Namespace' ? [...this.objects.values()].filter((o) => o.kind !== 'Namespace' && namespaceOf(o) === manifest.metadata.name) : [];
      const stored = this.objects.get(keyOf(manifest));
      if (!stored) {
        results.push(`${RESOURCE_NAMES[manifest.kind]}/${manifest.metadata.name} not found`);
        continue;
      }
      for (const object of [...targets, stored]) {
        this.objects.delete(keyOf(object));
        removed.push(object);
      }
      results.push(`${RESOURCE_NAMES[manifest.kind]}/${manifest.metadata.name} deleted`);
    }
    this.router.configure(this.istioWith([], removed.filter(isIstio)));
    await Promise.all(
      removed.filter(isWorkload).map(async (workload) => {
        const key = Cluster.key(namespaceOf(workload), workload.metadata.name);
        const pods = this.running.get(key) ?? [];
        this.running.delete(key);
        this.foreign.delete(key);
        await this.stopPods(pods);
      }),
    );
    for (const service of removed) if (service.kind === 'Service') this.cluster.services.delete(Cluster.key(namespaceOf(service), service.metadata.name));
    return results;
  }

  /** As the API server does: an object may only go into a namespace that exists (or comes in the same apply). */
  private checkNamespaces(batch: Manifest[]): void {
    const known = new Set([...BUILT_IN_NAMESPACES, ...[...this.objects.values(), ...batch].filter((m): m is NamespaceManifest => m.kind === 'Namespace').map((m) => m.metadata.name)]);
    for (const manifest of batch) {
      if (manifest.kind !== 'Namespace' && !known.has(namespaceOf(manifest))) {
        throw new ManifestError(`${RESOURCE_NAMES[manifest.kind]}/${manifest.metadata.name}: namespace "${namespaceOf(manifest)}" not found (apply its Namespace first)`);
      }
    }
  }

  /** The Istio configuration the stored objects would make with `added` put in and `removed` taken out. */
  private istioWith(added: IstioManifests[], removed: IstioManifests[]): MeshConfig {
    const byKey = new Map<string, IstioManifests>();
    for (const object of this.objects.values()) if (isIstio(object)) byKey.set(keyOf(object), object);
    for (const object of added) byKey.set(keyOf(object), object);
    for (const object of removed) byKey.delete(keyOf(object));
    const all = [...byKey.values()];
    const of = <K extends IstioManifests['kind']>(kind: K) =>
      all
        .filter((m): m is Extract<IstioManifests, { kind: K }> => m.kind === kind)
        .map((m) => ({ namespace: namespaceOf(m), name: m.metadata.name, spec: m.spec }) as IstioObject<Extract<IstioManifests, { kind: K }>['spec']>);
    return new MeshConfig(of('VirtualService'), of('DestinationRule'), of('Gateway'), of('AuthorizationPolicy'));
  }

  /**
   * Brings a workload's pods in line with its manifest. A changed pod template is rolled out as a Deployment's
   * rolling update would: the new pods start and pass readiness, then the old ones leave the endpoints and drain.
   * If the new pods never get ready, they are stopped and the old ones keep serving.
   */
  private async rollOut(workload: WorkloadManifest, previous: WorkloadManifest | undefined): Promise<void> {
    const namespace = namespaceOf(workload);
    const key = Cluster.key(namespace, workload.metadata.name);
    const image = workload.spec.template.spec.containers[0]!.image;
    // Decided before the first await, so pods started by the same apply already know what is not run here.
    const found = packageForImage(image, this.options.servicesDir);
    const old = this.running.get(key) ?? [];
    if (!found) {
      if (!this.foreign.has(key)) this.options.report(`${key}: image ${image} is not a mesh-mall image; not run locally`);
      this.foreign.add(key);
      this.running.delete(key);
      await this.stopPods(old);
      return;
    }
    this.foreign.delete(key);
    const sameTemplate = previous !== undefined && isDeepStrictEqual(previous.spec.template, workload.spec.template) && old.length > 0;
    if (sameTemplate) {
      // Only the replica count changed: scale.
      const extra = old.slice(workload.spec.replicas);
      const added = await this.startPods(workload, found, Math.max(0, workload.spec.replicas - old.length));
      this.running.set(key, [...old.slice(0, workload.spec.replicas), ...added]);
      await this.stopPods(extra);
      return;
    }
    const fresh = await this.startPods(workload, found, workload.spec.replicas);
    this.running.set(key, fresh);
    await this.stopPods(old);
  }

  private async startPods(workload: WorkloadManifest, found: ServicePackage, count: number): Promise<RunningPod[]> {
    const started = await Promise.allSettled(Array.from({ length: count }, () => this.startPod(workload, found)));
    const pods = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await this.stopPods(pods);
      throw failed.reason;
    }
    return pods;
  }

  private async startPod(workload: WorkloadManifest, found: ServicePackage): Promise<RunningPod> {
    const namespace = namespaceOf(workload);
    const template = workload.spec.template;
    const container = template.spec.containers[0]!;
    const pod: Pod = {
      name: `${workload.metadata.name}-${randomBytes(3).toString('hex')}`,
      namespace,
      workload: workload.metadata.name,
      labels: template.metadata.labels,
      serviceAccount: template.spec.serviceAccountName ?? 'default',
      ready: false,
    };
    const sidecar = this.sidecarFor(pod);
    const sidecarPort = await sidecar.listen(0, LOOPBACK);
    let env: Record<string, string>;
    try {
      env = {
        ...inherited(),
        ...this.localizeEnv(containerEnv(container, { ...pod, ip: LOOPBACK }), pod),
        ...this.telemetryEnv,
        ...this.options.extraEnv,
        PORT: '0',
        HOST: LOOPBACK,
        MESH_OUTBOUND_URL: `http://${LOOPBACK}:${sidecarPort}`,
        DATA_DIR: join(this.options.stateDir, 'data', namespace, workload.metadata.name),
        // Compiled code is cached across pod starts: restarts, rollouts and every later `up` start faster.
        NODE_COMPILE_CACHE: COMPILE_CACHE_DIR,
      };
    } catch (error) {
      await sidecar.close();
      throw new ManifestError(`${namespace}/${workload.metadata.name}: ${(error as Error).message}`);
    }
    const process = new PodProcess({
      pod,
      entry: found.entry,
      cwd: found.directory,
      env,
      readinessPath: container.readinessProbe?.httpGet?.path ?? '/readyz',
      graceMs: (template.spec.terminationGracePeriodSeconds ?? 30) * 1000,
      logFile: join(this.options.stateDir, 'logs', namespace, `${pod.name}.log`),
      report: this.options.report,
    });
    this.cluster.addPod(pod);
    try {
      await process.start();
    } catch (error) {
      await process.stop();
      this.cluster.removePod(pod);
      await sidecar.close();
      throw error;
    }
    return { pod, process, sidecar };
  }

  private async stopPods(pods: RunningPod[]): Promise<void> {
    // Out of the endpoints first, so no new request picks them while they drain.
    for (const { pod } of pods) pod.ready = false;
    await Promise.all(
      pods.map(async ({ process, sidecar, pod }) => {
        await process.stop();
        this.cluster.removePod(pod);
        await sidecar.close();
      }),
    );
  }

  /**
   * Settings that point at something not run here would only fail: a URL to a Service backed by a foreign workload
   * (MONGO_URL → MongoDB) is dropped, so the service falls back to what it can do alone (users' embedded store),
   * unless the user gave a MongoDB of their own.
   */
  private localizeEnv(env: Record<string, string>, pod: Pod): Record<string, string> {
    const result = { ...env };
    for (const [name, value] of Object.entries(env)) {
      if (name === 'MONGO_URL' && this.options.mongoUrl) {
        result[name] = this.options.mongoUrl;
        continue;
      }
      const host = URL_HOST.exec(value)?.[1];
      const target = host ? this.cluster.resolveHost(host, pod.namespace) : undefined;
      if (target && this.backedOnlyByForeign(target.namespace, target.service.spec.selector)) {
        delete result[name];
        const note = `${name} points at ${target.fqdn}, which is not run locally; leaving it unset`;
        if (!this.reported.has(note)) this.options.report(note);
        this.reported.add(note);
      }
    }
    return result;
  }

  private backedOnlyByForeign(namespace: string, selector: Record<string, string> | undefined): boolean {
    if (!selector) return false;
    let any = false;
    for (const object of this.objects.values()) {
      if (!isWorkload(object) || namespaceOf(object) !== namespace || !matchesLabels(object.spec.template.metadata.labels, selector)) continue;
      if (!this.foreign.has(Cluster.key(namespace, object.metadata.name))) return false;
      any = true;
    }
    return any;
  }
}

function inherited(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) if (process.env[name] !== undefined) env[name] = process.env[name]!;
  return env;
}
