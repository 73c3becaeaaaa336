import { afterEach, describe, expect, it } from 'vitest';
import { ManifestError } from '../api/manifests.js';
import { foreignMongo, manifests, stubApp, stubRuntime } from './test-fixtures.js';

const running: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((stop) => stop()));
});

async function started() {
  const mesh = await stubRuntime();
  const gateway = mesh.runtime.ingressGateway();
  const port = await gateway.listen(0, '127.0.0.1');
  running.push(async () => {
    await gateway.close();
    await mesh.stop();
  });
  /** GET / through the ingress gateway: which pod and version answered. */
  const ask = async () => {
    const response = await fetch(`http://127.0.0.1:${port}/`);
    return { status: response.status, body: (await response.json().catch(() => undefined)) as { pod: string; version: string } | undefined };
  };
  return { ...mesh, ask };
}

/** Whether a process of this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Real pods of the stub service start and stop in each test.
describe('Runtime: apply and delete', { timeout: 20_000 }, () => {
  it('applies in dependency order, each object once; the pods are ready and routable when apply returns', async () => {
    const { runtime, ask, reports } = await started();
    expect(await runtime.apply(manifests(stubApp({ replicas: 2 })))).toEqual([
      'namespace/shop created',
      'service/stub created',
      'deployment.apps/stub-v1 created',
      'gateway.networking.istio.io/shop-gateway created',
      'virtualservice.networking.istio.io/stub created',
    ]);
    const pods = runtime.pods();
    expect(pods.map((p) => [p.namespace, p.workload, p.status, p.ready, p.restarts])).toEqual([
      ['shop', 'stub-v1', 'Running', true, 0],
      ['shop', 'stub-v1', 'Running', true, 0],
    ]);
    expect(
      runtime
        .endpoints('shop', 'stub')
        .map((p) => p.name)
        .sort(),
    ).toEqual(pods.map((p) => p.name).sort());
    const answer = await ask();
    expect(answer.status).toBe(200);
    expect(pods.map((p) => p.name)).toContain(answer.body!.pod);
    expect(answer.body!.version).toBe('v1');

    // The same objects again: nothing changes, no pod is replaced.
    expect(await runtime.apply(manifests(stubApp({ replicas: 2 })))).toEqual([
      'namespace/shop unchanged',
      'service/stub unchanged',
      'deployment.apps/stub-v1 unchanged',
      'gateway.networking.istio.io/shop-gateway unchanged',
      'virtualservice.networking.istio.io/stub unchanged',
    ]);
    expect(runtime.pods().map((p) => p.name)).toEqual(pods.map((p) => p.name));
    expect(reports).toEqual([]);
  });

  it('rolls out a changed template: new pods ready, the old ones stopped', async () => {
    const { runtime, ask } = await started();
    await runtime.apply(manifests(stubApp({ replicas: 2 })));
    const old = runtime.pods();
    expect(await runtime.apply(manifests(stubApp({ replicas: 2, version: 'v2' })))).toEqual([
      'namespace/shop unchanged',
      'service/stub unchanged',
      'deployment.apps/stub-v1 configured',
      'gateway.networking.istio.io/shop-gateway unchanged',
      'virtualservice.networking.istio.io/stub unchanged',
    ]);
    const now = runtime.pods();
    expect(now.map((p) => [p.status, p.ready])).toEqual([
      ['Running', true],
      ['Running', true],
    ]);
    expect(now.map((p) => p.name).filter((name) => old.some((o) => o.name === name))).toEqual([]);
    expect(old.map((p) => alive(p.pid!))).toEqual([false, false]);
    expect((await ask()).body!.version).toBe('v2');
  });

  it('answers every request during a rollout: old pods leave the endpoints before they stop', async () => {
    const { runtime, ask } = await started();
    await runtime.apply(manifests(stubApp({ replicas: 2 })));
    let rolling = true;
    const rollout = runtime.apply(manifests(stubApp({ replicas: 2, version: 'v2' }))).finally(() => (rolling = false));
    const answers: string[] = [];
    while (rolling) {
      const { status, body } = await ask();
      answers.push(`${status} ${body?.version}`);
    }
    await rollout;
    expect(answers.filter((a) => !a.startsWith('200 '))).toEqual([]);
    // The new pods take a moment to start: the first answers are the old version's.
    expect(answers[0]).toBe('200 v1');
    for (let i = 0; i < 5; i++) {
      const { status, body } = await ask();
      expect(`${status} ${body?.version}`).toBe('200 v2');
    }
  });

  it('deletes objects by name, a Namespace with everything in it, and says what was not there', async () => {
    const { runtime, ask } = await started();
    await runtime.apply(manifests(stubApp()));
    const [pod] = runtime.pods();
    expect(await runtime.delete(manifests('apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n'))).toEqual(['namespace/shop deleted']);
    expect(runtime.list()).toEqual([]);
    expect(runtime.pods()).toEqual([]);
    expect(runtime.endpoints('shop', 'stub')).toEqual([]);
    expect(alive(pod!.pid!)).toBe(false);
    // No route at the gateway any more: Envoy's 404 for no route.
    expect((await ask()).status).toBe(404);
    expect(await runtime.delete(manifests(stubApp()))).toEqual([
      'virtualservice.networking.istio.io/stub not found',
      'gateway.networking.istio.io/shop-gateway not found',
      'deployment.apps/stub-v1 not found',
      'service/stub not found',
      'namespace/shop not found',
    ]);
  });

  it('deletes a file that lists its Namespace first: what the Namespace took with it is deleted too, as kubectl says', async () => {
    const { runtime } = await started();
    const app = manifests(stubApp());
    await runtime.apply(app);
    const namespaceFirst = [...app.filter((m) => m.kind === 'Namespace'), ...app.filter((m) => m.kind !== 'Namespace')];
    expect(await runtime.delete(namespaceFirst)).toEqual([
      'namespace/shop deleted',
      'virtualservice.networking.istio.io/stub deleted',
      'gateway.networking.istio.io/shop-gateway deleted',
      'deployment.apps/stub-v1 deleted',
      'service/stub deleted',
    ]);
    expect(runtime.list()).toEqual([]);
    expect(runtime.pods()).toEqual([]);
  });

  it('shows the compiled route table of a pod, of the ingress gateway, and of no such proxy', async () => {
    const { runtime } = await started();
    await runtime.apply(manifests(stubApp()));
    const [pod] = runtime.pods();
    const sidecar = runtime.routeTable(pod!.name);
    expect(sidecar && 'sidecar' in sidecar && sidecar.sidecar.virtualHosts.map((h) => h.name)).toEqual(['stub.shop.svc.cluster.local:7000']);
    const ingress = runtime.routeTable('istio-ingressgateway');
    expect(ingress && 'ingress' in ingress && ingress.ingress.virtualHosts.map((h) => `${h.domain}:${h.port}`)).toEqual(['*:80']);
    expect(runtime.routeTable('stub-v1-000000')).toBeUndefined();
  });

  it('refuses objects in a namespace that does not exist, and Istio objects Istio would refuse, applying none of them', async () => {
    const { runtime } = await started();
    await expect(runtime.apply(manifests('apiVersion: v1\nkind: Service\nmetadata: {name: stub, namespace: nowhere}\nspec: {ports: [{port: 80}]}\n'))).rejects.toThrow(
      new ManifestError('service/stub: namespace "nowhere" not found (apply its Namespace first)'),
    );
    const refused = manifests(`
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: a, namespace: shop}
spec:
  hosts: [stub]
  http: [{route: [{destination: {host: stub}, weight: 0}, {destination: {host: other}, weight: 0}]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: b, namespace: shop}
spec:
  hosts: [stub]
  http: [{route: [{destination: {host: stub}}]}]
`);
    await expect(runtime.apply(refused)).rejects.toThrow(
      new ManifestError(
        'VirtualService shop/a: http[0] route weights add up to 0: with several destinations, give at least one a weight; VirtualService shop/b: host stub.shop.svc.cluster.local already has VirtualService shop/a; use one VirtualService per host',
      ),
    );
    expect(runtime.list()).toEqual([]);
  });

  it('fails the rollout of a pod whose Secret is missing, and starts it once the Secret is applied', async () => {
    const { runtime, stateDir } = await started();
    const app = manifests(`
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: stub-v1, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: stub}}
  template:
    metadata: {labels: {app: stub}}
    spec:
      containers:
      - name: stub
        image: mesh-mall/stub:v1
        env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: creds, key: token}}}]
`);
    await expect(runtime.apply(app)).rejects.toThrow(new ManifestError('rollout failed: shop/stub-v1: secret "creds" not found'));
    expect(runtime.pods()).toEqual([]);
    expect(await runtime.apply(manifests('apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: shop}\nstringData: {token: s3cret}\n'))).toEqual(['secret/creds created']);
    const [pod] = runtime.pods();
    expect(pod).toMatchObject({ workload: 'stub-v1', status: 'Running', ready: true });
    const env = (await (await fetch(`http://127.0.0.1:${pod!.port}/env`)).json()) as Record<string, string>;
    expect(env).toMatchObject({ TOKEN: 's3cret', PORT: '0', HOST: '127.0.0.1', DATA_DIR: `${stateDir}/data/shop/stub-v1` });
    expect(env.MESH_OUTBOUND_URL).toBe(`http://127.0.0.1:${pod!.sidecarPort}`);
  });

  it('fails the rollout of a pod whose process exits before it listens, leaving nothing of it behind', async () => {
    const { runtime, reports, stateDir } = await started();
    const failing = manifests(stubApp()).map((m) =>
      m.kind === 'Deployment' ? { ...m, spec: { ...m.spec, template: { ...m.spec.template, spec: { ...m.spec.template.spec, containers: [{ ...m.spec.template.spec.containers[0]!, env: [{ name: 'STUB_EXIT_AT_START', value: '3' }] }] } } } } : m,
    );
    const applying = runtime.apply(failing);
    await expect(applying).rejects.toThrow(ManifestError);
    const pod = /^shop\/(stub-v1-[\da-f]{6}) exited \(Error, exit code 3\); restart 1$/.exec(reports[0]!)![1]!;
    await expect(applying).rejects.toThrow(`rollout failed: shop/${pod} exited with code 3 before listening (see ${stateDir}/logs/shop/${pod}.log)`);
    expect(reports).toEqual([`shop/${pod} exited (Error, exit code 3); restart 1`]);
    expect(runtime.pods()).toEqual([]);
    expect(runtime.endpoints('shop', 'stub')).toEqual([]);
    // The objects are stored all the same, as on a cluster: the Deployment is there, its pods are not.
    expect(runtime.list().map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(['Namespace/shop', 'Service/stub', 'Deployment/stub-v1', 'Gateway/shop-gateway', 'VirtualService/stub']);
  });

  it('does not run a workload whose image is not ours, and leaves unset what points only at it, saying each once', async () => {
    const { runtime, reports } = await started();
    await runtime.apply(
      manifests(`
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
${foreignMongo('shop')}---
apiVersion: apps/v1
kind: Deployment
metadata: {name: stub-v1, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: stub}}
  template:
    metadata: {labels: {app: stub}}
    spec:
      containers:
      - name: stub
        image: mesh-mall/stub:v1
        env: [{name: MONGO_URL, value: "mongodb://mongodb:27017/shop"}, {name: USERS_URL, value: "http://users.base.svc.cluster.local:7000"}]
`),
    );
    expect(runtime.isForeign('shop', 'mongodb')).toBe(true);
    expect(runtime.isForeign('shop', 'stub-v1')).toBe(false);
    expect(reports).toEqual([
      'shop/mongodb: image mongo:7.0 is not a mesh-mall image; not run locally',
      'MONGO_URL points at mongodb.shop.svc.cluster.local, which is not run locally; leaving it unset',
    ]);
    for (const pod of runtime.pods()) {
      const env = (await (await fetch(`http://127.0.0.1:${pod.port}/env`)).json()) as Record<string, string>;
      expect(env.MONGO_URL).toBeUndefined();
      expect(env.USERS_URL).toBe('http://users.base.svc.cluster.local:7000');
    }
  });
});
