import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ManifestError, namespaceOf, type WorkloadManifest } from '../api/manifests.js';
import type { Pod, SourceIdentity } from '../k8s/identity.js';
import type { ServiceRegistry, ServiceTarget } from '../k8s/service-registry.js';
import { memoryLimit } from '../api/resources.js';
import { COMPILE_CACHE_DIR } from '../lib/paths.js';
import type { Sidecar } from '../proxy/sidecar.js';
import type { ServicePackage } from './images.js';
import { localizeEnv } from './localize-env.js';
import { containerEnv, type SecretLookup } from './pod-env.js';
import { PodProcess } from './pod-process.js';
import type { StartSlots } from './start-slots.js';

export interface PodFactoryOptions {
  /** Pods go into the endpoints here; env URLs are resolved here. Services are the control plane's to change. */
  registry: Pick<ServiceRegistry, 'addPod' | 'removePod' | 'resolveHost'>;
  /** A new sidecar for a pod: its outbound proxy, which knows the pod as the caller. */
  newSidecar: (identity: SourceIdentity) => Sidecar;
  /** Logs and workload data (the embedded users store) go under it. */
  stateDir: string;
  /** Tells the user what happens: restarts, settings dropped. */
  report: (message: string) => void;
  /** Replaces MONGO_URL for workloads, for someone with a MongoDB of their own. */
  mongoUrl?: string | undefined;
  /** Set in every pod after the manifest's own env, e.g. LATENCY_MS=0 for benchmarks. */
  extraEnv?: Record<string, string> | undefined;
  /** The stored Secrets, read when a pod starts (secretKeyRef), as the kubelet reads them. */
  secrets: SecretLookup;
  /** Whether every workload behind a Service is one the runtime does not run (MongoDB). */
  notRunLocally: (target: ServiceTarget) => boolean;
  /** The kubelet's start slots: how many pod processes start at a time. */
  slots: StartSlots;
}

/** One replica as it runs here: its process and its sidecar. */
export interface RunningPod {
  pod: Pod;
  process: PodProcess;
  sidecar: Sidecar;
}

const LOOPBACK = '127.0.0.1';
/** Environment a container may see from the machine, as a container would have its image's PATH and HOME. */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'TZ', 'SYSTEMROOT'];

/**
 * The local kubelet: makes a pod of a workload's template (a name, its identity, its sidecar, its environment) and
 * runs it as a child process of its service package until it is ready; stops pods by leaving the endpoints first.
 */
export class PodFactory {
  /** Where traces go (the runtime's collector instead of the cluster's Jaeger) and the viewer the mall links to. */
  private telemetryEnv: Record<string, string> = {};
  /** Dropped settings already reported, so each is said once rather than once per pod. */
  private readonly reported = new Set<string>();

  constructor(private readonly options: PodFactoryOptions) {}

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

  /** A new pod of `workload`, not yet started: its name, identity and labels, as the ReplicaSet controller makes it. */
  newPod(workload: WorkloadManifest): Pod {
    const template = workload.spec.template;
    return {
      name: `${workload.metadata.name}-${randomBytes(3).toString('hex')}`,
      namespace: namespaceOf(workload),
      workload: workload.metadata.name,
      labels: template.metadata.labels,
      serviceAccount: template.spec.serviceAccountName ?? 'default',
      ready: false,
    };
  }

  /**
   * Runs `pod` (bound to the node): its sidecar, its environment, its process. Calls `created` with the pod's
   * process as soon as there is one (for `get pods`), and `readyAgain` each time it is ready after a restart;
   * resolves once it is ready and in its Services' endpoints.
   */
  async start(pod: Pod, workload: WorkloadManifest, found: ServicePackage, events: { created: (running: RunningPod) => void; readyAgain: () => void }): Promise<RunningPod> {
    const { namespace } = pod;
    const template = workload.spec.template;
    const container = template.spec.containers[0]!;
    const sidecar = this.options.newSidecar(pod);
    const sidecarPort = await sidecar.listen(0, LOOPBACK);
    let env: Record<string, string>;
    try {
      env = {
        ...inherited(),
        ...this.localEnv(containerEnv(container, { ...pod, ip: LOOPBACK }, this.options.secrets), pod),
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
      memoryLimit: memoryLimit(container.resources),
      slots: this.options.slots,
      readyAgain: events.readyAgain,
      report: this.options.report,
    });
    const running = { pod, process, sidecar };
    events.created(running);
    this.options.registry.addPod(pod);
    try {
      await process.start();
    } catch (error) {
      await process.stop();
      this.options.registry.removePod(pod);
      await sidecar.close();
      throw error;
    }
    return running;
  }

  /** Stops pods, each out of the endpoints before its SIGTERM (PodProcess.stop). */
  async stop(pods: readonly RunningPod[]): Promise<void> {
    await Promise.all(
      pods.map(async ({ process, sidecar, pod }) => {
        await process.stop();
        this.options.registry.removePod(pod);
        await sidecar.close();
      }),
    );
  }

  /** The environment with what points at workloads not run here dropped (localizeEnv); each drop said once. */
  private localEnv(env: Record<string, string>, pod: Pod): Record<string, string> {
    const localized = localizeEnv(env, {
      mongoUrl: this.options.mongoUrl,
      resolveHost: (host) => this.options.registry.resolveHost(host, pod.namespace),
      notRunLocally: this.options.notRunLocally,
    });
    for (const note of localized.notes.filter((n) => !this.reported.has(n))) {
      this.reported.add(note);
      this.options.report(note);
    }
    return localized.env;
  }
}

function inherited(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) if (process.env[name] !== undefined) env[name] = process.env[name]!;
  return env;
}
