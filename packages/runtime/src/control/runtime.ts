import { secretNames } from '../api/container-env.js';
import { isIstio, isWorkload, ManifestError, namespaceOf, objectKey, resourceName, type Manifest } from '../api/manifests.js';
import type { Pod, SourceIdentity } from '../k8s/identity.js';
import { matchesLabels } from '../k8s/labels.js';
import { ServiceRegistry, type ServiceTarget } from '../k8s/service-registry.js';
import type { IngressIdentity, IngressRoutes, SidecarRoutes } from '../istio/compile.js';
import { INGRESS_GATEWAY } from '../istio/ingress-gateway.js';
import { MeshConfig } from '../istio/mesh-config.js';
import { validateMeshConfig } from '../istio/validate.js';
import { Router } from '../proxy/router.js';
import { Sidecar } from '../proxy/sidecar.js';
import type { MeshTelemetry } from '../telemetry/mesh-telemetry.js';
import { PodFactory } from '../workloads/pod-factory.js';
import type { Capacity } from '../workloads/capacity.js';
import { RolloutController } from '../workloads/rollout-controller.js';
import { StartSlots } from '../workloads/start-slots.js';
import { podStatus, type PodStatus } from './pod-status.js';
import { ObjectStore } from './object-store.js';
import { GatewayProxies, type GatewayListener } from './gateway-proxies.js';

export interface RuntimeOptions {
  /** Where service packages live: services/<name>. */
  servicesDir: string;
  /** Logs and workload data (the embedded users store). */
  stateDir: string;
  /** Where the proxies report hops. */
  telemetry: MeshTelemetry;
  /** Tells the user what happens: restarts, workloads not run locally, dropped settings. */
  report: (message: string) => void;
  /** Replaces MONGO_URL for workloads, for someone with a MongoDB of their own. */
  mongoUrl?: string | undefined;
  /** Set in every pod after the manifest's own env, e.g. LATENCY_MS=0 for benchmarks. */
  extraEnv?: Record<string, string>;
  /** What the local node offers pods (scheduling by requests). */
  capacity: Capacity;
  /** How many pod processes start at a time. */
  startSlots: number;
}

/** Objects are applied in this order, so that what a pod needs (its Service, its env's targets) exists first. */
const APPLY_ORDER: Manifest['kind'][] = [
  'Namespace',
  'ServiceAccount',
  'Secret',
  'Service',
  'StatefulSet',
  'Deployment',
  'Gateway',
  'DestinationRule',
  'VirtualService',
  'ReferenceGrant',
  'HTTPRoute',
  'AuthorizationPolicy',
  'PeerAuthentication',
];

/**
 * The local stand-in for a cluster's control plane: `apply` and `delete` change the stored objects, then the
 * controllers act on the change — Services go into the registry, workloads are rolled out, and the Istio objects
 * in force are translated into the proxies' route tables. Apply and delete are idempotent and run one at a time.
 */
export class Runtime {
  private readonly store = new ObjectStore();
  private readonly registry = new ServiceRegistry();
  private readonly router = new Router(this.registry);
  private readonly podFactory: PodFactory;
  private readonly rollouts: RolloutController;
  private readonly gatewayProxies: GatewayProxies;
  /** The Istio configuration in force: what the proxies' tables were last translated from. */
  private config = new MeshConfig();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: RuntimeOptions) {
    this.podFactory = new PodFactory({
      registry: this.registry,
      newSidecar: (identity) => this.sidecarFor(identity),
      stateDir: options.stateDir,
      report: options.report,
      mongoUrl: options.mongoUrl,
      extraEnv: options.extraEnv,
      secrets: (namespace, name) => this.store.secret(namespace, name),
      notRunLocally: (target) => this.backedOnlyByForeign(target),
      slots: new StartSlots(options.startSlots),
    });
    this.rollouts = new RolloutController(this.podFactory, { servicesDir: options.servicesDir, capacity: options.capacity, report: options.report });
    this.gatewayProxies = new GatewayProxies((source, ingress) => this.sidecarFor(source, ingress), options.report);
  }

  /** Points every pod started from now on at the runtime's collector and viewer. */
  useTelemetry(collectorUrl: string, viewerUrl: string): void {
    this.podFactory.useTelemetry(collectorUrl, viewerUrl);
  }

  /** A new ingress gateway proxy, routing by the Gateways that select istio-ingressgateway. */
  ingressGateway(): Sidecar {
    return this.sidecarFor(INGRESS_GATEWAY.source, INGRESS_GATEWAY.ingress);
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
    return this.store.list();
  }

  /** An object's creationTimestamp, in whole seconds. */
  createdAt(manifest: Manifest): number {
    return this.store.createdAt(manifest);
  }

  /** Every pod, Pending ones included, as `get pods` shows them. */
  pods(): PodStatus[] {
    return this.rollouts.list().map(podStatus);
  }

  /** Whether the workload is known but not run here (its image is not ours). */
  isForeign(namespace: string, name: string): boolean {
    return this.rollouts.isForeign(namespace, name);
  }

  /** Whether the Service `namespace/name` exists. */
  hasService(namespace: string, name: string): boolean {
    return this.registry.resolveHost(`${name}.${namespace}`, namespace) !== undefined;
  }

  /** The ready pods behind the Service `namespace/name` (its Endpoints). */
  endpoints(namespace: string, name: string): Pod[] {
    const target = this.registry.resolveHost(`${name}.${namespace}`, namespace);
    return target ? this.registry.endpoints(target) : [];
  }

  /** The proxies running for Gateway API Gateways, one per listener port. */
  gatewayListeners(): GatewayListener[] {
    return this.gatewayProxies.list();
  }

  /** The Istio and Gateway API configuration in force. */
  meshConfig(): MeshConfig {
    return this.config;
  }

  /**
   * The route table in force for one proxy: a pod's sidecar (by pod name), the ingress gateway (by its workload
   * name, istio-ingressgateway), or a Gateway API Gateway's (`<gateway>-istio`); undefined when there is no such proxy.
   */
  routeTable(proxy: string): { sidecar: SidecarRoutes } | { ingress: IngressRoutes } | undefined {
    if (proxy === INGRESS_GATEWAY.source.workload) return { ingress: this.router.tables.ingress(INGRESS_GATEWAY.ingress, INGRESS_GATEWAY.source.namespace) };
    const gateway = this.gatewayProxies.list().find((l) => l.deployment.workload === proxy);
    if (gateway) return { ingress: this.router.tables.ingress(gateway.identity, gateway.deployment.namespace) };
    const pod = this.rollouts.list().find(({ record }) => record.pod.name === proxy)?.record.pod;
    return pod ? { sidecar: this.router.tables.sidecar(pod.namespace) } : undefined;
  }

  /** Stops every pod (SIGTERM, drain) and every sidecar. */
  async stop(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.gatewayProxies.closeAll();
    await this.rollouts.stopAll();
    this.options.telemetry.close();
  }

  private sidecarFor(identity: SourceIdentity, ingress?: IngressIdentity): Sidecar {
    return new Sidecar({ identity, router: this.router, hops: this.options.telemetry.hops, ...(ingress ? { ingress } : {}) });
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async applyNow(manifests: Manifest[]): Promise<string[]> {
    const batch = [...manifests].sort((a, b) => APPLY_ORDER.indexOf(a.kind) - APPLY_ORDER.indexOf(b.kind));
    this.store.checkNamespaces(batch);
    this.store.checkUpdates(batch);
    const istio = this.translate(batch);
    const errors = validateMeshConfig(istio);
    // One line for the CLI, however many objects are wrong.
    if (errors.length > 0) throw new ManifestError(errors.join('; '));

    const results: string[] = [];
    const rollouts: Promise<void>[] = [];
    let servicesChanged = false;
    const changedSecrets = new Set<string>();
    for (const manifest of batch) {
      const verdict = this.store.put(manifest);
      results.push(`${resourceName(manifest)}/${manifest.metadata.name} ${verdict}`);
      if (verdict === 'unchanged') continue;
      if (manifest.kind === 'Service') {
        this.registry.putService(manifest);
        servicesChanged = true;
      }
      if (isWorkload(manifest)) rollouts.push(this.rollouts.rollOut(manifest));
      if (manifest.kind === 'Secret') changedSecrets.add(`${namespaceOf(manifest)}/${manifest.metadata.name}`);
    }
    // The kubelet keeps retrying a pod whose Secret (or key) was missing: a Secret that now has it lets the pod start.
    // Running pods keep the values they started with, as containers keep their environment.
    const rolled = new Set(batch.filter(isWorkload).map(objectKey));
    for (const workload of this.store.workloads()) {
      if (rolled.has(objectKey(workload))) continue;
      const names = workload.spec.template.spec.containers.flatMap(secretNames);
      if (names.some((name) => changedSecrets.has(`${namespaceOf(workload)}/${name}`))) rollouts.push(this.rollouts.retry(workload));
    }
    // New Services are routable at once (as plain Services, or by the routes already in force); the new Istio
    // objects take effect once the workloads they may route to are rolled out.
    if (servicesChanged) this.router.configure(this.config);
    const failures = (await Promise.allSettled(rollouts)).flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    this.config = istio;
    this.router.configure(istio);
    await this.gatewayProxies.reconcile(istio.gatewayApi.deployments);
    if (failures.length > 0) throw new ManifestError(`rollout failed: ${failures.join('; ')}`);
    return results;
  }

  private async deleteNow(manifests: Manifest[]): Promise<string[]> {
    const results: string[] = [];
    const removed: Manifest[] = [];
    for (const manifest of manifests) {
      const gone = this.store.remove(manifest);
      // A Namespace deleted earlier in this request took its contents with it. On a cluster it is still Terminating
      // when kubectl reaches them, so they are deleted one by one, not missing.
      const cascaded = gone.length === 0 && removed.some((m) => objectKey(m) === objectKey(manifest));
      removed.push(...gone);
      results.push(`${resourceName(manifest)}/${manifest.metadata.name} ${gone.length > 0 || cascaded ? 'deleted' : 'not found'}`);
    }
    // Routes go first, so nothing is sent to the pods about to drain by a route that names them.
    this.config = this.translate([]);
    this.router.configure(this.config);
    await this.gatewayProxies.reconcile(this.config.gatewayApi.deployments);
    await Promise.all(removed.filter(isWorkload).map((workload) => this.rollouts.remove(workload)));
    const services = removed.filter((m) => m.kind === 'Service');
    for (const service of services) this.registry.removeService(namespaceOf(service), service.metadata.name);
    if (services.length > 0) this.router.configure(this.config);
    return results;
  }

  /** The Istio and Gateway API objects stored, with `batch` applied over them, as one configuration. */
  private translate(batch: readonly Manifest[]): MeshConfig {
    const namespaces = new Map([...this.store.list(), ...batch].filter((m) => m.kind === 'Namespace').map((m) => [m.metadata.name, m.metadata.labels ?? {}]));
    return MeshConfig.fromManifests(this.store.istio(batch.filter(isIstio)), (m) => this.store.createdAt(m), (namespace) => namespaces.get(namespace));
  }

  /** Whether every workload a Service selects is one the runtime does not run (and there is at least one). */
  private backedOnlyByForeign(target: ServiceTarget): boolean {
    const selector = target.service.spec.selector;
    if (!selector) return false;
    let any = false;
    for (const workload of this.store.workloads()) {
      if (namespaceOf(workload) !== target.namespace || !matchesLabels(workload.spec.template.metadata.labels, selector)) continue;
      if (!this.rollouts.isForeign(target.namespace, workload.metadata.name)) return false;
      any = true;
    }
    return any;
  }
}
