import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { BodyTooLarge, readBoundedBody } from '../../lib/read-body.js';
import type { TopologyRecorder } from '../topology.js';
import { decodeTraces, OtlpError } from './otlp.js';
import type { TraceStore } from './store.js';
import { renderTopology, renderTraceList, renderWaterfall } from './ui.js';

const BODY_LIMIT = 16 * 1024 * 1024;

async function listen(server: Server, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) }).end(body);
}

/** The body, or undefined when it is larger than the receiver takes. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  try {
    return await readBoundedBody(req, BODY_LIMIT);
  } catch (error) {
    if (error instanceof BodyTooLarge) return undefined;
    throw error;
  }
}

/** The OTLP/HTTP receiver: `POST /v1/traces`, JSON or protobuf, as services export with OTEL_EXPORTER_OTLP_ENDPOINT. */
export async function startCollector(store: TraceStore, port: number): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/traces') return send(res, 404, 'application/json', '{"error":"POST /v1/traces only"}');
    const body = await readBody(req);
    if (!body) return send(res, 413, 'application/json', '{"error":"request body too large"}');
    try {
      store.add(decodeTraces(body, String(req.headers['content-type'] ?? '')));
    } catch (error) {
      if (!(error instanceof OtlpError)) throw error;
      return send(res, 400, 'application/json', JSON.stringify({ error: error.message }));
    }
    const protobuf = String(req.headers['content-type']).startsWith('application/x-protobuf');
    // An empty ExportTraceServiceResponse: nothing rejected.
    res.writeHead(200, { 'content-type': protobuf ? 'application/x-protobuf' : 'application/json' }).end(protobuf ? Buffer.alloc(0) : '{}');
  });
  return { server, url: await listen(server, port) };
}

/**
 * The viewer: the trace list, one trace's waterfall and the live topology as pages, and the part of Jaeger's query
 * API that tools use (`/api/services`, `/api/traces?service=&limit=&lookback=`, `/api/traces/{id}`), so
 * `mesh-mall analyze` reads this and a real Jaeger the same way.
 */
export async function startViewer(store: TraceStore, topology: TopologyRecorder, port: number): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://viewer');
    const json = (status: number, body: unknown) => send(res, status, 'application/json', JSON.stringify(body));
    const html = (body: string) => send(res, 200, 'text/html; charset=utf-8', body);
    if (req.method !== 'GET') return json(405, { errors: [{ code: 405, msg: 'GET only' }] });
    if (url.pathname === '/api/services') {
      const data = store.services();
      return json(200, { data, total: data.length, limit: 0, offset: 0, errors: null });
    }
    if (url.pathname === '/api/traces') {
      const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 20) || 20, 1), 1500);
      const lookbackMs = parseLookback(url.searchParams.get('lookback'));
      if (lookbackMs === undefined) return json(400, { data: null, errors: [{ code: 400, msg: 'lookback must look like 1h, 15m or 30s' }] });
      const data = store.find({ service: url.searchParams.get('service') || undefined, limit, lookbackMs });
      return json(200, { data, total: data.length, limit, offset: 0, errors: null });
    }
    const traceId = /^\/(?:api\/traces|trace)\/([\da-fA-F]{1,32})$/.exec(url.pathname)?.[1];
    if (traceId) {
      const trace = store.get(traceId.padStart(32, '0'));
      if (url.pathname.startsWith('/api/')) return trace ? json(200, { data: [trace], total: 1, limit: 0, offset: 0, errors: null }) : json(404, { data: null, errors: [{ code: 404, msg: 'trace not found' }] });
      return trace ? html(renderWaterfall(trace)) : send(res, 404, 'text/html; charset=utf-8', '<p>trace not found (the viewer keeps the last 1000)</p>');
    }
    if (url.pathname === '/api/topology') return json(200, topology.snapshot());
    if (url.pathname === '/topology') return html(renderTopology(topology.snapshot()));
    if (url.pathname === '/') {
      const service = url.searchParams.get('service') || undefined;
      return html(renderTraceList(store.find({ service, limit: 50, lookbackMs: 24 * 3600_000 }), store.services(), service));
    }
    return json(404, { errors: [{ code: 404, msg: `no ${url.pathname}` }] });
  });
  return { server, url: await listen(server, port) };
}

function parseLookback(value: string | null): number | undefined {
  if (!value) return 3600_000;
  const match = /^(\d+)(s|m|h|d)$/.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
}
