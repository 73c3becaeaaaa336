import { describe, expect, it } from 'vitest';
import type { JaegerTrace } from './store.js';
import { TraceBuilder } from './test-fixtures.js';
import { renderTraceList, renderWaterfall } from './ui.js';

/** The page shown for a user: the mall's server span (v2, jason), a failed users call with a log, a span with warnings. */
function trace(): JaegerTrace {
  const t = new TraceBuilder('0af7651916cd43dd8448eb211c80319c');
  const gateway = t.span('istio-ingressgateway.istio-system', 'mall.base.svc.cluster.local:7000/*', 0, 20_000, undefined, { component: 'proxy' });
  const mall = t.span('mall', 'GET /api/mall', 100, 19_800, gateway, { 'span.kind': 'server', 'user.id': 'jason' });
  t.call('mall', 'users', '/users', 1_000, 5_000, mall, 503);
  const built = t.build();
  built.processes['p-mall']!.tags = [{ key: 'service.version', type: 'string', value: 'v2' }];
  const users = built.spans.find((s) => s.operationName === 'GET /users')!;
  users.logs = [{ timestamp: 1_500, fields: [{ key: 'event', type: 'string', value: 'exception' }, { key: 'exception.message', type: 'string', value: 'db <down>' }] }];
  users.warnings = ['clock skew adjusted'];
  return built;
}

const rowsOf = (html: string) => [...html.matchAll(/<tr data-trace="[^"]*">[^]*?<\/tr>/g)].map((m) => m[0].replace(/\n/g, ''));

describe('the trace list page', () => {
  it("shows each trace's id, the mall's server span, its duration, user, version, span count and errors", () => {
    const html = renderTraceList([trace()], { services: ['mall', 'users'], operations: ['GET /api/mall'], params: new URLSearchParams('service=mall&limit=5') });
    expect(rowsOf(html)).toEqual([
      '<tr data-trace="0af7651916cd43dd8448eb211c80319c"><td><a href="/trace/0af7651916cd43dd8448eb211c80319c"><code>0af7651916cd43dd8448eb211c80319c</code></a></td>' +
        '<td>mall</td><td>GET /api/mall</td><td>20 ms</td><td>jason</td><td>v2</td><td>5</td><td><span class="error">1</span></td></tr>',
    ]);
    // The form shows the search: the service chosen, the default lookback, the limit given.
    expect(html).toContain('<select name="service"><option value="">all services</option><option value="mall" selected>mall</option><option value="users">users</option></select>');
    expect(html).toContain('<option value="1h" selected>1h</option>');
    expect(html).toContain('<input name="limit" type="number" min="1" value="5" style="width:4.5em">');
    expect(html).not.toContain('role="alert"');
  });

  it("names the root span when no mall server span is there, and '-' for no user or version", () => {
    const t = new TraceBuilder('00000000000000000000000000000abc');
    t.span('scores', 'GET /scores', 0, 1_234);
    expect(rowsOf(renderTraceList([t.build()], { services: [], operations: [], params: new URLSearchParams() }))).toEqual([
      '<tr data-trace="00000000000000000000000000000abc"><td><a href="/trace/00000000000000000000000000000abc"><code>00000000000000000000000000000abc</code></a></td>' +
        '<td>scores</td><td>GET /scores</td><td>1.2 ms</td><td>-</td><td>-</td><td>1</td><td>0</td></tr>',
    ]);
  });

  it('says when nothing was found, and why a search was refused, escaped', () => {
    const html = renderTraceList([], { services: [], operations: [], params: new URLSearchParams('tags=<x>'), error: "parameter 'x' <is> wrong" });
    expect(html).toContain('<tr><td colspan="8" class="muted">no traces found: load the mall, or widen the search</td></tr>');
    expect(html).toContain('<p class="error" role="alert">parameter &#39;x&#39; &lt;is&gt; wrong</p>');
    expect(html).toContain('<input name="tags" value="&lt;x&gt;"');
  });
});

describe('the waterfall page', () => {
  const html = renderWaterfall(trace());
  const details = [...html.matchAll(/<tr class="detail" data-detail-of="([\da-f]+)" hidden><td colspan="3">([^]*?)<\/td><\/tr>(?=<tr class=|<\/tbody>)/g)].map((m) => [m[1], m[2]]);
  const spans = [...html.matchAll(/<tr class="([^"]+)" data-span="([\da-f]+)" data-parent="([\da-f]*)" data-depth="(\d+)">/g)].map((m) => `${m[4]} ${m[2]} ${m[3] || '-'} ${m[1]}`);

  it('has its header: total duration, spans and services', () => {
    expect(html).toContain('<h2>trace <code>0af7651916cd43dd8448eb211c80319c</code> · 20 ms · 5 spans · 4 services');
  });

  it('draws each span under its parent, errors marked, the critical path marked', () => {
    expect(spans).toEqual([
      '0 0000000000000001 - span crit',
      '1 0000000000000002 0000000000000001 span crit',
      '2 0000000000000003 0000000000000002 span err crit',
      '3 0000000000000004 0000000000000003 span crit',
      '4 0000000000000005 0000000000000004 span crit',
    ]);
    // A leaf has no collapse button.
    expect(html).toContain('<td class="name" style="padding-left:4.9rem"><span class="toggle"></span><span class="svc">users</span>: GET /users</td>');
  });

  it("opens a span to its tags, logs, process and warnings, each value escaped", () => {
    expect(details.find(([id]) => id === '0000000000000005')![1]).toBe(
      '<div><b>users</b> GET /users · span <code>0000000000000005</code> · start 1.2 ms · 4.6 ms</div>' +
        '<h4>tags</h4><table><tr><td>span.kind</td><td>server</td></tr><tr><td>http.status_code</td><td>503</td></tr></table>' +
        '<h4>log at 1.5 ms</h4><table><tr><td>event</td><td>exception</td></tr><tr><td>exception.message</td><td>db &lt;down&gt;</td></tr></table>' +
        '<h4>process users</h4>' +
        '<h4>warnings</h4><table><tr><td>1</td><td>clock skew adjusted</td></tr></table>',
    );
    expect(details.find(([id]) => id === '0000000000000002')![1]).toBe(
      '<div><b>mall</b> GET /api/mall · span <code>0000000000000002</code> · start 0.1 ms · 19.8 ms</div>' +
        '<h4>tags</h4><table><tr><td>span.kind</td><td>server</td></tr><tr><td>user.id</td><td>jason</td></tr></table>' +
        '<h4>process mall</h4><table><tr><td>service.version</td><td>v2</td></tr></table>',
    );
  });
});
