import type { Topology } from '../topology.js';
import type { JaegerSpan, JaegerTrace } from './store.js';

/** The built-in viewer's pages: self-contained HTML, no script from anywhere, readable without JavaScript. */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (value: unknown) => String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
const ms = (us: number) => `${Math.round(us / 100) / 10} ms`;

const STYLE = `body{margin:0;font:14px/1.4 system-ui,sans-serif;color:#1d2433;background:#f4f6fb}
nav{display:flex;gap:1.2rem;align-items:center;padding:.7rem 1.2rem;background:#0f3057;color:#fff}nav a{color:#cde}
main{padding:1rem 1.2rem}table{border-collapse:collapse;width:100%;background:#fff}td,th{padding:.35rem .6rem;border-bottom:1px solid #e3e7ef;text-align:left}
.bar{position:relative;height:14px;background:#eef2f7}.bar span{position:absolute;top:0;height:14px;background:#00a8cc;border-radius:2px}
.err span{background:#e76f51}.muted{color:#667085}code{font-size:12px}`;

function page(title: string, body: string, refreshSeconds?: number): string {
  const refresh = refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">${refresh}<title>${esc(title)} · mesh-mall traces</title><style>${STYLE}</style></head>
<body><nav><b>mesh-mall traces</b><a href="/">traces</a><a href="/topology">topology</a></nav><main>${body}</main></body></html>`;
}

const tag = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value;

function rootOf(trace: JaegerTrace): JaegerSpan {
  const ids = new Set(trace.spans.map((s) => s.spanID));
  return trace.spans.find((s) => !s.references.some((r) => ids.has(r.spanID))) ?? trace.spans[0]!;
}

/** The list: newest first, with the root's service and operation, duration, user and mall version. */
export function renderTraceList(traces: JaegerTrace[], services: string[], selected: string | undefined): string {
  const options = ['', ...services].map((s) => `<option${s === selected ? ' selected' : ''} value="${esc(s)}">${esc(s || 'all services')}</option>`).join('');
  const rows = traces
    .map((trace) => {
      const root = rootOf(trace);
      const server = trace.spans.find((s) => trace.processes[s.processID]?.serviceName === 'mall' && tag(s, 'span.kind') === 'server') ?? root;
      const user = trace.spans.map((s) => tag(s, 'end_user') ?? tag(s, 'enduser.id')).find((v) => v !== undefined);
      const version = trace.processes[server.processID]?.tags.find((t) => t.key === 'service.version')?.value;
      return `<tr data-trace="${esc(trace.traceID)}"><td><a href="/trace/${esc(trace.traceID)}"><code>${esc(trace.traceID)}</code></a></td>
<td>${esc(trace.processes[server.processID]?.serviceName ?? '')}</td><td>${esc(server.operationName)}</td><td>${ms(root.duration)}</td>
<td>${esc(user ?? '-')}</td><td>${esc(version ?? '-')}</td><td>${trace.spans.length}</td></tr>`;
    })
    .join('');
  return page(
    'traces',
    `<form><select name="service" onchange="this.form.submit()">${options}</select> <button>show</button></form>
<table><thead><tr><th>trace</th><th>service</th><th>operation</th><th>duration</th><th>user</th><th>version</th><th>spans</th></tr></thead><tbody>${rows || '<tr><td colspan="7" class="muted">no traces yet: load the mall</td></tr>'}</tbody></table>`,
  );
}

/** One trace as a waterfall: a row per span, indented by depth, with a bar where it ran. */
export function renderWaterfall(trace: JaegerTrace): string {
  const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
  const depth = (span: JaegerSpan): number => {
    const parent = span.references[0] && byId.get(span.references[0].spanID);
    return parent ? depth(parent) + 1 : 0;
  };
  const start = Math.min(...trace.spans.map((s) => s.startTime));
  const total = Math.max(...trace.spans.map((s) => s.startTime + s.duration)) - start || 1;
  const rows = trace.spans
    .map((span) => {
      const left = ((span.startTime - start) / total) * 100;
      const width = Math.max((span.duration / total) * 100, 0.3);
      const error = tag(span, 'error') === true;
      return `<tr class="span${error ? ' err' : ''}"><td style="padding-left:${0.6 + depth(span) * 1.1}rem">${esc(trace.processes[span.processID]?.serviceName)}: ${esc(span.operationName)}</td>
<td>${ms(span.duration)}</td><td style="width:50%"><div class="bar${error ? ' err' : ''}"><span style="left:${left.toFixed(2)}%;width:${width.toFixed(2)}%"></span></div></td></tr>`;
    })
    .join('');
  return page(`trace ${trace.traceID}`, `<h2>trace <code>${esc(trace.traceID)}</code> · ${ms(total)} · ${trace.spans.length} spans</h2>
<table data-waterfall><thead><tr><th>span</th><th>duration</th><th>timeline</th></tr></thead><tbody>${rows}</tbody></table>`);
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
    2,
  );
}
