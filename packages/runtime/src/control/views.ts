import { namespaceOf, type VirtualServiceManifest, type WorkloadManifest } from './manifests.js';
import type { Runtime } from './runtime.js';
import { qualifyHost } from './istio/hosts.js';
import type { HttpMatch } from './istio/schemas.js';

/** What `mesh-mall get` shows: one table per kind of thing, plus the objects behind it for -o json|yaml. */
export interface View {
  columns: string[];
  rows: string[][];
  objects: unknown[];
}

export const VIEWS = ['workloads', 'services', 'routes', 'pods', 'topology'] as const;
export type ViewName = (typeof VIEWS)[number];

export function view(runtime: Runtime, name: ViewName): View {
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
          const target = runtime.cluster.resolveHost(`${s.metadata.name}.${namespaceOf(s)}`, namespaceOf(s));
          const endpoints = target ? runtime.cluster.endpoints(target).map((p) => `${p.name}:${p.port}`) : [];
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
              const to = r.route.map((d) => `${d.destination.host}${d.destination.subset ? `/${d.destination.subset}` : ''}${d.weight !== undefined ? ` ${d.weight}%` : ''}`).join(' + ');
              return `${r.name ? `${r.name}: ` : ''}${when} → ${to}`;
            })
            .join('; '),
        ]),
        objects: routes,
      };
    }
    case 'topology': {
      const topology = runtime.topology.snapshot();
      return {
        columns: ['FROM', 'TO', 'RPS', 'ERRORS', 'P50'],
        rows: topology.edges.map((e) => [e.source, e.destination, String(e.rps), `${(e.errorRate * 100).toFixed(1)}%`, `${e.p50Ms} ms`]),
        objects: [topology],
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

function describeMatch(match: HttpMatch): string {
  const parts: string[] = [];
  const describe = (m: { exact?: string; prefix?: string; regex?: string }) =>
    m.exact !== undefined ? `=${m.exact}` : m.prefix !== undefined ? `^=${m.prefix}` : m.regex !== undefined ? `~${m.regex}` : ' present';
  if (match.uri) parts.push(`uri${describe(match.uri)}`);
  if (match.method) parts.push(`method${describe(match.method)}`);
  for (const [name, m] of Object.entries(match.headers ?? {})) parts.push(`${name}${describe(m)}`);
  for (const [name, m] of Object.entries(match.withoutHeaders ?? {})) parts.push(`!${name}${describe(m)}`);
  for (const [name, m] of Object.entries(match.queryParams ?? {})) parts.push(`?${name}${describe(m)}`);
  if (match.sourceNamespace) parts.push(`from ns ${match.sourceNamespace}`);
  for (const [k, v] of Object.entries(match.sourceLabels ?? {})) parts.push(`from ${k}=${v}`);
  return parts.join(',') || '*';
}

