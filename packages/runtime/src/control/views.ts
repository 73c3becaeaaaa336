import { isGatewayApi, namespaceOf, type HttpRouteManifest, type K8sGatewayManifest, type SecretManifest, type VirtualServiceManifest, type WorkloadManifest } from '../api/manifests.js';
import { gatewayStatus, httpRouteStatus, type RouteParentStatus } from '../istio/gateway-api-status.js';
import { describeDestination, describeMatch } from '../istio/describe.js';
import { qualifyHost } from '../istio/hosts.js';
import type { TopologyRecorder } from '../telemetry/topology.js';
import { humanDuration } from './age.js';
import type { Runtime } from './runtime.js';

/** What `mesh-mall get` shows: one table per kind of thing, plus the objects behind it for -o json|yaml. */
export interface View {
  columns: string[];
  rows: string[][];
  objects: unknown[];
}

export const VIEWS = ['workloads', 'services', 'secrets', 'routes', 'gateways', 'httproutes', 'pods', 'topology'] as const;
export type ViewName = (typeof VIEWS)[number];

export function view(runtime: Runtime, topology: TopologyRecorder, name: ViewName): View {
  const objects = runtime.list();
  const pods = runtime.pods();
  switch (name) {
    case 'workloads': {
      const workloads = objects.filter((o): o is WorkloadManifest => o.kind === 'Deployment' || o.kind === 'StatefulSet');
      return {
        columns: ['NAMESPACE', 'NAME', 'READY', 'VERSION', 'IMAGE'],
        rows: workloads.map((w) => {
          const mine = pods.filter((p) => p.namespace === namespaceOf(w) && p.workload === w.metadata.name);
          const runs = !runtime.isForeign(namespaceOf(w), w.metadata.name);
          return [
            namespaceOf(w),
            w.metadata.name,
            runs ? `${mine.filter((p) => p.ready).length}/${w.spec.replicas}` : 'not run locally',
            w.spec.template.metadata.labels.version ?? '-',
            w.spec.template.spec.containers[0]!.image,
          ];
        }),
        objects: workloads,
      };
    }
    case 'services': {
      const services = objects.filter((o) => o.kind === 'Service');
      return {
        columns: ['NAMESPACE', 'NAME', 'PORTS', 'ENDPOINTS'],
        rows: services.map((s) => {
          const endpoints = runtime.endpoints(namespaceOf(s), s.metadata.name).map((p) => `${p.name}:${p.port}`);
          return [namespaceOf(s), s.metadata.name, s.spec.ports.map((p) => `${p.name ?? ''}/${p.port}`).join(','), endpoints.join(',') || '<none>'];
        }),
        objects: services,
      };
    }
    case 'secrets': {
      // kubectl get secrets -A: NAMESPACE NAME TYPE DATA AGE. Values are never shown: -o json|yaml gives each key's
      // size, as kubectl describe secret does.
      const secrets = objects.filter((o): o is SecretManifest => o.kind === 'Secret');
      const now = Date.now();
      return {
        columns: ['NAMESPACE', 'NAME', 'TYPE', 'DATA', 'AGE'],
        rows: secrets.map((s) => [namespaceOf(s), s.metadata.name, s.type, String(Object.keys(s.data).length), humanDuration(now - runtime.createdAt(s) * 1000)]),
        objects: secrets.map((s) => ({
          namespace: namespaceOf(s),
          name: s.metadata.name,
          type: s.type,
          data: Object.fromEntries(Object.entries(s.data).map(([key, value]) => [key, `${Buffer.from(value, 'base64').length} bytes`])),
          creationTimestamp: new Date(runtime.createdAt(s) * 1000).toISOString().replace('.000Z', 'Z'),
        })),
      };
    }
    case 'routes': {
      const routes = objects.filter((o): o is VirtualServiceManifest => o.kind === 'VirtualService');
      return {
        columns: ['NAMESPACE', 'NAME', 'HOSTS', 'GATEWAYS', 'ROUTES'],
        rows: routes.map((vs) => [
          namespaceOf(vs),
          vs.metadata.name,
          vs.spec.hosts.map((h) => qualifyHost(h, namespaceOf(vs))).join(','),
          (vs.spec.gateways ?? ['mesh']).join(','),
          vs.spec.http
            .map((r) => {
              const when = r.match?.map(describeMatch).join(' | ') ?? '*';
              return `${r.name ? `${r.name}: ` : ''}${when} → ${r.route.map(describeDestination).join(' + ')}`;
            })
            .join('; '),
        ]),
        objects: routes,
      };
    }
    case 'gateways': {
      // kubectl get gateways.gateway.networking.k8s.io -A: NAMESPACE NAME CLASS ADDRESS PROGRAMMED AGE, the address
      // being where the local proxy listens for each listener port.
      const config = runtime.meshConfig().gatewayApi;
      const listeners = runtime.gatewayListeners();
      const now = Date.now();
      const gateways = objects.filter((o): o is K8sGatewayManifest => o.kind === 'Gateway' && isGatewayApi(o));
      const rows = gateways.map((gw) => {
        const mine = listeners.filter((l) => l.deployment.namespace === namespaceOf(gw) && l.deployment.gateway === gw.metadata.name);
        // From the stored object: an apply in progress stores it before its configuration takes effect.
        const gateway = { namespace: namespaceOf(gw), name: gw.metadata.name, spec: gw.spec };
        return { gw, mine, status: gatewayStatus(gateway, config, mine.length > 0 ? '127.0.0.1' : undefined) };
      });
      return {
        columns: ['NAMESPACE', 'NAME', 'CLASS', 'ADDRESS', 'PROGRAMMED', 'AGE'],
        rows: rows.map(({ gw, mine, status }) => [
          namespaceOf(gw),
          gw.metadata.name,
          gw.spec.gatewayClassName,
          mine.map((l) => `localhost:${l.localPort} (port ${l.port})`).join(',') || '<none>',
          status.conditions.find((c) => c.type === 'Programmed')!.status,
          humanDuration(now - runtime.createdAt(gw) * 1000),
        ]),
        objects: rows.map(({ gw, mine, status }) => ({ ...gw, status: { ...status, localListeners: mine.map((l) => ({ port: l.port, url: `http://localhost:${l.localPort}` })) } })),
      };
    }
    case 'httproutes': {
      // kubectl get httproutes -A: NAMESPACE NAME HOSTNAMES AGE, with the status istiod writes (-o yaml).
      const config = runtime.meshConfig().gatewayApi;
      const exists = (namespace: string, name: string) => runtime.hasService(namespace, name);
      const now = Date.now();
      const routes = objects.filter((o): o is HttpRouteManifest => o.kind === 'HTTPRoute');
      const rows = routes.map((route) => ({ route, parents: httpRouteStatus({ namespace: namespaceOf(route), name: route.metadata.name, spec: route.spec }, config, exists) }));
      const condition = (parents: RouteParentStatus[], type: string) => parents.map((p) => p.conditions.find((c) => c.type === type)!).map((c) => (c.status === 'True' ? 'True' : c.reason)).join(',') || '-';
      return {
        columns: ['NAMESPACE', 'NAME', 'HOSTNAMES', 'PARENTS', 'ACCEPTED', 'RESOLVED-REFS', 'AGE'],
        rows: rows.map(({ route, parents }) => [
          namespaceOf(route),
          route.metadata.name,
          (route.spec.hostnames ?? []).join(',') || '*',
          route.spec.parentRefs.map((r) => `${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}${r.sectionName ? `/${r.sectionName}` : ''}${r.port ? `:${r.port}` : ''}`).join(','),
          condition(parents, 'Accepted'),
          condition(parents, 'ResolvedRefs'),
          humanDuration(now - runtime.createdAt(route) * 1000),
        ]),
        objects: rows.map(({ route, parents }) => ({ ...route, status: { parents } })),
      };
    }
    case 'topology': {
      const snapshot = topology.snapshot();
      return {
        columns: ['FROM', 'TO', 'RPS', 'ERRORS', 'P50', 'P99'],
        rows: snapshot.edges.map((e) => [e.source, e.destination, String(e.rps), `${(e.errorRate * 100).toFixed(1)}%`, `${e.p50Ms} ms`, `${e.p99Ms} ms`]),
        objects: [snapshot],
      };
    }
    case 'pods':
      // kubectl get pods' NAME READY STATUS RESTARTS, with the pod's last termination, its process and sidecar, and
      // why it is not running (the scheduler's or the kubelet's message).
      return {
        columns: ['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'LAST-STATE', 'PID', 'PORT', 'SIDECAR', 'MESSAGE'],
        rows: pods.map((p) => [
          p.namespace,
          p.name,
          p.ready ? '1/1' : '0/1',
          p.status,
          p.restarts > 0 && p.lastState ? `${p.restarts} (${humanDuration(Date.now() - Date.parse(p.lastState.finishedAt))} ago)` : String(p.restarts),
          p.lastState ? `${p.lastState.reason} (exit code ${p.lastState.exitCode})` : '-',
          String(p.pid ?? '-'),
          String(p.port ?? '-'),
          String(p.sidecarPort ?? '-'),
          p.message ?? '',
        ]),
        objects: pods,
      };
  }
}
