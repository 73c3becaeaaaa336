import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { clientScript } from './topology/client.js';
import { edgeRows, nodeRows } from './topology/view.js';
import type { Topology, TopologyRecorder } from './topology.js';
import { esc, page } from './viewer-page.js';

/**
 * The scripts the page loads, served by the viewer itself from the runtime's own dependencies (no CDN: the talk
 * works offline): cytoscape, cytoscape-dagre (which bundles dagre and registers itself on window.cytoscape), and
 * the page's own script. Read on first use, then kept.
 */
const ASSETS: Record<string, () => string> = {
  '/assets/cytoscape.min.js': () => readFileSync(createRequire(import.meta.url).resolve('cytoscape/dist/cytoscape.min.js'), 'utf8'),
  '/assets/cytoscape-dagre.min.js': () => readFileSync(join(dirname(createRequire(import.meta.url).resolve('cytoscape-dagre')), 'cytoscape-dagre.min.js'), 'utf8'),
  '/assets/topology.js': clientScript,
};
const loaded = new Map<string, string>();

/** The viewer's topology routes: the page (`/topology`), its data (`/api/topology`) and its scripts. True when it answered. */
export function handleTopology(topology: TopologyRecorder, url: URL, res: ServerResponse): boolean {
  const send = (type: string, body: string, cache = 'no-store') =>
    res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': cache }).end(body);
  const asset = ASSETS[url.pathname];
  if (asset) {
    let body = loaded.get(url.pathname);
    if (body === undefined) loaded.set(url.pathname, (body = asset()));
    send('text/javascript; charset=utf-8', body, 'max-age=3600');
  } else if (url.pathname === '/api/topology') send('application/json', JSON.stringify(topology.snapshot()));
  else if (url.pathname === '/topology') send('text/html; charset=utf-8', renderTopology(topology.snapshot()));
  else return false;
  return true;
}

const STYLE = `<link rel="icon" href="data:,"><style>#graph{height:540px;background:#fff;border:1px solid #e3e7ef;margin:.6rem 0 1rem}
.legend{display:flex;gap:1rem;align-items:center;flex-wrap:wrap}.swatch{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:.4em;vertical-align:-1px}
.lists{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,3fr);gap:1rem;align-items:start}h2,h3{margin:.2rem 0}</style>`;

/**
 * Workloads and who calls whom over the last minute, as a graph in namespace boxes (Kiali's workload graph), with the
 * same data as lists under it; the page's script keeps both up to date without reloading.
 */
export function renderTopology(topology: Topology): string {
  // The snapshot for the script, as JSON in the page: `<` escaped so that no value can close the script element.
  const data = JSON.stringify(topology).replace(/</g, '\\u003c');
  const legend = [
    ['#3e8635', 'healthy'],
    ['#f0ab00', 'degraded: any 5xx, or ≥ 10 % 4xx'],
    ['#c9190b', 'failure: ≥ 10 % 5xx or no response, or ≥ 20 % 4xx'],
  ]
    .map(([colour, text]) => `<span><span class="swatch" style="background:${colour}"></span>${esc(text)}</span>`)
    .join('');
  return page(
    'topology',
    `<div class="legend"><h2>topology · last ${topology.windowSeconds} s</h2>${legend}<span class="muted">○ workload △ service (no pod reached)</span>
<span id="topology-state" class="muted" data-polls="0" data-nodes="${topology.nodes.length}" data-edges="${topology.edges.length}"></span></div>
<div id="graph" data-graph></div>
<div class="lists"><div><h3>nodes</h3><table><thead><tr><th>namespace</th><th>workload</th><th>version</th><th>kind</th></tr></thead><tbody id="nodes">${nodeRows(topology)}</tbody></table></div>
<div><h3>calls</h3><table><thead><tr><th>from</th><th>to</th><th>rps</th><th>errors</th><th>p50</th><th>p99</th></tr></thead><tbody id="edges">${edgeRows(topology)}</tbody></table></div></div>
<script type="application/json" id="topology-data">${data}</script>
<script src="/assets/cytoscape.min.js"></script><script src="/assets/cytoscape-dagre.min.js"></script><script src="/assets/topology.js"></script>`,
    STYLE,
  );
}
