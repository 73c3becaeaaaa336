import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AccessLog } from './access-log.js';
import { Cluster, matchesLabels, type Pod } from './cluster.js';
import { packageForImage, type ServicePackage } from './images.js';
import { namespaceOf, type Manifest, type WorkloadManifest } from './manifests.js';
import { containerEnv } from './pod-env.js';
import { PodProcess } from './pod-process.js';
import { Router, type SourceIdentity } from './router.js';
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
}

interface RunningPod {
  pod: Pod;
  process: PodProcess;
  sidecar: Sidecar;
}

const LOOPBACK = '127.0.0.1';
/** Environment a container may see from the machine, as a container would have its image's PATH and HOME. */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'TZ', 'SYSTEMROOT'];
const URL_HOST = /^[a-z][a-z\d+.-]*:\/\/(?:[^@/]*@)?([^/:?#]+(?::\d+)?)/i;

/**
 * The local stand-in for a cluster: holds the applied objects, runs each replica of our images as a child process
 * with its own sidecar, and routes every hop through those sidecars.
 */
export class Runtime {
  readonly cluster = new Cluster();
  readonly router = new Router(this.cluster);
  readonly accessLog: AccessLog;
  private readonly running = new Map<string, RunningPod[]>();
  /** Workloads whose image is not ours (MongoDB): known, so their Services resolve, but not run. */
  private readonly foreign = new Set<string>();

  constructor(private readonly options: RuntimeOptions) {
    this.accessLog = new AccessLog(options.accessLogPath);
  }

  /** A sidecar for a caller that is not a pod, such as the ingress gateway. */
  sidecarFor(identity: SourceIdentity, fixedAuthority?: string): Sidecar {
    return new Sidecar({ identity, router: this.router, accessLog: this.accessLog, fixedAuthority });
  }

  /** Records every object, then starts the pods of each workload; resolves when all of them are ready. */
  async apply(manifests: Manifest[]): Promise<void> {
    const workloads: WorkloadManifest[] = [];
    for (const manifest of manifests) {
      if (manifest.kind === 'Service') this.cluster.putService(manifest);
      else if (manifest.kind === 'Deployment' || manifest.kind === 'StatefulSet') workloads.push(manifest);
    }
    const packages = new Map<WorkloadManifest, ServicePackage>();
    for (const workload of workloads) {
      const key = Cluster.key(namespaceOf(workload), workload.metadata.name);
      this.cluster.workloads.set(key, workload);
      const image = workload.spec.template.spec.containers[0]!.image;
      const found = await packageForImage(image, this.options.servicesDir);
      if (found) packages.set(workload, found);
      else {
        this.foreign.add(key);
        this.options.report(`${key}: image ${image} is not a mesh-mall image; not run locally`);
      }
    }
    await Promise.all([...packages].map(([workload, found]) => this.startWorkload(workload, found)));
  }

  /** Stops every pod (SIGTERM, drain) and every sidecar. */
  async stop(): Promise<void> {
    const all = [...this.running.values()].flat();
    this.running.clear();
    await Promise.all(all.map(async ({ process, sidecar, pod }) => {
      await process.stop();
      this.cluster.removePod(pod);
      await sidecar.close();
    }));
    this.accessLog.close();
  }

  pods(): { pod: Pod; pid: number | undefined; restarts: number; sidecarPort: number | undefined }[] {
    return [...this.running.values()]
      .flat()
      .map(({ pod, process, sidecar }) => ({ pod, pid: process.pid, restarts: process.restartCount, sidecarPort: sidecar.port }));
  }

  private async startWorkload(workload: WorkloadManifest, found: ServicePackage): Promise<void> {
    const namespace = namespaceOf(workload);
    const template = workload.spec.template;
    const container = template.spec.containers[0]!;
    const pods: RunningPod[] = [];
    this.running.set(Cluster.key(namespace, workload.metadata.name), pods);
    await Promise.all(
      Array.from({ length: workload.spec.replicas }, async () => {
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
        const env = {
          ...inherited(),
          ...this.localizeEnv(containerEnv(container, { ...pod, ip: LOOPBACK }), pod),
          PORT: '0',
          HOST: LOOPBACK,
          MESH_OUTBOUND_URL: `http://${LOOPBACK}:${sidecarPort}`,
          DATA_DIR: join(this.options.stateDir, 'data', namespace, workload.metadata.name),
        };
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
        pods.push({ pod, process, sidecar });
        this.cluster.addPod(pod);
        await process.start();
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
        this.options.report(`${pod.namespace}/${pod.workload}: ${name} points at ${target.fqdn}, which is not run locally; leaving it unset`);
      }
    }
    return result;
  }

  private backedOnlyByForeign(namespace: string, selector: Record<string, string> | undefined): boolean {
    if (!selector) return false;
    let any = false;
    for (const [key, workload] of this.cluster.workloads) {
      if (namespaceOf(workload) !== namespace || !matchesLabels(workload.spec.template.metadata.labels, selector)) continue;
      if (!this.foreign.has(key)) return false;
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
