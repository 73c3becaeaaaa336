import { request as httpRequest } from 'node:http';
import { startStub, type Stub } from '@mesh-mall/kit/testing';
import { isIstio, parseManifests } from '../../api/manifests.js';
import { INGRESS_GATEWAY } from '../../istio/ingress-gateway.js';
import { MeshConfig } from '../../istio/mesh-config.js';
import { validateMeshConfig } from '../../istio/validate.js';
import type { Pod } from '../../k8s/identity.js';
import { ServiceRegistry } from '../../k8s/service-registry.js';
import type { Hop } from '../../telemetry/hop.js';
import { Router } from '../router.js';
import { Sidecar } from '../sidecar.js';

/**
 * One conformance case: Istio objects, the pods of a small mesh, one request (or several), and what Istio with Envoy
 * does with it, citing where that is defined. Every pod is an echo server answering which workload it is and what it
 * saw; `ns/app@version=503` answers that status instead, `ns/app@version~1000` answers after that many ms.
 */
export interface ConformanceCase {
  name: string;
  /** Where Istio or Envoy defines the expected outcome: API reference, pilot's source, Envoy's docs, Istio's tests. */
  cite: string;
  yaml: string;
  /** `namespace/app@version[=status][~delayMs]`; every `namespace/app` gets a Service `app` on port 7000. */
  pods: string[];
  /** Ready pods (`namespace/app@version`) whose port refuses connections, as a crashed process's would. */
  deadPods?: string[];
  request: Request;
  expect: Expected;
}

export interface Request {
  /** The calling pod (`namespace/app@version`) or the ingress gateway. */
  from: string | 'ingress';
  host: string;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  /** Sent this many times, one after another; `expect.split` counts who served them. */
  times?: number;
}

export type Expected =
  | {
      status: number;
      /** `namespace/app@version` of the pod that answered, or undefined when none did. */
      servedBy?: string | undefined;
      /** Envoy's response flag in the proxy's hop, `-` for none. */
      flag?: string;
      /** The path (and query) the serving pod saw. */
      path?: string;
      /** Request headers the serving pod saw (undefined: must be absent). */
      headers?: Record<string, string | undefined>;
      /** Response headers the caller got. */
      responseHeaders?: Record<string, string | undefined>;
      /** How many of `times` requests each pod served. */
      split?: Record<string, number>;
      /** Every pod in the list served some of `times` requests, and no other did (for random load balancing). */
      spreadOver?: string[];
      /** Status and flag of each of `times` requests, in order, where they differ (then `status` is not checked). */
      sequence?: { status: number; flag: string }[];
    }
  | { refused: RegExp };

export interface Answer {
  status: number;
  servedBy: string | undefined;
  flag: string;
  path: string | undefined;
  headers: Record<string, string | undefined>;
  responseHeaders: Record<string, string | undefined>;
}

/** What `mesh-mall apply` would say of the objects: undefined when it takes them, else its error. */
export function admit(yaml: string): string | undefined {
  try {
    const { manifests } = parseManifests(yaml, 'case.yaml');
    const errors = validateMeshConfig(MeshConfig.fromManifests(manifests.filter(isIstio)));
    return errors.length > 0 ? errors.join('\n') : undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** A small mesh for one case: echo pods behind Services, one Router, a sidecar per caller. */
export class CaseMesh {
  private readonly registry = new ServiceRegistry();
  private readonly router = new Router(this.registry);
  private readonly stubs: Stub[] = [];
  private readonly sidecars = new Map<string, Sidecar>();
  private readonly hops: Hop[] = [];

  static async start(pods: string[], yaml: string, deadPods: string[] = []): Promise<CaseMesh> {
    const mesh = new CaseMesh();
    const services = new Set<string>();
    for (const identity of deadPods) {
      const { namespace, app, version } = parsePod(identity);
      // Port 1 (tcpmux) is closed on any machine that runs these tests: connecting is refused at once.
      mesh.registry.addPod({ name: `${app}-${version}`, namespace, workload: `${app}-${version}`, labels: { app, version }, serviceAccount: app, port: 1, ready: true });
      services.add(`${namespace}/${app}`);
    }
    for (const spec of pods) {
      const [, identity, status, delayMs] = /^([^=~]+)(?:=(\d+))?(?:~(\d+))?$/.exec(spec) as unknown as [string, string, string | undefined, string | undefined];
      const { namespace, app, version } = parsePod(identity);
      const stub = await startStub((req) => ({
        status: status ? Number(status) : 200,
        body: { servedBy: identity, path: req.url, headers: req.headers },
        ...(delayMs ? { delayMs: Number(delayMs) } : {}),
      }));
      mesh.stubs.push(stub);
      const pod: Pod = { name: `${app}-${version}`, namespace, workload: `${app}-${version}`, labels: { app, version }, serviceAccount: app, port: Number(new URL(stub.url).port), ready: true };
      mesh.registry.addPod(pod);
      services.add(`${namespace}/${app}`);
    }
    for (const service of services) {
      const [namespace, name] = service.split('/') as [string, string];
      const yamlOfService = `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec: {selector: {app: ${name}}, ports: [{name: http, port: 7000}]}\n`;
      mesh.registry.putService(parseManifests(yamlOfService, 'service.yaml').manifests[0] as never);
    }
    mesh.router.configure(MeshConfig.fromManifests(parseManifests(yaml, 'case.yaml').manifests.filter(isIstio)));
    return mesh;
  }

  async send(request: Request): Promise<Answer> {
    const sidecar = await this.sidecarOf(request.from);
    this.hops.length = 0;
    const response = await sendRequest(sidecar.port!, request);
    return answerOf(response, this.hops[0]?.flag ?? '-');
  }

  async close(): Promise<void> {
    await Promise.all([...this.sidecars.values()].map((s) => s.close()));
    await Promise.all(this.stubs.map((s) => s.close()));
  }

  private async sidecarOf(from: string): Promise<Sidecar> {
    let sidecar = this.sidecars.get(from);
    if (!sidecar) {
      const hops = { record: (hop: Hop) => void this.hops.push(hop) };
      if (from === 'ingress') {
        sidecar = new Sidecar({ identity: INGRESS_GATEWAY.source, ingress: INGRESS_GATEWAY.ingress, router: this.router, hops });
      } else {
        const { namespace, app, version } = parsePod(from);
        sidecar = new Sidecar({ identity: { namespace, workload: `${app}-${version}`, labels: { app, version }, serviceAccount: app }, router: this.router, hops });
      }
      await sidecar.listen(0, '127.0.0.1');
      this.sidecars.set(from, sidecar);
    }
    return sidecar;
  }
}

export interface RawResponse {
  status: number;
  body: string;
  headers: Record<string, string | undefined>;
}

/** Sends a case's request to a proxy listening on `port` (a sidecar or the gateway), Host as the case names it. */
export function sendRequest(port: number, request: Request, extraHeaders: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers = { host: request.host, ...extraHeaders, ...request.headers };
    const req = httpRequest({ host: '127.0.0.1', port, path: request.path ?? '/', method: request.method ?? 'GET', headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: flatten(res.headers) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** What a response says about a case: an echo pod's answer names who served it and what it saw. */
export function answerOf(response: RawResponse, flag: string): Answer {
  let echoed: { servedBy?: string; path?: string; headers?: Record<string, string | string[]> } = {};
  try {
    echoed = JSON.parse(response.body) as typeof echoed;
  } catch {
    // The proxy's own plain-text answers (RBAC's) are no echo.
  }
  return { status: response.status, servedBy: echoed.servedBy, flag, path: echoed.path, headers: flatten(echoed.headers ?? {}), responseHeaders: response.headers };
}

/** Runs a case: what apply says of its objects and, when it takes them, the answer to each request. */
export async function runCase(test: ConformanceCase): Promise<{ answers: Answer[]; refusal: string | undefined }> {
  const refusal = admit(test.yaml);
  if (refusal !== undefined) return { answers: [], refusal };
  const mesh = await CaseMesh.start(test.pods, test.yaml, test.deadPods);
  try {
    const answers: Answer[] = [];
    for (let i = 0; i < (test.request.times ?? 1); i++) answers.push(await mesh.send(test.request));
    return { answers, refusal };
  } finally {
    await mesh.close();
  }
}

function parsePod(identity: string): { namespace: string; app: string; version: string } {
  const match = /^([a-z0-9-]+)\/([a-z0-9-]+)@([a-z0-9-]+)$/.exec(identity);
  if (!match) throw new Error(`pod ${identity}: write it as namespace/app@version`);
  return { namespace: match[1]!, app: match[2]!, version: match[3]! };
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
}
