import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clientScript } from '../topology/client.js';
import { TopologyRecorder } from '../topology.js';
import { startCollector, startViewer } from './server.js';
import { TraceStore } from './store.js';

const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((close) => close()));

/** A raw request, so that the target is sent as written (fetch would normalize `//`). */
function send(base: string, method: string, path: string, body?: string, contentType = 'application/json'): Promise<{ status: number; body: string }> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: body ? { 'content-type': contentType } : {} }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function started() {
  const store = new TraceStore();
  const collector = await startCollector(store, 0);
  const viewer = await startViewer(store, new TopologyRecorder(), 0);
  closers.push(() => collector.server.close(), () => viewer.server.close());
  return { collector: collector.url, viewer: viewer.url };
}

const nowNs = BigInt(Date.now()) * 1_000_000n;
const span = { traceId: '0102030405060708090a0b0c0d0e0f10', spanId: '0102030405060708', name: 'GET /x', startTimeUnixNano: String(nowNs), endTimeUnixNano: String(nowNs + 1_000_000n) };
const exportOf = (s: object) => JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'mall' } }] }, scopeSpans: [{ spans: [s] }] }] });

describe('the collector and the viewer under bad input', () => {
  it('answers a request target that is not a URL with a 400, and keeps serving', async () => {
    const { viewer } = await started();
    expect((await send(viewer, 'GET', '//')).status).toBe(400);
    expect((await send(viewer, 'GET', '/')).status).toBe(200);
  });

  it('refuses a mis-shaped export with a 400 and stores nothing of it; the pages still render', async () => {
    const { collector, viewer } = await started();
    for (const bad of [exportOf({ ...span, traceState: {} }), exportOf({ ...span, status: { code: 2, message: {} } }), '{"resourceSpans":[null]}']) {
      expect((await send(collector, 'POST', '/v1/traces', bad)).status, bad).toBe(400);
    }
    expect((await send(collector, 'POST', '/v1/traces', exportOf(span))).status).toBe(200);
    const list = await send(viewer, 'GET', '/?limit=5');
    expect(list.status).toBe(200);
    expect(list.body).toContain(`data-trace="${span.traceId}"`);
    expect((await send(viewer, 'GET', `/trace/${span.traceId}`)).status).toBe(200);
  });
});

describe('the trace list: the search form\'s fields, parsed as /api/traces parses them', () => {
  const T = Date.now() * 1000;
  /** Three traces: two of mall (GET /api/mall, 5 ms and 50 ms), one of users. */
  function stored(): TraceStore {
    const store = new TraceStore();
    const span = (traceId: string, service: string, operation: string, startUs: number, durationUs: number) => ({
      traceId,
      spanId: `${traceId.slice(0, 15)}1`,
      parentSpanId: undefined,
      service,
      operation,
      startUs,
      durationUs,
      tags: {},
      kind: 'server' as const,
      process: { 'service.name': service },
    });
    store.add([
      span('a'.repeat(32), 'mall', 'GET /api/mall', T - 3_000_000, 5_000),
      span('b'.repeat(32), 'mall', 'GET /api/mall', T - 2_000_000, 50_000),
      span('c'.repeat(32), 'users', 'GET /users', T - 1_000_000, 1_000),
    ]);
    return store;
  }

  async function list(query: string, store = stored()) {
    const viewer = await startViewer(store, new TopologyRecorder(), 0);
    closers.push(() => viewer.server.close());
    const answer = await send(viewer.url, 'GET', `/${query}`);
    return {
      status: answer.status,
      traces: [...answer.body.matchAll(/<tr data-trace="([\da-f]+)"/g)].map((m) => m[1]![0]),
      error: /<p class="error" role="alert">([^<]*)<\/p>/.exec(answer.body)?.[1],
      body: answer.body,
    };
  }

  it('lists every service\'s traces of the last hour, newest first, as many as limit asks', async () => {
    expect(await list('')).toMatchObject({ status: 200, traces: ['c', 'b', 'a'], error: undefined });
    expect(await list('?limit=2')).toMatchObject({ traces: ['c', 'b'], error: undefined });
    // Empty fields, as the form sends them, are not searched for.
    expect(await list('?service=&operation=&tags=&minDuration=&limit=')).toMatchObject({ traces: ['c', 'b', 'a'], error: undefined });
    // Older than the lookback: not listed.
    expect(await list('?lookback=2s')).toMatchObject({ traces: ['c'], error: undefined });
  });

  it("searches one service by operation, duration and tags, and offers that service's operations", async () => {
    const mall = await list('?service=mall&operation=GET+%2Fapi%2Fmall&minDuration=10ms');
    expect(mall).toMatchObject({ traces: ['b'], error: undefined });
    expect(mall.body).toContain('<select name="operation"><option value="">all operations</option><option value="GET /api/mall" selected>GET /api/mall</option></select>');
    expect(await list('?service=mall&maxDuration=10ms')).toMatchObject({ traces: ['a'] });
    expect(await list(`?service=users&tags=${encodeURIComponent('{"error":"true"}')}`)).toMatchObject({ traces: [], error: undefined });
  });

  it('shows why a search is refused, in the words of the Jaeger API, and lists nothing', async () => {
    const refused = async (query: string) => {
      const page = await list(query);
      expect(page.status).toBe(200);
      expect(page.traces).toEqual([]);
      return page.error;
    };
    expect(await refused('?operation=GET+%2Fusers')).toBe("choose a service to search by operation, tags or duration (parameter &#39;service&#39; is required)");
    expect(await refused('?minDuration=1ms')).toBe("choose a service to search by operation, tags or duration (parameter &#39;service&#39; is required)");
    expect(await refused('?service=mall&minDuration=x')).toBe('unable to parse param &#39;minDuration&#39;: time: invalid duration &quot;x&quot;');
    expect(await refused('?limit=0')).toBe('limit must be at least 1');
    expect(await refused('?limit=ten')).toBe('strconv.ParseInt: parsing &quot;ten&quot;: invalid syntax');
    expect(await refused('?spanKind=server')).toBe(
      'parameter &#39;spanKind&#39; is not supported by this endpoint; it takes service, operation, tag, tags, start, end, limit, minDuration, maxDuration, traceID, raw, lookback, prettyPrint',
    );
  });

  it('answers other methods with 405, an unknown trace and path with 404, and a failure of its own with 500', async () => {
    const { viewer } = await started();
    expect(await send(viewer, 'POST', '/', '{}')).toEqual({ status: 405, body: '{"errors":[{"code":405,"msg":"GET only"}]}' });
    expect(await send(viewer, 'GET', `/trace/${'d'.repeat(32)}`)).toEqual({ status: 404, body: '<p>trace not found (the viewer keeps the last 1000)</p>' });
    expect(await send(viewer, 'GET', '/traces')).toEqual({ status: 404, body: '{"errors":[{"code":404,"msg":"no /traces"}]}' });
    const broken = { services: () => { throw new Error('store unavailable'); } } as unknown as TraceStore;
    const failing = await startViewer(broken, new TopologyRecorder(), 0);
    closers.push(() => failing.server.close());
    expect(await send(failing.url, 'GET', '/')).toEqual({ status: 500, body: '{"errors":[{"code":500,"msg":"store unavailable"}]}' });
  });

  it('answers the collector\'s wrong method or path with 404 and an oversized export with 413', async () => {
    const { collector } = await started();
    expect(await send(collector, 'GET', '/v1/traces')).toEqual({ status: 404, body: '{"error":"POST /v1/traces only"}' });
    expect(await send(collector, 'POST', '/v1/metrics', '{}')).toEqual({ status: 404, body: '{"error":"POST /v1/traces only"}' });
    expect(await send(collector, 'POST', '/v1/traces', ' '.repeat(16 * 1024 * 1024 + 1))).toEqual({ status: 413, body: '{"error":"request body too large"}' });
  });

  it('serves the topology page, its data and its scripts (read once, then kept)', async () => {
    const { viewer } = await started();
    const page = await fetch(`${viewer}/topology`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<script src="/assets/cytoscape.min.js"></script><script src="/assets/cytoscape-dagre.min.js"></script><script src="/assets/topology.js"></script>');
    expect(await (await fetch(`${viewer}/api/topology`)).json()).toEqual({ windowSeconds: 60, nodes: [], edges: [] });
    // No CDN: cytoscape and its dagre layout from the runtime's own dependencies, the page's script from topology/client.ts.
    const require = createRequire(import.meta.url);
    const assets = {
      'cytoscape.min.js': readFileSync(require.resolve('cytoscape/dist/cytoscape.min.js'), 'utf8'),
      'cytoscape-dagre.min.js': readFileSync(join(dirname(require.resolve('cytoscape-dagre')), 'cytoscape-dagre.min.js'), 'utf8'),
      'topology.js': clientScript(),
    };
    for (const [asset, text] of Object.entries(assets)) {
      for (let i = 0; i < 2; i++) {
        const answer = await fetch(`${viewer}/assets/${asset}`);
        expect(answer.status, asset).toBe(200);
        expect(answer.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
        expect(answer.headers.get('cache-control')).toBe('max-age=3600');
        expect(await answer.text(), asset).toBe(text);
      }
    }
    expect((await fetch(`${viewer}/assets/other.js`)).status).toBe(404);
  });
});
