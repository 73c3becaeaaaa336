import type { EdgeHealth, Topology, TopologyEdge, TopologyNode } from '../topology.js';

/*
 * What the topology page shows of a snapshot, shared by the server (the page's first render) and the browser (every
 * update): the page's script is these functions' own source (client.ts), so each one may use only its arguments,
 * globals and the other functions listed in VIEW_FUNCTIONS, nothing else from this module.
 */

export function escapeHtml(value: unknown): string {
  const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  return String(value).replace(/[&<>"']/g, (c) => escapes[c]!);
}

/** Kiali's edge colours by health (GraphElems.tsx EdgeColor / EdgeColorDegraded / EdgeColorFailure, PatternFly's). */
export function healthColour(health: EdgeHealth | undefined): string {
  return health === 'failure' ? '#c9190b' : health === 'degraded' ? '#f0ab00' : '#3e8635';
}

/** The error rate as Kiali prints httpPercentErr: a percentage with one decimal. */
export function errorPercent(edge: TopologyEdge): string {
  return (edge.errorRate * 100).toFixed(1);
}

/** A node's health as the worst of the edges into it (a node with none, a pure caller, is healthy). */
export function nodeHealth(topology: Topology, id: string): EdgeHealth {
  const inbound = topology.edges.filter((e) => e.destination === id).map((e) => e.health);
  return inbound.includes('failure') ? 'failure' : inbound.includes('degraded') ? 'degraded' : 'healthy';
}

export function nodeKind(node: TopologyNode): string {
  return node.gateway ? 'gateway' : node.kind;
}

/** The node's label: workload (or Service) and version, as Kiali's versioned workload nodes read. */
export function nodeLabel(node: TopologyNode): string {
  if (node.kind === 'service') return `${node.service ?? node.id}\n(service)`;
  return node.version === '-' ? node.workload : `${node.workload}\n${node.version}`;
}

/** The edge's label, as Kiali's traffic-rate edge label: requests per second, then the error % when there are errors. */
export function edgeLabel(edge: TopologyEdge): string {
  return `${edge.rps.toFixed(2)}rps${edge.errors > 0 ? `\n${errorPercent(edge)}%` : ''}`;
}

/** The label of an edge pointed at or selected: rate, errors and latency. */
export function edgeDetail(edge: TopologyEdge): string {
  return `${edge.rps.toFixed(2)}rps · ${errorPercent(edge)}% errors\np50 ${edge.p50Ms}ms · p99 ${edge.p99Ms}ms`;
}

export function nodeRows(topology: Topology): string {
  if (topology.nodes.length === 0) return '<tr class="empty"><td colspan="4" class="muted">no traffic in the last minute</td></tr>';
  return topology.nodes
    .map((n) => {
      const health = nodeHealth(topology, n.id);
      return (
        `<tr data-node="${escapeHtml(n.id)}" data-kind="${nodeKind(n)}" data-namespace="${escapeHtml(n.namespace)}" data-health="${health}">` +
        `<td>${escapeHtml(n.namespace)}</td><td>${escapeHtml(n.service ?? n.workload)}</td><td>${escapeHtml(n.version)}</td><td>${nodeKind(n)}</td></tr>`
      );
    })
    .join('');
}

export function edgeRows(topology: Topology): string {
  return topology.edges
    .map((e) => {
      const colour = healthColour(e.health);
      return (
        `<tr data-edge="${escapeHtml(e.source)}→${escapeHtml(e.destination)}" data-errors="${errorPercent(e)}" data-health="${e.health}" data-colour="${colour}" data-rps="${e.rps}" data-p50="${e.p50Ms}" data-p99="${e.p99Ms}">` +
        `<td><span class="swatch" style="background:${colour}"></span>${escapeHtml(e.source)}</td><td>→ ${escapeHtml(e.destination)}</td>` +
        `<td>${e.rps}</td><td>${errorPercent(e)}%</td><td>${e.p50Ms} ms</td><td>${e.p99Ms} ms</td></tr>`
      );
    })
    .join('');
}

/** The element data cytoscape draws: a box (compound node) per namespace, the nodes in their boxes, the edges. */
export function graphElements(topology: Topology): { group: 'nodes' | 'edges'; data: Record<string, string | number> }[] {
  const namespaces = [...new Set(topology.nodes.map((n) => n.namespace))].sort();
  return [
    ...namespaces.map((ns) => ({ group: 'nodes' as const, data: { id: `box:${ns}`, label: ns, type: 'box' } })),
    ...topology.nodes.map((n) => ({
      group: 'nodes' as const,
      data: { id: n.id, parent: `box:${n.namespace}`, label: nodeLabel(n), type: nodeKind(n), health: nodeHealth(topology, n.id), colour: healthColour(nodeHealth(topology, n.id)) },
    })),
    ...topology.edges.map((e) => ({
      group: 'edges' as const,
      data: { id: `${e.source}→${e.destination}`, source: e.source, target: e.destination, label: edgeLabel(e), detail: edgeDetail(e), health: e.health, colour: healthColour(e.health), errors: errorPercent(e) },
    })),
  ];
}

/** Every function above, in the order the page's script declares them. */
export const VIEW_FUNCTIONS = [escapeHtml, healthColour, errorPercent, nodeHealth, nodeKind, nodeLabel, edgeLabel, edgeDetail, nodeRows, edgeRows, graphElements];
