import type cytoscape from 'cytoscape';
import type { Topology } from '../topology.js';
import { VIEW_FUNCTIONS } from './view.js';

/** The few DOM members the page's script uses (the runtime compiles without the DOM's types). */
interface PageElement {
  textContent: string | null;
  innerHTML: string;
  setAttribute(name: string, value: string): void;
}
interface PageWindow {
  document: { getElementById(id: string): PageElement | null };
  cytoscape?: typeof cytoscape;
  /** For tests and the curious: the graph and the snapshot it shows. */
  meshTopology?: { graph: cytoscape.Core | undefined; snapshot: () => Topology; polls: () => number };
}

/**
 * The topology page's script, run in the browser. It draws the snapshot the page was rendered with as a graph
 * (cytoscape, laid out left to right by dagre as Kiali's graph is), then asks `/api/topology` every 2 s and updates
 * the graph and the lists under it in place: elements that appeared are added, those that went quiet removed, the
 * rest get their new numbers; the layout runs again only when the set of elements changed.
 */
export function topologyClient(): void {
  const w = globalThis as unknown as PageWindow;
  // The view's functions are the script's own globals (clientScript): not imports, which a bundler would rename.
  const { edgeRows, graphElements, nodeRows } = globalThis as unknown as Pick<typeof import('./view.js'), 'edgeRows' | 'graphElements' | 'nodeRows'>;
  const byId = (id: string) => w.document.getElementById(id)!;
  let topology = JSON.parse(byId('topology-data').textContent ?? '{}') as Topology;
  let polls = 0;
  const create = w.cytoscape;
  const graph = create?.({
    container: byId('graph') as never,
    minZoom: 0.3,
    maxZoom: 2.5,
    style: [
      {
        selector: 'node',
        style: {
          label: 'data(label)',
          'text-wrap': 'wrap',
          'text-valign': 'bottom',
          'text-margin-y': 3,
          'font-size': 10,
          'font-family': 'system-ui, sans-serif',
          color: '#1d2433',
          'text-background-color': '#ffffff',
          'text-background-opacity': 0.85,
          'text-background-padding': '1px',
          'background-color': '#ffffff',
          'border-width': 2,
          'border-color': 'data(colour)',
          width: 24,
          height: 24,
        },
      },
      { selector: 'node[type = "service"]', style: { shape: 'triangle', 'background-color': '#f5f5f5' } },
      { selector: 'node[type = "gateway"]', style: { 'background-color': '#e7f1fa', 'border-color': '#0066cc', 'border-width': 3 } },
      {
        selector: 'node[type = "box"]',
        style: {
          shape: 'round-rectangle',
          'background-color': '#fbfcfe',
          'border-width': 1,
          'border-color': '#8a8d90',
          'text-valign': 'top',
          'text-halign': 'center',
          'text-margin-y': -2,
          'font-size': 12,
          'font-weight': 'bold',
          padding: '14px',
        },
      },
      {
        selector: 'edge',
        style: {
          'curve-style': 'bezier',
          width: 2,
          'line-color': 'data(colour)',
          'target-arrow-color': 'data(colour)',
          'target-arrow-shape': 'triangle',
          'arrow-scale': 0.8,
          label: 'data(label)',
          'text-wrap': 'wrap',
          'font-size': 8,
          color: '#4f5255',
          'text-background-color': '#ffffff',
          'text-background-opacity': 0.85,
          'text-background-padding': '1px',
        },
      },
      { selector: 'edge[health != "healthy"]', style: { width: 3 } },
      { selector: 'edge.pointed, edge:selected', style: { label: 'data(detail)', 'font-size': 10, 'text-background-opacity': 1, 'z-index': 10 } },
    ],
  });
  graph?.on('mouseover', 'edge', (event) => void event.target.addClass('pointed'));
  graph?.on('mouseout', 'edge', (event) => void event.target.removeClass('pointed'));

  const layout = () => {
    if (!graph) return;
    const dagre = graph.nodes().length > 0 && typeof (w as { cytoscapeDagre?: unknown }).cytoscapeDagre !== 'undefined';
    const options = dagre
      ? { name: 'dagre', rankDir: 'LR', nodeSep: 16, rankSep: 110, edgeSep: 8, padding: 16, fit: true, animate: false, nodeDimensionsIncludeLabels: true }
      : { name: 'breadthfirst', directed: true, padding: 16, fit: true, animate: false };
    graph.layout(options as cytoscape.LayoutOptions).run();
  };

  const show = (next: Topology) => {
    topology = next;
    if (graph) {
      const elements = graphElements(next);
      const wanted = new Set(elements.map((e) => String(e.data.id)));
      let changed = false;
      graph.batch(() => {
        const gone = graph.elements().filter((e) => !wanted.has(e.id()));
        if (gone.length > 0) {
          gone.remove();
          changed = true;
        }
        for (const element of elements) {
          const existing = graph.getElementById(String(element.data.id));
          if (existing.length === 0) {
            graph.add(element as cytoscape.ElementDefinition);
            changed = true;
          } else {
            // id, parent, source and target are fixed for an element: only its numbers and colours change.
            const { id: _id, parent: _parent, source: _source, target: _target, ...data } = element.data;
            existing.data(data);
          }
        }
      });
      if (changed) layout();
    }
    byId('nodes').innerHTML = nodeRows(next);
    byId('edges').innerHTML = edgeRows(next);
    const state = byId('topology-state');
    state.setAttribute('data-polls', String(polls));
    state.setAttribute('data-nodes', String(next.nodes.length));
    state.setAttribute('data-edges', String(next.edges.length));
    state.textContent = `${next.nodes.length} nodes, ${next.edges.length} edges · updated ${new Date().toLocaleTimeString()}`;
  };

  const poll = async () => {
    try {
      const response = await fetch('/api/topology', { cache: 'no-store' });
      if (response.ok) {
        polls++;
        show((await response.json()) as Topology);
      }
    } catch {
      byId('topology-state').textContent = 'the viewer does not answer; retrying';
    }
    setTimeout(() => void poll(), 2000);
  };

  w.meshTopology = { graph, snapshot: () => topology, polls: () => polls };
  show(topology);
  setTimeout(() => void poll(), 2000);
}

/** The script the page loads (`/assets/topology.js`): the view's functions and the client, from their own source. */
export function clientScript(): string {
  return `'use strict';\n${[...VIEW_FUNCTIONS, topologyClient].map(String).join('\n')}\ntopologyClient();\n`;
}
