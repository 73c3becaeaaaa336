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
import { httpRouteStatus, type RouteParentStatus } from '../../istio/gateway-api-status.js';

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
  /** `namespace/app@version[=status][~delayMs]`; every `namespace/app` gets a Service `app` on `servicePort`. */
  pods: string[];
  /** The port of every Service made for the pods: 7000 unless given (the Gateway API suite's backends use 8080). */
  servicePort?: number;
  /**
   * What the HTTPRoutes' status must say after the objects are applied (Gateway API cases): for a route
   * (`namespace/name`) and one of its parents (`namespace/name` of a Gateway or Service), the conditions of that
   * parent's entry, in any order; `conditions: undefined` means the route has no entry for that parent.
   */
  routeStatus?: RouteStatusExpectation[];
  /** Ready pods (`namespace/app@version`) whose port refuses connections, as a crashed process's would. */
  deadPods?: string[];
  request: Request;
  expect: Expected;
}

export interface RouteStatusExpectation {
  route: string;
  parent: string;
  conditions: { type: string; status: 'True' | 'False'; reason: string }[] | undefined;
}

export interface Request {
  /**
   * The calling pod (`namespace/app@version`), the ingress gateway, or the proxy Istio deploys for a Gateway API
   * Gateway (`gateway:namespace/name`), at its listener port 80.
   */
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

/** The configuration a case's objects make, Namespaces' labels included (for listeners allowing routes by selector). */
function configOf(yaml: string): MeshConfig {
  const { manifests } = parseManifests(yaml, 'case.yaml');
  const labels = new Map(manifests.filter((m) => m.kind === 'Namespace').map((m) => [m.metadata.name, m.metadata.labels ?? {}]));
  return MeshConfig.fromManifests(manifests.filter(isIstio), undefined, (namespace) => labels.get(namespace));
}

/** What `mesh-mall apply` would say of the objects: undefined when it takes them, else its error. */
export function admit(yaml: string): string | undefined {
  try {
    const errors = validateMeshConfig(configOf(yaml));
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
  private config = new MeshConfig();

  static async start(pods: string[], yaml: string, deadPods: string[] = [], servicePort = 7000): Promise<CaseMesh> {
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
        body: { servedBy: identity, path: req.url, headers: headerLines(req.headersDistinct) },
        ...(delayMs ? { delayMs: Number(delayMs) } : {}),
      }));
      mesh.stubs.push(stub);
      const pod: Pod = { name: `${app}-${version}`, namespace, workload: `${app}-${version}`, labels: { app, version }, serviceAccount: app, port: Number(new URL(stub.url).port), ready: true };
      mesh.registry.addPod(pod);
      services.add(`${namespace}/${app}`);
    }
    for (const service of services) {
      const [namespace, name] = service.split('/') as [string, string];
      const yamlOfService = `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec: {selector: {app: ${name}}, ports: [{name: http, port: ${servicePort}}]}\n`;
      mesh.registry.putService(parseManifests(yamlOfService, 'service.yaml').manifests[0] as never);
    }
    mesh.config = configOf(yaml);
    mesh.router.configure(mesh.config);
    return mesh;
  }

  /** The status istiod would write on an HTTPRoute (`namespace/name`) of the case. */
  routeStatus(route: string): RouteParentStatus[] {
    const [namespace, name] = route.split('/') as [string, string];
    const found = this.config.gatewayApi.routes.find((r) => r.namespace === namespace && r.name === name);
    if (!found) throw new Error(`no HTTPRoute ${route} in the case`);
    return httpRouteStatus(found, this.config.gatewayApi, (ns, service) => this.registry.resolveHost(`${service}.${ns}`, ns) !== undefined);
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
      } else if (from.startsWith('gateway:')) {
        const deployment = this.config.gatewayApi.deployments.find((d) => `gateway:${d.namespace}/${d.gateway}` === from);
        if (!deployment) throw new Error(`${from}: no such Gateway in the case`);
        const identity = { namespace: deployment.namespace, workload: deployment.workload, labels: deployment.labels, serviceAccount: deployment.workload };
        sidecar = new Sidecar({ identity, ingress: { labels: deployment.labels, ports: [80] }, router: this.router, hops });
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

/** What a case's objects and requests got: the answers, apply's refusal, and the HTTPRoutes' status the case asks about. */
export interface CaseOutcome {
  answers: Answer[];
  refusal: string | undefined;
  routeStatus?: Record<string, RouteParentStatus[]>;
}

/** Runs a case: what apply says of its objects and, when it takes them, the answer to each request. */
export async function runCase(test: ConformanceCase): Promise<CaseOutcome> {
  const refusal = admit(test.yaml);
  if (refusal !== undefined) return { answers: [], refusal };
  const mesh = await CaseMesh.start(test.pods, test.yaml, test.deadPods, test.servicePort);
  try {
    const answers: Answer[] = [];
    for (let i = 0; i < (test.request.times ?? 1); i++) answers.push(await mesh.send(test.request));
    const routes = [...new Set((test.routeStatus ?? []).map((s) => s.route))];
    return { answers, refusal, ...(routes.length > 0 ? { routeStatus: Object.fromEntries(routes.map((r) => [r, mesh.routeStatus(r)])) } : {}) };
  } finally {
    await mesh.close();
  }
}

function parsePod(identity: string): { namespace: string; app: string; version: string } {
  const match = /^([a-z0-9-]+)\/([a-z0-9-]+)@([a-z0-9-]+)$/.exec(identity);
  if (!match) throw new Error(`pod ${identity}: write it as namespace/app@version`);
  return { namespace: match[1]!, app: match[2]!, version: match[3]! };
}

/**
 * Each header as the conformance suites' echo servers report it: every line it came on, joined by `,` (Node's
 * req.headers would join repeated lines with `, `).
 */
export function headerLines(headers: Record<string, string[] | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, lines]) => [name, (lines ?? []).join(',')]));
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
}
