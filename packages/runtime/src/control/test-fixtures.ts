import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseManifests, type Manifest } from '../api/manifests.js';
import { MeshTelemetry } from '../telemetry/mesh-telemetry.js';
import { STUB_SERVICES_DIR } from '../workloads/test-fixtures.js';
import { Runtime } from './runtime.js';

export const manifests = (yaml: string): Manifest[] => parseManifests(yaml, 'test.yaml').manifests;

/**
 * A namespace `shop` with the stub service (workloads/test-fixtures): its Service and a Deployment of `replicas`
 * pods that answer which pod and version they are, reached through the ingress gateway on every host.
 */
export function stubApp(options: { version?: string; replicas?: number } = {}): string {
  const { version = 'v1', replicas = 1 } = options;
  return `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: stub, namespace: shop}
spec:
  hosts: ["*"]
  gateways: [shop-gateway]
  http: [{route: [{destination: {host: stub}}]}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: shop-gateway, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: stub-v1, namespace: shop}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: stub}}
  template:
    metadata: {labels: {app: stub}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: stub
        image: mesh-mall/stub:${version}
        env:
        - {name: APP_VERSION, value: ${version}}
        - name: POD_NAME
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
---
apiVersion: v1
kind: Service
metadata: {name: stub, namespace: shop}
spec: {selector: {app: stub}, ports: [{name: http, port: 7000}]}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
`;
}

/** MongoDB as install/ runs it, in `namespace`: a Service and a StatefulSet whose image is not ours (never run locally). */
export function foreignMongo(namespace: string, container = ''): string {
  return `apiVersion: v1
kind: Service
metadata: {name: mongodb, namespace: ${namespace}}
spec: {selector: {app: mongodb}, ports: [{name: mongo, port: 27017}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: mongodb, namespace: ${namespace}}
spec:
  replicas: 1
  serviceName: mongodb
  selector: {matchLabels: {app: mongodb}}
  template:
    metadata: {labels: {app: mongodb}}
    spec: {containers: [{name: mongodb, image: mongo:7.0${container}}]}
`;
}

/** A Runtime over the stub services folder, with its own state directory; `stop` stops its pods and removes it. */
export async function stubRuntime() {
  const stateDir = await mkdtemp(join(tmpdir(), 'mesh-mall-runtime-'));
  const telemetry = new MeshTelemetry(join(stateDir, 'access.log'));
  const reports: string[] = [];
  const runtime = new Runtime({
    servicesDir: STUB_SERVICES_DIR,
    stateDir,
    telemetry,
    report: (message) => reports.push(message),
    capacity: { cpu: 8, memory: 2 ** 34, pods: 110 },
    startSlots: 2,
  });
  return {
    runtime,
    telemetry,
    reports,
    stateDir,
    stop: async () => {
      await runtime.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
