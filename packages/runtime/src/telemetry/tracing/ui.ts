import { esc, ms, page } from '../viewer-page.js';
import { criticalPath, flatten, spanTree } from './span-tree.js';
import type { JaegerSpan, JaegerTrace } from './store.js';

const tag = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value;

/** What the search form shows: the choices, and the values of the search being shown. */
export interface TraceSearchForm {
  services: string[];
  /** The chosen service's operations. */
  operations: string[];
  params: URLSearchParams;
  /** Why the search was refused (the Jaeger API's message), if it was. */
  error?: string | undefined;
}

const LOOKBACKS = ['5m', '15m', '30m', '1h', '2h', '6h', '12h', '24h', '2d', '7d'];

/** Jaeger UI's search form: service, operation, tags, min/max duration, time range and limit, as the API takes them. */
function searchForm(form: TraceSearchForm): string {
  const value = (name: string) => form.params.get(name) ?? '';
  const select = (name: string, choices: string[], all: string, chosen = value(name)) =>
    `<select name="${name}">${['', ...choices].map((c) => `<option value="${esc(c)}"${c === chosen ? ' selected' : ''}>${esc(c || all)}</option>`).join('')}</select>`;
  const input = (name: string, placeholder: string, size: number) => `<input name="${name}" value="${esc(value(name))}" placeholder="${esc(placeholder)}" size="${size}">`;
  return `<form class="search"><label>service ${select('service', form.services, 'all services')}</label>
<label>operation ${select('operation', form.operations, 'all operations')}</label>
<label>tags ${input('tags', '{"http.status_code":"404"}', 24)}</label>
<label>min ${input('minDuration', '100ms', 6)}</label><label>max ${input('maxDuration', '1.5s', 6)}</label>
<label>last ${select('lookback', LOOKBACKS, 'lookback', value('lookback') || '1h')}</label>
<label>limit <input name="limit" type="number" min="1" value="${esc(value('limit') || '20')}" style="width:4.5em"></label> <button>find traces</button></form>
${form.error ? `<p class="error" role="alert">${esc(form.error)}</p>` : ''}`;
}

const LIST_STYLE = '<style>.search{display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center;margin-bottom:.8rem}.error{color:#b42318;font-weight:600}</style>';

/** The list: the search form, then the traces found, newest first, with the root's duration, user and mall version. */
export function renderTraceList(traces: JaegerTrace[], form: TraceSearchForm): string {
  const rows = traces
    .map((trace) => {
      const root = spanTree(trace)[0]!.span;
      const server = trace.spans.find((s) => trace.processes[s.processID]?.serviceName === 'mall' && tag(s, 'span.kind') === 'server') ?? root;
      const user = trace.spans.map((s) => tag(s, 'user.id')).find((v) => v !== undefined);
      const version = trace.processes[server.processID]?.tags.find((t) => t.key === 'service.version')?.value;
      const errors = trace.spans.filter((s) => tag(s, 'error') === true || tag(s, 'error') === 'true').length;
      return `<tr data-trace="${esc(trace.traceID)}"><td><a href="/trace/${esc(trace.traceID)}"><code>${esc(trace.traceID)}</code></a></td>
<td>${esc(trace.processes[server.processID]?.serviceName ?? '')}</td><td>${esc(server.operationName)}</td><td>${ms(root.duration)}</td>
<td>${esc(user ?? '-')}</td><td>${esc(version ?? '-')}</td><td>${trace.spans.length}</td><td>${errors ? `<span class="error">${errors}</span>` : '0'}</td></tr>`;
    })
    .join('');
  return page(
    'traces',
    `${searchForm(form)}
<table><thead><tr><th>trace</th><th>service</th><th>operation</th><th>duration</th><th>user</th><th>version</th><th>spans</th><th>errors</th></tr></thead><tbody>${rows || '<tr><td colspan="8" class="muted">no traces found: load the mall, or widen the search</td></tr>'}</tbody></table>`,
    LIST_STYLE,
  );
}

const WATERFALL_STYLE = `<style>
.waterfall td{padding:.2rem .5rem;white-space:nowrap}.waterfall td.name{overflow:hidden;text-overflow:ellipsis;max-width:34rem}
.waterfall .svc{font-weight:600}.waterfall .toggle{border:0;background:none;cursor:pointer;width:1.1rem;padding:0;color:#475467}
.waterfall tr.span{cursor:pointer}.waterfall tr.span:hover{background:#f0f5ff}.waterfall tr.span.open{background:#e8f0fe}
.waterfall .err .svc::after{content:" ⚠";color:#c2410c}.bar i{position:absolute;top:5px;height:4px;background:#111827}
.waterfall tr.crit td.name{box-shadow:inset 3px 0 #111827}.waterfall tr.detail td{background:#f8fafc;white-space:normal;padding:.5rem 1rem}
.detail table{width:auto;margin:.2rem 0 .6rem}.detail td{padding:.1rem .6rem;border:0;font:12px ui-monospace,monospace}.detail h4{margin:.3rem 0}
body.compact .waterfall td{padding:0 .4rem;font-size:10.5px;line-height:12px;border:0}body.compact .bar,body.compact .bar span{height:10px}
body.compact .bar i{top:4px;height:3px}body.compact main{padding:.2rem .8rem}body.compact h2{font-size:14px;margin:.1rem 0}body.compact nav{padding:.25rem 1.2rem}
body.compact .waterfall thead{display:none}
</style>`;

/** Collapsing a row hides its subtree; a click on a row opens its details; compact mode is remembered per browser. */
const WATERFALL_SCRIPT = `<script>
addEventListener('DOMContentLoaded', () => {
  const rows = [...document.querySelectorAll('tr.span')];
  const detail = (row) => document.querySelector('tr.detail[data-detail-of="' + row.dataset.span + '"]');
  const hiddenBy = new Map();
  function subtree(row) {
    const out = [], depth = Number(row.dataset.depth);
    for (let next = rows.indexOf(row) + 1; next < rows.length && Number(rows[next].dataset.depth) > depth; next++) out.push(rows[next]);
    return out;
  }
  function refresh() {
    const collapsed = rows.filter((r) => r.classList.contains('collapsed'));
    const hidden = new Set(collapsed.flatMap(subtree));
    for (const row of rows) {
      row.hidden = hidden.has(row);
      const d = detail(row);
      if (d) d.hidden = row.hidden || !row.classList.contains('open');
    }
  }
  for (const row of rows) {
    row.addEventListener('click', (event) => {
      if (event.target.closest('.toggle')) {
        row.classList.toggle('collapsed');
        event.target.closest('.toggle').textContent = row.classList.contains('collapsed') ? '▸' : '▾';
      } else row.classList.toggle('open');
      refresh();
    });
  }
  const compact = document.getElementById('compact');
  compact.checked = localStorage.getItem('mesh-mall.compact') === '1' || location.hash === '#compact';
  const apply = () => { document.body.classList.toggle('compact', compact.checked); localStorage.setItem('mesh-mall.compact', compact.checked ? '1' : '0'); };
  compact.addEventListener('change', apply);
  apply();
});
</script>`;

function keyValues(title: string, pairs: [string, unknown][]): string {
  if (pairs.length === 0) return '';
  return `${title ? `<h4>${esc(title)}</h4>` : ''}<table>${pairs.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('')}</table>`;
}

/** A span's details, as Jaeger UI opens them: tags, logs (span events) and the process (resource). */
function spanDetails(trace: JaegerTrace, span: JaegerSpan, start: number): string {
  const logs = (span.logs as { timestamp: number; fields: { key: string; value: unknown }[] }[]).map(
    (log) => `<h4>log at ${ms(log.timestamp - start)}</h4><table>${log.fields.map((f) => `<tr><td>${esc(f.key)}</td><td>${esc(f.value)}</td></tr>`).join('')}</table>`,
  );
  const process = trace.processes[span.processID];
  return [
    `<div><b>${esc(process?.serviceName)}</b> ${esc(span.operationName)} · span <code>${esc(span.spanID)}</code> · start ${ms(span.startTime - start)} · ${ms(span.duration)}</div>`,
    keyValues('tags', span.tags.map((t) => [t.key, t.value])),
    ...logs,
    `<h4>process ${esc(process?.serviceName ?? '')}</h4>`,
    keyValues('', (process?.tags ?? []).map((t) => [t.key, t.value])),
    ...(span.warnings?.length ? [keyValues('warnings', span.warnings.map((w, i) => [String(i + 1), w]))] : []),
  ].join('');
}

/**
 * One trace as Jaeger UI draws it: the span tree (span-tree.ts; every row under its parent, siblings by start),
 * collapsible, each row opening to its tags, logs and process; errors marked; the critical path (Jaeger UI's
 * algorithm) drawn over the bars and its spans marked. A compact mode fits mall v1's page on a 1280×720 screen.
 */
export function renderWaterfall(trace: JaegerTrace): string {
  const rows = flatten(spanTree(trace));
  const start = Math.min(...trace.spans.map((s) => s.startTime));
  const total = Math.max(...trace.spans.map((s) => s.startTime + s.duration)) - start || 1;
  const pct = (us: number) => ((us / total) * 100).toFixed(2);
  const sections = new Map<string, { startUs: number; endUs: number }[]>();
  for (const section of criticalPath(trace)) sections.set(section.spanId, [...(sections.get(section.spanId) ?? []), section]);
  const body = rows
    .map(({ span, depth, children }) => {
      const error = tag(span, 'error') === true || tag(span, 'error') === 'true';
      const onPath = sections.get(span.spanID) ?? [];
      const classes = ['span', ...(error ? ['err'] : []), ...(onPath.length ? ['crit'] : [])].join(' ');
      const parent = span.references.find((r) => r.refType === 'CHILD_OF')?.spanID ?? '';
      const toggle = children.length ? '<button class="toggle" title="collapse">▾</button>' : '<span class="toggle"></span>';
      const critical = onPath.map((c) => `<i style="left:${pct(c.startUs - start)}%;width:${pct(c.endUs - c.startUs)}%"></i>`).join('');
      return `<tr class="${classes}" data-span="${esc(span.spanID)}" data-parent="${esc(parent)}" data-depth="${depth}">
<td class="name" style="padding-left:${0.5 + depth * 1.1}rem">${toggle}<span class="svc">${esc(trace.processes[span.processID]?.serviceName)}</span>: ${esc(span.operationName)}</td>
<td>${ms(span.duration)}</td><td style="width:45%"><div class="bar${error ? ' err' : ''}"><span style="left:${pct(span.startTime - start)}%;width:${Math.max(Number(pct(span.duration)), 0.3).toFixed(2)}%"></span>${critical}</div></td></tr>
<tr class="detail" data-detail-of="${esc(span.spanID)}" hidden><td colspan="3">${spanDetails(trace, span, start)}</td></tr>`;
    })
    .join('');
  const services = new Set(trace.spans.map((s) => trace.processes[s.processID]?.serviceName));
  return page(
    `trace ${trace.traceID}`,
    `<h2>trace <code>${esc(trace.traceID)}</code> · ${ms(total)} · ${trace.spans.length} spans · ${services.size} services
<label class="muted" style="font-size:13px;font-weight:400"><input type="checkbox" id="compact"> compact</label></h2>
<table data-waterfall class="waterfall"><thead><tr><th>span</th><th>duration</th><th>timeline (the critical path drawn over the bars)</th></tr></thead><tbody>${body}</tbody></table>`,
    WATERFALL_STYLE + WATERFALL_SCRIPT,
  );
}
