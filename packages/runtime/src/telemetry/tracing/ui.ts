import { esc, ms, page } from '../viewer-page.js';
import type { JaegerSpan, JaegerTrace } from './store.js';

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
