import { request as httpRequest } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStub, type Stub, type StubAnswer } from '@mesh-mall/kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { Pod } from '../k8s/identity.js';
import { ServiceRegistry } from '../k8s/service-registry.js';
import { serviceManifest } from '../k8s/test-fixtures.js';
import { meshConfig, source } from '../istio/test-fixtures.js';
import { MeshTelemetry } from '../telemetry/mesh-telemetry.js';
import { Router } from './router.js';
import { Sidecar } from './sidecar.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => Promise.all(closers.splice(0).map((c) => c())));

interface Mesh {
  registry: ServiceRegistry;
  telemetry: MeshTelemetry;
  router: Router;
  pods: Record<string, Stub>;
  send(from: Sidecar, host: string, path?: string, headers?: Record<string, string>, body?: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }>;
  sidecar(namespace: string, labels?: Record<string, string>): Promise<Sidecar>;
}

/** A cluster whose pods are stub servers: `ns/app@version` → answer. Services are made for every ns/app. */
async function mesh(pods: Record<string, (path: string, headers: Record<string, unknown>) => StubAnswer>, yaml = ''): Promise<Mesh> {
  const registry = new ServiceRegistry();
  const stubs: Record<string, Stub> = {};
  const services = new Set<string>();
  for (const [key, answer] of Object.entries(pods)) {
    const [path, version] = key.split('@') as [string, string];
    const [namespace, app] = path.split('/') as [string, string];
    const stub = await startStub((req) => answer(req.url!, req.headers));
    closers.push(stub.close);
    stubs[key] = stub;
    const pod: Pod = { name: `${app}-${version}`, namespace, workload: `${app}-${version}`, labels: { app, version }, serviceAccount: app, port: Number(new URL(stub.url).port), ready: true };
    registry.addPod(pod);
    services.add(path);
  }
  for (const path of services) {
    const [namespace, name] = path.split('/');
    registry.putService(serviceManifest(name!, namespace!));
  }
  const router = new Router(registry);
  router.configure(meshConfig(yaml));
  const telemetry = new MeshTelemetry(join(await mkdtemp(join(tmpdir(), 'sidecar-')), 'access.log'));
  const { hops } = telemetry;
  return {
    registry,
    telemetry,
    router,
    pods: stubs,
    sidecar: async (namespace, labels = { app: 'client', version: 'v1' }) => {
      const sidecar = new Sidecar({ identity: source(namespace, labels, labels.app), router, hops });
      await sidecar.listen(0, '127.0.0.1');
      closers.push(() => sidecar.close());
      return sidecar;
    },
    send: (from, host, path = '/', headers = {}, body?: string) =>
      new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: from.port, path, method: body === undefined ? 'GET' : 'POST', headers: { host, ...headers } }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
        });
        req.on('error', reject);
        req.end(body);
      }),
  };
}

const ok = (body: unknown = {}) => () => ({ body });

describe('what the sidecar reports', () => {
  it('tells the metrics whether the destination was reached over mutual TLS or, under PeerAuthentication DISABLE, in plain text', async () => {
    const m = await mesh(
      { 'base/scores@v1': ok(), 'plain/scores@v1': ok() },
      `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: plain, namespace: plain}
spec: {mtls: {mode: DISABLE}}`,
    );
    const client = await m.sidecar('base');
    expect((await m.send(client, 'scores.base.svc.cluster.local:7000')).status).toBe(200);
    expect((await m.send(client, 'scores.plain.svc.cluster.local:7000')).status).toBe(200);
    const destination = (await m.telemetry.metrics.text()).split('\n').filter((line) => line.startsWith('istio_requests_total{reporter="destination"'));
    const policyOf = (namespace: string) => destination.find((line) => line.includes(`destination_workload_namespace="${namespace}"`))?.match(/connection_security_policy="([^"]+)"/)?.[1];
    expect([policyOf('base'), policyOf('plain')]).toEqual(['mutual_tls', 'none']);
  });

  it('reports its span as Envoy does only for a sampled request, every tag a string', async () => {
    const m = await mesh({ 'base/scores@v1': ok() });
    const client = await m.sidecar('base');
    const sampled = '4bf92f3577b34da6a3ce929d0e0e4736';
    const unsampled = '5bf92f3577b34da6a3ce929d0e0e4736';
    await m.send(client, 'scores.base.svc.cluster.local:7000', '/', { traceparent: `00-${sampled}-00f067aa0ba902b7-01` });
    await m.send(client, 'scores.base.svc.cluster.local:7000', '/', { traceparent: `00-${unsampled}-00f067aa0ba902b7-00` });
    expect(m.telemetry.traces.get(unsampled)).toBeUndefined();
    const [span] = m.telemetry.traces.get(sampled)!.spans;
    expect(span!.operationName).toBe('scores.base.svc.cluster.local:7000/*');
    expect(span!.tags.filter((t) => t.type !== 'string')).toEqual([]);
    expect(span!.tags).toContainEqual({ key: 'http.status_code', type: 'string', value: '200' });
  });
});

describe('sidecar with Istio rules', () => {
  it('routes a lane by header to another namespace, everyone else to base', async () => {
    const m = await mesh(
      { 'base/recommend@v1': ok({ v: 1 }), 'jason/recommend@v2': ok({ v: 2 }) },
      `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: recommend, namespace: jason}
spec:
  hosts: [recommend.base.svc.cluster.local]
  http:
  - match: [{headers: {end-user: {exact: jason}}}]
    route: [{destination: {host: recommend.jason.svc.cluster.local}}]
  - route: [{destination: {host: recommend.base.svc.cluster.local}}]
`,
    );
    const from = await m.sidecar('base');
    expect((await m.send(from, 'recommend:7000', '/', { 'end-user': 'jason' })).body).toBe('{"v":2}');
    expect((await m.send(from, 'recommend:7000', '/', { 'end-user': 'fox' })).body).toBe('{"v":1}');
  });

  it('answers 404 when the host has a VirtualService and no route matches', async () => {
    const m = await mesh({ 'base/a@v1': ok() }, `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: a, namespace: base}
spec:
  hosts: [a]
  http: [{match: [{uri: {prefix: /only}}], route: [{destination: {host: a}}]}]
`);
    const response = await m.send(await m.sidecar('base'), 'a:7000', '/other');
    expect(response.status).toBe(404);
    expect(m.pods['base/a@v1']!.requests).toHaveLength(0);
  });

  it('routes to DestinationRule subsets by labels', async () => {
    const m = await mesh({ 'base/mall@v1': ok({ v: 1 }), 'base/mall@v2': ok({ v: 2 }) }, `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: mall, namespace: base}
spec: {host: mall, subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: mall, namespace: base}
spec:
  hosts: [mall]
  http: [{route: [{destination: {host: mall, subset: v2}}]}]
`);
    const from = await m.sidecar('base');
    for (let i = 0; i < 4; i++) expect((await m.send(from, 'mall:7000')).body).toBe('{"v":2}');
  });

  it('injects aborts and delays', async () => {
    const m = await mesh({ 'base/scores@v1': ok() }, `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: scores, namespace: base}
spec:
  hosts: [scores]
  http:
  - match: [{headers: {end-user: {exact: jason}}}]
    fault: {delay: {fixedDelay: 200ms, percentage: {value: 100}}}
    route: [{destination: {host: scores}}]
  - fault: {abort: {httpStatus: 500, percentage: {value: 100}}}
    route: [{destination: {host: scores}}]
`);
    const from = await m.sidecar('base');
    const started = performance.now();
    expect((await m.send(from, 'scores:7000', '/', { 'end-user': 'jason' })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect((await m.send(from, 'scores:7000')).status).toBe(500);
    expect(m.pods['base/scores@v1']!.requests).toHaveLength(1);
  });

  it('retries 5xx up to attempts, and gives up with the last answer', async () => {
    let calls = 0;
    const m = await mesh({ 'base/flaky@v1': () => ({ status: ++calls < 3 ? 503 : 200, body: { calls } }) }, `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: flaky, namespace: base}
spec:
  hosts: [flaky]
  http: [{retries: {attempts: 2, retryOn: 5xx}, route: [{destination: {host: flaky}}]}]
`);
    const from = await m.sidecar('base');
    expect(await m.send(from, 'flaky:7000')).toMatchObject({ status: 200, body: '{"calls":3}' });
    calls = -10;
    expect((await m.send(from, 'flaky:7000')).status).toBe(503);
  });

  it('answers 504 after the route timeout', async () => {
    const m = await mesh({ 'base/slow@v1': () => ({ body: {}, delayMs: 1000 }) }, `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: slow, namespace: base}
spec:
  hosts: [slow]
  http: [{timeout: 100ms, route: [{destination: {host: slow}}]}]
`);
    const started = performance.now();
    const response = await m.send(await m.sidecar('base'), 'slow:7000');
    expect(response.status).toBe(504);
    expect(response.body).toContain('upstream request timeout');
    expect(performance.now() - started).toBeLessThan(800);
  });

  it('sets, adds and removes headers, rewrites the uri, and mirrors a copy with -shadow', async () => {
    const m = await mesh({ 'base/a@v1': ok(), 'base/b@v1': ok() }, `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: a, namespace: base}
spec:
  hosts: [a]
  http:
  - match: [{uri: {prefix: /old}}]
    rewrite: {uri: /new}
    headers:
      request: {set: {x-lane: base}, remove: [x-secret]}
      response: {add: {x-served-by: mesh-mall}}
    mirror: {host: b}
    route: [{destination: {host: a}}]
`);
    const response = await m.send(await m.sidecar('base'), 'a:7000', '/old/x?q=1', { 'x-secret': 's' });
    expect(response.headers['x-served-by']).toBe('mesh-mall');
    const seen = m.pods['base/a@v1']!.requests[0]!;
    expect(seen.url).toBe('/new/x?q=1');
    expect(seen.headers['x-lane']).toBe('base');
    expect(seen.headers['x-secret']).toBeUndefined();
    await expect.poll(() => m.pods['base/b@v1']!.requests.length, { timeout: 5000 }).toBe(1);
    expect(m.pods['base/b@v1']!.requests[0]!.headers.host).toBe('a-shadow:7000');
  });

  it("sends no mirrored copy that the shadow workload's AuthorizationPolicy denies", async () => {
    const m = await mesh({ 'base/a@v1': ok(), 'base/b@v1': ok(), 'base/c@v1': ok() }, `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: a, namespace: base}
spec:
  hosts: [a]
  http:
  - match: [{uri: {prefix: /one}}]
    mirror: {host: b}
    route: [{destination: {host: a}}]
  - mirror: {host: c}
    route: [{destination: {host: a}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: b-from-fox-only, namespace: base}
spec:
  selector: {matchLabels: {app: b}}
  rules: [{from: [{source: {namespaces: [fox]}}]}]
`);
    const from = await m.sidecar('base');
    expect((await m.send(from, 'a:7000', '/one')).status).toBe(200);
    expect((await m.send(from, 'a:7000', '/two')).status).toBe(200);
    // The copy to c left after the one to b would have: once c has its copy, b would have had its own.
    await expect.poll(() => m.pods['base/c@v1']!.requests.length, { timeout: 5000 }).toBe(1);
    expect(m.pods['base/b@v1']!.requests).toHaveLength(0);
  });

  it('enforces AuthorizationPolicy at the destination: 403 RBAC: access denied', async () => {
    const m = await mesh({ 'fox/favorites@v1': ok() }, `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: lane-only, namespace: fox}
spec:
  selector: {matchLabels: {app: favorites}}
  rules: [{from: [{source: {namespaces: [fox]}}]}]
`);
    const denied = await m.send(await m.sidecar('base'), 'favorites.fox:7000');
    expect(denied).toMatchObject({ status: 403, body: 'RBAC: access denied' });
    expect((await m.send(await m.sidecar('fox'), 'favorites.fox:7000')).status).toBe(200);
    expect(m.pods['fox/favorites@v1']!.requests).toHaveLength(1);
  });

  it('retries a refused connection on another endpoint by default, as Istio does', async () => {
    const m = await mesh({ 'base/users@v1': ok({ ok: true }) });
    m.registry.addPod({ name: 'users-dead', namespace: 'base', workload: 'users-v1', labels: { app: 'users', version: 'v1' }, serviceAccount: 'users', port: 1, ready: true });
    const from = await m.sidecar('base');
    for (let i = 0; i < 4; i++) expect((await m.send(from, 'users:7000')).status).toBe(200);
  });
});

describe('sidecar circuit breaking', () => {
  /** One `slow` workload answering after `delayMs`, its DestinationRule's connection pool, and its routes if given. */
  const slowService = (delayMs: number, connectionPool: string, http?: string) =>
    mesh(
      { 'base/slow@v1': () => ({ body: {}, delayMs }) },
      `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: slow, namespace: base}
spec: {host: slow, trafficPolicy: {connectionPool: ${connectionPool}}}
${http ? `---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: slow, namespace: base}\nspec: {hosts: [slow], http: ${http}}\n` : ''}`,
    );
  const twoAtOnce = (m: Mesh, from: Sidecar, other = from) => Promise.all([m.send(from, 'slow:7000'), m.send(other, 'slow:7000')]);

  it('refuses requests beyond the connection pool with 503 UO', async () => {
    const m = await slowService(300, '{http: {http2MaxRequests: 1}}');
    const from = await m.sidecar('base');
    const [first, second] = await twoAtOnce(m, from);
    expect([first.status, second.status].sort()).toEqual([200, 503]);
    expect([first.body, second.body].join()).toContain('reset reason: overflow');
    expect((await m.send(from, 'slow:7000')).status).toBe(200);
  });

  it('queues requests beyond maxConnections, and the wait counts against the route timeout (504 UT)', async () => {
    const m = await slowService(400, '{tcp: {maxConnections: 1}}', '[{timeout: 600ms, route: [{destination: {host: slow}}]}]');
    const answers = await twoAtOnce(m, await m.sidecar('base'));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 504]);
  });

  it('starts the per-try timeout once the attempt holds a connection, not while it waits for one', async () => {
    const m = await slowService(300, '{tcp: {maxConnections: 1}}', '[{retries: {attempts: 1, perTryTimeout: 500ms}, route: [{destination: {host: slow}}]}]');
    const answers = await twoAtOnce(m, await m.sidecar('base'));
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
  });

  it("counts the connection pool per calling proxy: another caller's request in flight does not overflow it", async () => {
    const m = await slowService(300, '{http: {http2MaxRequests: 1}}');
    const answers = await twoAtOnce(m, await m.sidecar('base'), await m.sidecar('base', { app: 'other', version: 'v1' }));
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
  });

  it('refuses a body over 1 MB with 413 JSON before it reaches the workload', async () => {
    const m = await mesh({ 'base/users@v1': ok() });
    const from = await m.sidecar('base');
    // Connection: close, so that the proxy lets the connection go once it has answered rather than once the client,
    // still sending, gives up on it: the test then ends without waiting for the client's keep-alive timeout.
    const answer = await m.send(from, 'users:7000', '/users', { 'content-type': 'application/json', connection: 'close' }, JSON.stringify({ name: 'x'.repeat(1024 * 1024) }));
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ error: 'Payload Too Large', message: 'request body too large' });
    expect(m.pods['base/users@v1']!.requests).toHaveLength(0);
  });
});
