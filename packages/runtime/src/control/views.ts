import { namespaceOf, type VirtualServiceManifest, type WorkloadManifest } from '../api/manifests.js';
import { describeDestination, describeMatch } from '../istio/describe.js';
import { qualifyHost } from '../istio/hosts.js';
import type { TopologyRecorder } from '../telemetry/topology.js';
import type { Runtime } from './runtime.js';

/** What `mesh-mall get` shows: one table per kind of thing, plus the objects behind it for -o json|yaml. */
export interface View {
  columns: string[];
  rows: string[][];
  objects: unknown[];
}

export const VIEWS = ['workloads', 'services', 'routes', 'pods', 'topology'] as const;
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
          const mine = pods.filter((p) => p.pod.namespace === namespaceOf(w) && p.pod.workload === w.metadata.name);
          const runs = mine.length > 0 || w.spec.replicas === 0;
          return [
            namespaceOf(w),
            w.metadata.name,
            runs ? `${mine.filter((p) => p.pod.ready).length}/${w.spec.replicas}` : 'not run locally',
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
    case 'topology': {
      const snapshot = topology.snapshot();
      return {
        columns: ['FROM', 'TO', 'RPS', 'ERRORS', 'P50', 'P99'],
        rows: snapshot.edges.map((e) => [e.source, e.destination, String(e.rps), `${(e.errorRate * 100).toFixed(1)}%`, `${e.p50Ms} ms`, `${e.p99Ms} ms`]),
        objects: [snapshot],
      };
    }
    case 'pods':
      return {
        columns: ['NAMESPACE', 'NAME', 'READY', 'RESTARTS', 'PID', 'PORT', 'SIDECAR'],
        rows: pods.map(({ pod, pid, restarts, sidecarPort }) => [pod.namespace, pod.name, pod.ready ? '1/1' : '0/1', String(restarts), String(pid ?? '-'), String(pod.port ?? '-'), String(sidecarPort ?? '-')]),
        objects: pods.map(({ pod, pid, restarts, sidecarPort }) => ({ ...pod, pid, restarts, sidecarPort })),
      };
  }
}
