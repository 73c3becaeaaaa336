import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Pod } from '../k8s/identity.js';
import { ServiceRegistry } from '../k8s/service-registry.js';
import { serviceManifest } from '../k8s/test-fixtures.js';
import type { IngressIdentity } from '../istio/compile.js';
import { meshConfig, source } from '../istio/test-fixtures.js';
import type { Hop } from '../telemetry/hop.js';
import { Router } from './router.js';
import { Sidecar } from './sidecar.js';

/**
 * What a workload does with one request: answer it (after `delayMs`), break the connection off at once (`reset`),
 * never answer (`hold`), or send the headers and a first chunk and hold the rest (`halfway`) until `breakOff`.
 */
export type WorkloadAnswer = { status?: number; body?: string; headers?: Record<string, string>; delayMs?: number } | 'reset' | 'hold' | 'halfway';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Workload {
  pod: Pod;
  /** Every request that reached it, recorded on arrival. */
  requests: SeenRequest[];
  /** Resolves once `count` requests have arrived. */
  arrived(count: number): Promise<void>;
  /** Breaks off the connections of the requests it holds, halfway through their answers. */
  breakOff(): void;
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface TestMesh {
  registry: ServiceRegistry;
  router: Router;
  workloads: Record<string, Workload>;
  /** Every hop the proxies recorded, in order. */
  hops: Hop[];
  /** A proxy for callers in `namespace` (a sidecar), or the ingress gateway. */
  proxy(namespace: string, options?: { labels?: Record<string, string>; ingress?: IngressIdentity }): Promise<Sidecar>;
  send(via: Sidecar, authority: string, options?: { path?: string; method?: string; headers?: Record<string, string | string[]>; body?: string }): Promise<Answer>;
  close(): Promise<void>;
}

/**
 * A cluster for proxy tests: each `ns/app@version` key is one pod, a server answering with `answer`; a Service is made
 * for every ns/app (port 7000), and `yaml` is the Istio configuration in force. A hop recorder keeps every hop.
 */
export async function testMesh(pods: Record<string, (req: SeenRequest) => WorkloadAnswer>, yaml = ''): Promise<TestMesh> {
  const registry = new ServiceRegistry();
  const servers: Server[] = [];
  const workloads: Record<string, Workload> = {};
  const services = new Set<string>();
  for (const [key, answer] of Object.entries(pods)) {
    const [path, version] = key.split('@') as [string, string];
    const [namespace, app] = path.split('/') as [string, string];
    const requests: SeenRequest[] = [];
    const held: ServerResponse[] = [];
    const waiters: { count: number; resolve: () => void }[] = [];
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk));
      req.on('end', () => {
        const seen = { method: req.method!, url: req.url!, headers: req.headers, body };
        requests.push(seen);
        for (const waiter of waiters.filter((w) => requests.length >= w.count)) waiter.resolve();
        const reply = answer(seen);
        if (reply === 'hold') return;
        if (reply === 'halfway') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('first half');
          return void held.push(res);
        }
        if (reply === 'reset') return void req.socket.destroy();
        const send = () => res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers }).end(reply.body ?? '{}');
        if (reply.delayMs) setTimeout(send, reply.delayMs);
        else send();
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const pod: Pod = { name: `${app}-${version}-1`, namespace, workload: `${app}-${version}`, labels: { app, version }, serviceAccount: app, port: (server.address() as { port: number }).port, ready: true };
    registry.addPod(pod);
    services.add(path);
    workloads[key] = {
      pod,
      requests,
      arrived: (count) => new Promise<void>((resolve) => (requests.length >= count ? resolve() : waiters.push({ count, resolve }))),
      breakOff: () => held.splice(0).forEach((res) => res.destroy()),
    };
  }
  for (const path of services) {
    const [namespace, name] = path.split('/') as [string, string];
    registry.putService(serviceManifest(name, namespace));
  }
  const router = new Router(registry);
  router.configure(meshConfig(yaml));
  const hops: Hop[] = [];
  const proxies: Sidecar[] = [];
  return {
    registry,
    router,
    workloads,
    hops,
    proxy: async (namespace, options = {}) => {
      const labels = options.labels ?? { app: 'client', version: 'v1' };
      const identity = options.ingress ? { namespace, workload: 'istio-ingressgateway', labels, serviceAccount: 'istio-ingressgateway-service-account' } : source(namespace, labels, labels.app);
      const proxy = new Sidecar({ identity, router, hops: { record: (hop) => hops.push(hop) }, ...(options.ingress ? { ingress: options.ingress } : {}) });
      await proxy.listen(0, '127.0.0.1');
      proxies.push(proxy);
      return proxy;
    },
    send: (via, authority, options = {}) =>
      new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: via.port, path: options.path ?? '/', method: options.method ?? (options.body === undefined ? 'GET' : 'POST'), headers: { host: authority, ...options.headers } }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end(options.body);
      }),
    close: async () => {
      await Promise.all(proxies.map((p) => p.close()));
      for (const server of servers) {
        server.closeAllConnections();
        server.close();
      }
    },
  };
}
