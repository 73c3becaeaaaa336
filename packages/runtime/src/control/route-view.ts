import type { IngressRoutes, ListedVirtualHost, SidecarRoutes } from '../istio/compile.js';
import { describeDestination, describeMatch } from '../istio/describe.js';
import type { Resolution, VirtualHost } from '../istio/route-table.js';
import type { View } from './views.js';

/** One route of a compiled table, as `proxy-config routes -o json` prints it. */
interface RouteEntry {
  name: string;
  match: string[];
  destinations: { written: string; upstream?: string; error?: string }[];
  mirror?: string | undefined;
}

interface VirtualHostEntry {
  /** The listener port whose route table holds it (istioctl's NAME). */
  name: string;
  vhost: string;
  domains: string[];
  virtualService: string | undefined;
  routes: RouteEntry[];
}

const COLUMNS = ['NAME', 'VHOST NAME', 'DOMAINS', 'MATCH', 'ROUTE', 'DESTINATIONS', 'VIRTUAL SERVICE'];

/**
 * A sidecar's compiled outbound table, as `istioctl proxy-config routes POD` shows an Envoy's: one row per route of
 * each virtual host, with the destinations as they were resolved for this caller (upstream `<fqdn>|<subset>`).
 */
export function sidecarRouteView(table: SidecarRoutes): View {
  return render(table.virtualHosts.map(sidecarEntry));
}

/** The ingress gateway's table: each virtual host its Gateways and VirtualServices make, and its routes. */
export function ingressRouteView(table: IngressRoutes): View {
  const entries = table.virtualHosts.map(({ port, domain, entry }): VirtualHostEntry => ({
    name: `http.${port}`,
    vhost: `${domain}:${port}`,
    domains: [domain],
    ...routesOf(entry.host),
  }));
  return render(entries);
}

function sidecarEntry(listed: ListedVirtualHost): VirtualHostEntry {
  return { name: String(listed.port), vhost: listed.name, domains: listed.domains, ...routesOf(listed.host) };
}

function routesOf(host: VirtualHost): Pick<VirtualHostEntry, 'virtualService' | 'routes'> {
  if (host.passthrough) return { virtualService: undefined, routes: [{ name: 'default', match: ['*'], destinations: [{ written: host.passthrough.target.fqdn, upstream: host.passthrough.key }] }] };
  return {
    virtualService: host.virtualService && `${host.virtualService.name}.${host.virtualService.namespace}`,
    routes: host.routes.map(({ route, destinations, mirror }) => ({
      name: route.name,
      match: route.matches.length > 0 ? route.matches.map((m) => describeMatch(m.match)) : ['*'],
      destinations: route.spec.route.map((written, i) => ({ written: describeDestination(written), ...resolved(destinations[i]!) })),
      mirror: mirror && ('reason' in mirror ? `! ${mirror.reason}` : mirror.key),
    })),
  };
}

function resolved(resolution: Resolution): { upstream: string } | { error: string } {
  return 'reason' in resolution ? { error: resolution.reason } : { upstream: resolution.key };
}

function render(entries: VirtualHostEntry[]): View {
  const rows = entries.flatMap((entry) =>
    entry.routes.map((route) => [
      entry.name,
      entry.vhost,
      shortDomains(entry.domains),
      route.match.join(' | '),
      route.name,
      route.destinations.map((d) => (d.error ? `${d.written} ! ${d.error}` : `${d.written} → ${d.upstream}`)).join(' + ') + (route.mirror ? ` (mirror ${route.mirror})` : ''),
      entry.virtualService ?? '-',
    ]),
  );
  return { columns: COLUMNS, rows, objects: entries };
}

/** istioctl's short form: the two shortest names, then how many more. */
function shortDomains(domains: string[]): string {
  const names = [...new Set(domains.map((d) => d.replace(/:\d+$/, '')))].sort((a, b) => a.length - b.length);
  return names.length <= 2 ? names.join(', ') : `${names.slice(0, 2).join(', ')} + ${names.length - 2} more...`;
}
