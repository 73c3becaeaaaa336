import type { SourceIdentity } from '../k8s/identity.js';
import type { IngressIdentity } from '../istio/compile.js';
import type { GatewayDeployment } from '../istio/gateway-api.js';
import type { Sidecar } from '../proxy/sidecar.js';

/** One listener port of a Gateway API Gateway's proxy, served on a loopback port of its own. */
export interface GatewayListener {
  deployment: GatewayDeployment;
  /** The Gateway's listener port (its Service's port on a cluster). */
  port: number;
  /** The loopback port the local proxy listens on for it. */
  localPort: number;
  identity: IngressIdentity;
  sidecar: Sidecar;
}

/**
 * The gateway Deployments Istio runs for Gateway API Gateways (`<name>-istio`, each behind a LoadBalancer Service of
 * its own on a cluster). Locally each listener port of each Gateway gets a proxy on a free loopback port, started when
 * the Gateway is applied and stopped when it is deleted; a Gateway applied again keeps its ports.
 */
export class GatewayProxies {
  private readonly listeners = new Map<string, GatewayListener>();

  constructor(
    private readonly newProxy: (source: SourceIdentity, ingress: IngressIdentity) => Sidecar,
    private readonly report: (message: string) => void,
  ) {}

  /** Starts the proxies of new Gateways and listener ports, stops those of removed ones. */
  async reconcile(deployments: readonly GatewayDeployment[]): Promise<void> {
    const wanted = new Map<string, { deployment: GatewayDeployment; port: number }>(deployments.flatMap((d) => d.ports.map((port) => [`${d.namespace}/${d.gateway}:${port}`, { deployment: d, port }] as const)));
    for (const [key, listener] of this.listeners) {
      if (wanted.has(key)) continue;
      this.listeners.delete(key);
      await listener.sidecar.close();
    }
    for (const [key, { deployment, port }] of wanted) {
      if (this.listeners.has(key)) continue;
      const identity: IngressIdentity = { labels: deployment.labels, ports: [port] };
      const source: SourceIdentity = { namespace: deployment.namespace, workload: deployment.workload, labels: deployment.labels, serviceAccount: deployment.workload };
      const sidecar = this.newProxy(source, identity);
      const localPort = await sidecar.listen(0, '127.0.0.1');
      this.listeners.set(key, { deployment, port, localPort, identity, sidecar });
      this.report(`Gateway ${deployment.namespace}/${deployment.gateway} (Deployment ${deployment.workload} on a cluster): its port ${port} is http://localhost:${localPort}`);
    }
  }

  /** Every listener proxy running, in the order they were started. */
  list(): GatewayListener[] {
    return [...this.listeners.values()];
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.listeners.values()].map((l) => l.sidecar.close()));
    this.listeners.clear();
  }
}
