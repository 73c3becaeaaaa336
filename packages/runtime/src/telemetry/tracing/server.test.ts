import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
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
