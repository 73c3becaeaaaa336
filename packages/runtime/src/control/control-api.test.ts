import type { Server } from 'node:http';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseDocuments } from '../api/manifests.js';
import { MeshTelemetry } from '../telemetry/mesh-telemetry.js';
import { startControl } from './control-api.js';
import type { Runtime } from './runtime.js';
import { stubApp, stubRuntime } from './test-fixtures.js';

let mesh: Awaited<ReturnType<typeof stubRuntime>>;
let control: { server: Server; url: string };

beforeAll(async () => {
  mesh = await stubRuntime();
  control = await startControl(mesh.runtime, mesh.telemetry, 0);
});
afterAll(async () => {
  control.server.close();
  await mesh.stop();
});

/** One request to the control API, the target sent as written. */
function call(method: string, path: string, body?: string | Buffer): Promise<{ status: number; type: string | undefined; body: string }> {
  const { port } = new URL(control.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: body === undefined ? {} : { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = async (method: string, path: string, body?: unknown) => {
  const answer = await call(method, path, body === undefined ? undefined : JSON.stringify(body));
  return { status: answer.status, body: JSON.parse(answer.body) as unknown };
};

const documents = (yaml: string) => ({ documents: parseDocuments(yaml, 'shop.yaml') });

describe('the control API', { timeout: 20_000 }, () => {
  it('listens on loopback, on a free port when asked for 0', () => {
    expect(control.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(control.url).not.toBe('http://127.0.0.1:0');
  });

  it('POST /apply: the results, warnings and cluster-only fields; GET views and proxy-config of what it made; POST /delete', async () => {
    const withExtras = `${stubApp().replace('image: mesh-mall/stub:v1', 'image: mesh-mall/stub:v1\n        securityContext: {runAsUser: 1000}')}---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {a: b}
`;
    expect(await json('POST', '/apply', documents(withExtras))).toEqual({
      status: 200,
      body: {
        results: [
          'namespace/shop created',
          'service/stub created',
          'deployment.apps/stub-v1 created',
          'gateway.networking.istio.io/shop-gateway created',
          'virtualservice.networking.istio.io/stub created',
        ],
        warnings: ['shop.yaml (document 6): ConfigMap settings is not used by the local runtime'],
        clusterOnly: ['securityContext'],
      },
    });

    const workloads = await json('GET', '/workloads');
    expect(workloads).toMatchObject({ status: 200, body: { columns: ['NAMESPACE', 'NAME', 'READY', 'VERSION', 'IMAGE'], rows: [['shop', 'stub-v1', '1/1', '-', 'mesh-mall/stub:v1']] } });
    const [pod] = mesh.runtime.pods();
    expect(await json('GET', '/services?watch=1')).toMatchObject({ status: 200, body: { rows: [['shop', 'stub', 'http/7000', `${pod!.name}:${pod!.port}`]] } });
    expect(await json('GET', '/pods')).toMatchObject({ status: 200, body: { rows: [['shop', pod!.name, '1/1', 'Running', '0', '-', String(pod!.pid), String(pod!.port), String(pod!.sidecarPort), '']] } });

    const table = (await json('GET', `/proxy-config/routes/${pod!.name}`)) as { status: number; body: { rows: string[][] } };
    expect(table.status).toBe(200);
    expect(table.body.rows).toEqual([['7000', 'stub.shop.svc.cluster.local:7000', 'stub, stub.shop + 2 more...', '*', 'default', 'stub.shop.svc.cluster.local → stub.shop.svc.cluster.local|', '-']]);
    const gateway = (await json('GET', '/proxy-config/routes/istio-ingressgateway')) as { status: number; body: { rows: string[][] } };
    expect(gateway.body.rows).toEqual([['http.80', '*:80', '*', '*', 'stub.shop#0', 'stub → stub.shop.svc.cluster.local|', 'stub.shop']]);

    expect(await json('POST', '/delete', documents(stubApp()))).toEqual({
      status: 200,
      body: {
        results: [
          'virtualservice.networking.istio.io/stub deleted',
          'gateway.networking.istio.io/shop-gateway deleted',
          'deployment.apps/stub-v1 deleted',
          'service/stub deleted',
          'namespace/shop deleted',
        ],
        warnings: [],
        clusterOnly: [],
      },
    });
    expect(await json('GET', '/workloads')).toMatchObject({ body: { rows: [] } });
  });

  it('GET /secrets: each Secret with its type, key count and age, never its values', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2025-06-01T12:00:00Z') });
    try {
      const secret = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: vault}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: vault}\nstringData: {user: root, token: s3cret}\n';
      expect(await json('POST', '/apply', documents(secret))).toMatchObject({ status: 200, body: { results: ['namespace/vault created', 'secret/creds created'] } });
      vi.setSystemTime(Date.parse('2025-06-01T12:01:30Z'));
      expect(await json('GET', '/secrets')).toEqual({
        status: 200,
        body: {
          columns: ['NAMESPACE', 'NAME', 'TYPE', 'DATA', 'AGE'],
          rows: [['vault', 'creds', 'Opaque', '2', '90s']],
          objects: [{ namespace: 'vault', name: 'creds', type: 'Opaque', data: { user: '4 bytes', token: '6 bytes' }, creationTimestamp: '2025-06-01T12:00:00Z' }],
        },
      });
      expect(JSON.stringify(await json('GET', '/secrets'))).not.toContain('s3cret');
      const [namespace, creds] = secret.split('---\n');
      expect(await json('POST', '/delete', documents(`${creds}---\n${namespace}`))).toMatchObject({ status: 200, body: { results: ['secret/creds deleted', 'namespace/vault deleted'] } });
    } finally {
      vi.useRealTimers();
    }
  });

  it('answers what apply refuses with 422 and the reason', async () => {
    expect(await json('POST', '/apply', documents('apiVersion: v1\nkind: Service\nmetadata: {name: stub, namespace: nowhere}\nspec: {ports: [{port: 80}]}\n'))).toEqual({
      status: 422,
      body: { error: 'Unprocessable Entity', message: 'service/stub: namespace "nowhere" not found (apply its Namespace first)' },
    });
    const cors = 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: stub, namespace: shop}\nspec: {hosts: [stub], http: [{corsPolicy: {}, route: [{destination: {host: stub}}]}]}\n';
    expect(await json('POST', '/apply', documents(cors))).toEqual({
      status: 422,
      body: {
        error: 'Unprocessable Entity',
        message: 'shop.yaml (document 1): VirtualService stub: spec.http[0].corsPolicy is not supported by the local runtime (valid on a cluster; README "What the local mesh implements")',
      },
    });
  });

  it('answers a malformed request with 400, a body over 8 MiB with 413, and anything else with 404 naming what there is', async () => {
    expect(await call('POST', '/apply', '{"documents": [')).toMatchObject({ status: 400, type: 'application/json', body: '{"error":"Bad Request","message":"body is not JSON"}' });
    expect(await json('POST', '/delete', { documents: [{ object: {} }] })).toEqual({
      status: 400,
      body: { error: 'Bad Request', message: 'body must be {"documents": [{"source": "...", "object": {...}}]}' },
    });
    expect(await json('GET', '/proxy-config/routes/%E0%A4%A')).toEqual({ status: 400, body: { error: 'Bad Request', message: 'malformed percent-encoding in "%E0%A4%A"' } });
    expect(await call('POST', '/apply', Buffer.alloc(8 * 1024 * 1024 + 1, 0x20))).toMatchObject({ status: 413, body: '{"error":"Payload Too Large","message":"request body too large"}' });
    expect(await json('GET', '/proxy-config/routes/stub-v1-000000')).toEqual({
      status: 404,
      body: { error: 'Not Found', message: 'no pod stub-v1-000000 (see mesh-mall get pods), and it is not istio-ingressgateway' },
    });
    const hint = 'try GET /workloads, /services, /secrets, /routes, /gateways, /httproutes, /pods, /topology, /proxy-config/routes/<pod>, /metrics or POST /apply, /delete';
    expect(await json('GET', '/deployments')).toEqual({ status: 404, body: { error: 'Not Found', message: `no GET /deployments; ${hint}` } });
    expect(await json('POST', '/workloads', {})).toEqual({ status: 404, body: { error: 'Not Found', message: `no POST /workloads; ${hint}` } });
  });

  it('refuses a body nesting deeper than the API server reads with 400, and answers one just within it without a 500', async () => {
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const body = (depth: number) => `{"documents": [{"source": "deep.json", "object": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "deep"}, "data": ${nested(depth)}}}]}`;
    expect(await call('POST', '/apply', body(200_000))).toMatchObject({ status: 400, body: '{"error":"Bad Request","message":"body is not JSON the API server reads: exceeded max depth (10000)"}' });
    expect(await call('POST', '/apply', body(9_990))).toMatchObject({ status: 200, body: '{"results":[],"warnings":["deep.json: ConfigMap deep is not used by the local runtime"],"clusterOnly":[]}' });
    const deployment = `{"documents": [{"source": "deep.json", "object": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "deep"}, "spec": {"x": ${nested(9_990)}}}}]}`;
    expect(await call('POST', '/apply', deployment)).toEqual({
      status: 422,
      type: 'application/json',
      body: '{"error":"Unprocessable Entity","message":"deep.json: Deployment deep: spec.selector: Invalid input: expected object, received undefined; spec.template: Invalid input: expected object, received undefined"}',
    });
  });

  it("serves Istio's metrics in Prometheus' text format", async () => {
    const metrics = await call('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.type).toBe(mesh.telemetry.metrics.contentType);
    expect(metrics.body).toBe(await mesh.telemetry.metrics.text());
  });

  it('answers an unexpected failure with 500 and keeps serving', async () => {
    const telemetry = new MeshTelemetry('/dev/null');
    const broken = { list: () => [], pods: () => { throw new TypeError('boom'); } } as unknown as Runtime;
    const other = await startControl(broken, telemetry, 0);
    try {
      const answer = await fetch(`${other.url}/pods`);
      expect(answer.status).toBe(500);
      expect(await answer.json()).toEqual({ error: 'Internal Server Error', message: 'internal error: boom' });
      expect((await fetch(`${other.url}/nothing`)).status).toBe(404);
    } finally {
      other.server.close();
      telemetry.close();
    }
  });

  it('says which port is taken when it cannot listen', async () => {
    const { port } = new URL(control.url);
    await expect(startControl(mesh.runtime, mesh.telemetry, Number(port))).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
