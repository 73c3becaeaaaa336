import type { ServerResponse } from 'node:http';
import type { Topology, TopologyRecorder } from './topology.js';
import { esc, page } from './viewer-page.js';

/** The viewer's topology routes: the page (`/topology`) and its data (`/api/topology`). True when it answered. */
export function handleTopology(topology: TopologyRecorder, url: URL, res: ServerResponse): boolean {
  const send = (type: string, body: string) => res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body) }).end(body);
  if (url.pathname === '/api/topology') send('application/json', JSON.stringify(topology.snapshot()));
  else if (url.pathname === '/topology') send('text/html; charset=utf-8', renderTopology(topology.snapshot()));
  else return false;
  return true;
}

/** Workloads and who calls whom over the last minute; refreshes itself so a change of routing shows up live. */
export function renderTopology(topology: Topology): string {
  const nodes = topology.nodes.map((n) => `<tr data-node="${esc(n.id)}"><td>${esc(n.namespace)}</td><td>${esc(n.workload)}</td><td>${esc(n.version)}</td></tr>`).join('');
  const edges = topology.edges
    .map((e) => `<tr data-edge="${esc(e.source)}→${esc(e.destination)}"><td>${esc(e.source)}</td><td>→ ${esc(e.destination)}</td><td>${e.rps}</td><td>${(e.errorRate * 100).toFixed(1)}%</td><td>${e.p50Ms} ms</td></tr>`)
    .join('');
  return page(
    'topology',
    `<h2>topology · last ${topology.windowSeconds} s</h2>
<table><thead><tr><th>namespace</th><th>workload</th><th>version</th></tr></thead><tbody>${nodes || '<tr><td colspan="3" class="muted">no traffic in the last minute</td></tr>'}</tbody></table>
<h3>calls</h3><table><thead><tr><th>from</th><th>to</th><th>rps</th><th>errors</th><th>p50</th></tr></thead><tbody>${edges}</tbody></table>`,
    '<meta http-equiv="refresh" content="2">',
  );
}
