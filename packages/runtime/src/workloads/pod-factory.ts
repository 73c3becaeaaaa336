import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ManifestError, namespaceOf, type WorkloadManifest } from '../api/manifests.js';
import type { Pod, SourceIdentity } from '../k8s/identity.js';
import type { ServiceRegistry, ServiceTarget } from '../k8s/service-registry.js';
import { COMPILE_CACHE_DIR } from '../lib/paths.js';
import type { Sidecar } from '../proxy/sidecar.js';
import type { ServicePackage } from './images.js';
import { containerEnv } from './pod-env.js';
import { PodProcess } from './pod-process.js';

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
  /** Whether every workload behind a Service is one the runtime does not run (MongoDB). */
  notRunLocally: (target: ServiceTarget) => boolean;
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
const URL_HOST = /^[a-z][a-z\d+.-]*:\/\/(?:[^@/]*@)?([^/:?#]+(?::\d+)?)/i;

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

  /** Starts one pod of `workload`; resolves once it is ready and in its Services' endpoints. */
  async start(workload: WorkloadManifest, found: ServicePackage): Promise<RunningPod> {
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
    const sidecar = this.options.newSidecar(pod);
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
    this.options.registry.addPod(pod);
    try {
      await process.start();
    } catch (error) {
      await process.stop();
      this.options.registry.removePod(pod);
      await sidecar.close();
      throw error;
    }
    return { pod, process, sidecar };
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
      const target = host ? this.options.registry.resolveHost(host, pod.namespace) : undefined;
      if (target && this.options.notRunLocally(target)) {
        delete result[name];
        const note = `${name} points at ${target.fqdn}, which is not run locally; leaving it unset`;
        if (!this.reported.has(note)) this.options.report(note);
        this.reported.add(note);
      }
    }
    return result;
  }
}

function inherited(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) if (process.env[name] !== undefined) env[name] = process.env[name]!;
  return env;
}
