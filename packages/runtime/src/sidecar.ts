import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AccessLog } from './access-log.js';
import { forward } from './forward.js';
import type { Router, SourceIdentity } from './router.js';

export interface SidecarOptions {
  identity: SourceIdentity;
  router: Router;
  accessLog: AccessLog;
  /** The gateway routes everything to one host until Istio Gateway rules take over; sidecars use the Host header. */
  fixedAuthority?: string;
}

/**
 * A workload's outbound listener, the local stand-in for its Envoy: every call the workload makes arrives here with
 * the cluster name in Host, is routed for this caller, forwarded, and logged as one hop.
 */
export class Sidecar {
  private readonly server: Server;

  constructor(private readonly options: SidecarOptions) {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
  }

  /** The bound port, once listening. */
  get port(): number | undefined {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : undefined;
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const { identity, router, accessLog } = this.options;
    // Envoy gives a request its id where it enters the mesh.
    if (typeof req.headers['x-request-id'] !== 'string') req.headers['x-request-id'] = randomUUID();
    const authority = this.options.fixedAuthority ?? req.headers.host ?? '';
    const decision = router.route(authority, identity);
    let status: number;
    if (decision.kind === 'reject') {
      const body = JSON.stringify({ error: STATUS_CODES[decision.status], message: decision.reason });
      res.writeHead(decision.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      status = decision.status;
    } else {
      if (this.options.fixedAuthority) req.headers.host = this.options.fixedAuthority;
      status = await forward(req, res, `http://127.0.0.1:${decision.pod.port}`);
    }
    const target = decision.target;
    accessLog.write({
      source_namespace: identity.namespace,
      source_workload: identity.workload,
      destination_namespace: target?.namespace,
      destination_workload: decision.kind === 'forward' ? decision.pod.workload : undefined,
      destination_service: target?.fqdn,
      method: req.method ?? '',
      path: req.url ?? '',
      status,
      duration_ms: Math.round((performance.now() - started) * 100) / 100,
      x_request_id: req.headers['x-request-id'] as string,
      end_user: typeof req.headers['end-user'] === 'string' ? req.headers['end-user'] : undefined,
      ...(decision.kind === 'reject' ? { reason: decision.reason } : {}),
    });
  }
}
