import { afterEach, describe, expect, it, vi } from 'vitest';
import { isIstio, parseManifests, type Manifest } from '../api/manifests.js';
import { MeshConfig } from '../istio/mesh-config.js';
import type { Pod } from '../k8s/identity.js';
import { TopologyRecorder } from '../telemetry/topology.js';
import type { PodStatus } from './pod-status.js';
import type { Runtime } from './runtime.js';
import { view } from './views.js';

afterEach(() => {
  vi.useRealTimers();
});

const NOW = Date.parse('2025-06-01T12:00:00Z');

const OBJECTS = parseManifests(
  `
apiVersion: v1
kind: Namespace
metadata: {name: base}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: users-v1, namespace: base}
spec:
  replicas: 2
  selector: {matchLabels: {app: users}}
  template:
    metadata: {labels: {app: users, version: v1}}
    spec: {containers: [{name: users, image: registry.example/mesh-mall/users:v1}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: mongodb, namespace: base}
spec:
  replicas: 1
  serviceName: mongodb
  selector: {matchLabels: {app: mongodb}}
  template:
    metadata: {labels: {app: mongodb}}
    spec: {containers: [{name: mongodb, image: mongo:7.0}]}
---
apiVersion: v1
kind: Service
metadata: {name: users, namespace: base}
spec:
  selector: {app: users}
  ports: [{name: http, port: 7000}, {port: 9090}]
---
apiVersion: v1
kind: Service
metadata: {name: mongodb, namespace: base}
spec:
  selector: {app: mongodb}
  ports: [{name: mongo, port: 27017}]
---
apiVersion: v1
kind: Secret
metadata: {name: mongodb-root, namespace: base}
stringData: {username: root, password: mesh-mall-demo-only}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: users, namespace: jason}
spec:
  hosts: [users.base.svc.cluster.local]
  http:
  - name: jason-lane
    match: [{headers: {end-user: {exact: jason}}}, {uri: {prefix: /jason}}]
    route: [{destination: {host: users.jason.svc.cluster.local}}]
  - route: [{destination: {host: users, subset: v1}, weight: 90}, {destination: {host: users, subset: v2}, weight: 10}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: mall, namespace: base}
spec:
  hosts: ["*"]
  gateways: [mall-gateway]
  http: [{route: [{destination: {host: mall}}]}]
`,
  'objects.yaml',
).manifests;

const usersPod = (name: string, port: number, ready: boolean): Pod => ({ name, namespace: 'base', workload: 'users-v1', labels: { app: 'users', version: 'v1' }, serviceAccount: 'default', port, ready });

const status = (pod: Pod, fields: Partial<PodStatus>): PodStatus => ({
  ...pod,
  status: 'Running',
  message: undefined,
  restarts: 0,
  lastState: undefined,
  pid: undefined,
  sidecarPort: undefined,
  startedAt: undefined,
  readyAt: undefined,
  ...fields,
});

const PODS: PodStatus[] = [
  status(usersPod('users-v1-a1b2c3', 40001, true), { pid: 1234, sidecarPort: 41001 }),
  status(usersPod('users-v1-d4e5f6', 40002, false), {
    status: 'CrashLoopBackOff',
    message: 'back-off 20s restarting failed container=users pod=users-v1-d4e5f6_base',
    restarts: 3,
    lastState: { reason: 'OOMKilled', exitCode: 137, finishedAt: new Date(NOW - 75_000).toISOString() },
    pid: 1240,
    sidecarPort: 41002,
  }),
  status({ ...usersPod('users-v1-0a0b0c', 0, false), port: undefined }, {
    status: 'Pending',
    message: '0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
  }),
];

/** The runtime as the views read it: its objects, pods, endpoints and creation times. */
function runtime(objects: Manifest[] = OBJECTS, pods: PodStatus[] = PODS): Runtime {
  return {
    list: () => objects,
    pods: () => pods,
    isForeign: (namespace: string, name: string) => namespace === 'base' && name === 'mongodb',
    endpoints: (namespace: string, name: string) => pods.filter((p) => p.namespace === namespace && p.labels.app === name && p.ready),
    // The Secret was created 3 days, 4 hours before NOW.
    createdAt: () => (NOW - (3 * 24 + 4) * 3_600_000) / 1000,
  } as unknown as Runtime;
}

describe('mesh-mall get: the Gateway API views', () => {
  const objects = parseManifests(
    `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: mall, namespace: base}
spec: {gatewayClassName: istio, listeners: [{name: http, port: 80, protocol: HTTP}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: mall, namespace: base}
spec: {parentRefs: [{name: mall}], rules: [{backendRefs: [{name: mall-v1, port: 7000}, {name: mall-v3, port: 7000}]}]}
`,
    'gw.yaml',
  ).manifests;
  const withGateway = () =>
    Object.assign(runtime(objects, []), {
      meshConfig: () => MeshConfig.fromManifests(objects.filter(isIstio)),
      gatewayListeners: () => [{ deployment: { namespace: 'base', gateway: 'mall' }, port: 80, localPort: 43210 }],
      hasService: (_: string, name: string) => name === 'mall-v1',
    });

  it("gateways: class, where the local proxy listens for each listener port, and the status istiod writes", () => {
    vi.useFakeTimers({ now: NOW });
    const result = view(withGateway(), new TopologyRecorder(), 'gateways');
    expect(result.columns).toEqual(['NAMESPACE', 'NAME', 'CLASS', 'ADDRESS', 'PROGRAMMED', 'AGE']);
    expect(result.rows).toEqual([['base', 'mall', 'istio', 'localhost:43210 (port 80)', 'True', '3d4h']]);
    expect(result.objects[0]).toMatchObject({ status: { addresses: [{ type: 'IPAddress', value: '127.0.0.1' }], listeners: [{ name: 'http', attachedRoutes: 1 }], localListeners: [{ port: 80, url: 'http://localhost:43210' }] } });
  });

  it('httproutes: parents and their Accepted and ResolvedRefs conditions, the whole status with -o', () => {
    vi.useFakeTimers({ now: NOW });
    const result = view(withGateway(), new TopologyRecorder(), 'httproutes');
    expect(result.columns).toEqual(['NAMESPACE', 'NAME', 'HOSTNAMES', 'PARENTS', 'ACCEPTED', 'RESOLVED-REFS', 'AGE']);
    expect(result.rows).toEqual([['base', 'mall', '*', 'Gateway/mall', 'True', 'BackendNotFound', '3d4h']]);
    expect(result.objects[0]).toMatchObject({
      status: { parents: [{ controllerName: 'istio.io/gateway-controller', conditions: [{ type: 'Accepted', status: 'True' }, { type: 'ResolvedRefs', status: 'False', message: 'backend(mall-v3.base.svc.cluster.local) not found' }] }] },
    });
  });
});

describe('mesh-mall get: the views', () => {
  it('workloads: READY as ready/replicas, "not run locally" for an image that is not ours, the version label', () => {
    const result = view(runtime(), new TopologyRecorder(), 'workloads');
    expect(result.columns).toEqual(['NAMESPACE', 'NAME', 'READY', 'VERSION', 'IMAGE']);
    expect(result.rows).toEqual([
      ['base', 'users-v1', '1/2', 'v1', 'registry.example/mesh-mall/users:v1'],
      ['base', 'mongodb', 'not run locally', '-', 'mongo:7.0'],
    ]);
    expect(result.objects.map((o) => (o as Manifest).metadata.name)).toEqual(['users-v1', 'mongodb']);
  });

  it('services: each port as name/port, the ready endpoints as pod:port, <none> without any', () => {
    const result = view(runtime(), new TopologyRecorder(), 'services');
    expect(result.columns).toEqual(['NAMESPACE', 'NAME', 'PORTS', 'ENDPOINTS']);
    expect(result.rows).toEqual([
      ['base', 'users', 'http/7000,/9090', 'users-v1-a1b2c3:40001'],
      ['base', 'mongodb', 'mongo/27017', '<none>'],
    ]);
  });

  it('secrets: as kubectl get secrets -A, never the values; -o json gives each key\'s size', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const result = view(runtime(), new TopologyRecorder(), 'secrets');
    expect(result.columns).toEqual(['NAMESPACE', 'NAME', 'TYPE', 'DATA', 'AGE']);
    expect(result.rows).toEqual([['base', 'mongodb-root', 'Opaque', '2', '3d4h']]);
    expect(result.objects).toEqual([
      { namespace: 'base', name: 'mongodb-root', type: 'Opaque', data: { username: '4 bytes', password: '19 bytes' }, creationTimestamp: '2025-05-29T08:00:00Z' },
    ]);
  });

  it('routes: hosts qualified in the VirtualService\'s namespace, mesh when no gateway is named, each route in a line', () => {
    const result = view(runtime(), new TopologyRecorder(), 'routes');
    expect(result.columns).toEqual(['NAMESPACE', 'NAME', 'HOSTS', 'GATEWAYS', 'ROUTES']);
    expect(result.rows).toEqual([
      [
        'jason',
        'users',
        'users.base.svc.cluster.local',
        'mesh',
        'jason-lane: end-user=jason | uri^=/jason → users.jason.svc.cluster.local; * → users/v1 90% + users/v2 10%',
      ],
      ['base', 'mall', '*', 'mall-gateway', '* → mall'],
    ]);
  });

  it('pods: READY, STATUS, restarts with how long ago the last one ended, its last state and why it is not running', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const result = view(runtime(), new TopologyRecorder(), 'pods');
    expect(result.columns).toEqual(['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'LAST-STATE', 'PID', 'PORT', 'SIDECAR', 'MESSAGE']);
    expect(result.rows).toEqual([
      ['base', 'users-v1-a1b2c3', '1/1', 'Running', '0', '-', '1234', '40001', '41001', ''],
      ['base', 'users-v1-d4e5f6', '0/1', 'CrashLoopBackOff', '3 (75s ago)', 'OOMKilled (exit code 137)', '1240', '40002', '41002', 'back-off 20s restarting failed container=users pod=users-v1-d4e5f6_base'],
      [
        'base',
        'users-v1-0a0b0c',
        '0/1',
        'Pending',
        '0',
        '-',
        '-',
        '-',
        '-',
        '0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
      ],
    ]);
    expect(result.objects).toBe(PODS);
  });

  it('topology: the edges of the last minute with rps, error rate and latency', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const topology = new TopologyRecorder();
    const end = (workload: string, version: string) => ({ namespace: 'base', workload, version });
    for (let i = 0; i < 30; i++) topology.record({ source: end('mall-v1', 'v1'), destination: end('users-v1', 'v1'), status: i < 3 ? 503 : 200, durationMs: 12, at: NOW - 1000 - i * 1000 });
    const result = view(runtime([], []), topology, 'topology');
    expect(result.columns).toEqual(['FROM', 'TO', 'RPS', 'ERRORS', 'P50', 'P99']);
    expect(result.rows).toEqual([['base/mall-v1', 'base/users-v1', '0.5', '10.0%', '12 ms', '12 ms']]);
    expect(result.objects).toEqual([topology.snapshot()]);
  });

  it('lists nothing, under the same columns, when nothing is applied', () => {
    for (const name of ['workloads', 'services', 'secrets', 'routes', 'gateways', 'httproutes', 'pods'] as const) {
      const empty = Object.assign(runtime([], []), { meshConfig: () => new MeshConfig(), gatewayListeners: () => [] });
      expect(view(empty, new TopologyRecorder(), name)).toMatchObject({ rows: [], objects: [] });
    }
  });
});
