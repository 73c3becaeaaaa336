import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { BodyTooLarge, readBoundedBody } from '../../lib/read-body.js';
import type { TopologyRecorder } from '../topology.js';
import { decodeTraces, OtlpError } from './otlp.js';
import type { TraceStore } from './store.js';
import { handleTopology } from '../topology-page.js';
import { handleJaegerApi, sendJson } from './jaeger-api.js';
import { parseTraceSearch, TRACE_SEARCH_PARAMETERS, unsupportedParameter } from './query-params.js';
import { renderTraceList, renderWaterfall } from './ui.js';

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

/** Search fields that need a service, as Jaeger's search does; the list of every service takes limit and lookback only. */
const SERVICE_FILTERS = ['operation', 'tag', 'tags', 'minDuration', 'maxDuration'];

/** The trace list for the search form's fields: parsed as `/api/traces` parses them, a refusal shown on the page. */
function traceListPage(store: TraceStore, given: URLSearchParams): string {
  const params = new URLSearchParams([...given].filter(([, value]) => value !== ''));
  // The form's own default time range, so the page searches the window it shows.
  if (!params.has('lookback') && !params.has('start')) params.set('lookback', '1h');
  const service = params.get('service') ?? '';
  const form = { services: store.services(), operations: service ? store.operations(service).map((o) => o.name) : [], params };
  const unsupported = unsupportedParameter(params, [...TRACE_SEARCH_PARAMETERS]);
  if (unsupported) return renderTraceList([], { ...form, error: unsupported });
  if (!service && SERVICE_FILTERS.some((name) => params.has(name))) return renderTraceList([], { ...form, error: "choose a service to search by operation, tags or duration (parameter 'service' is required)" });
  // Every service: the same parsing for limit and lookback, with the service left out of the search.
  const parsed = parseTraceSearch(service ? params : new URLSearchParams([...params, ['service', '*']]), Date.now());
  if (!parsed.ok) return renderTraceList([], { ...form, error: parsed.error });
  const query = parsed.value;
  if (query.limit <= 0) return renderTraceList([], { ...form, error: 'limit must be at least 1' });
  const filters = service ? { service, operation: query.operation, tags: query.tags, minDurationNs: query.minDurationNs, maxDurationNs: query.maxDurationNs } : {};
  return renderTraceList(store.find({ ...filters, startUs: query.startUs, endUs: query.endUs, limit: query.limit, raw: query.raw }), form);
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
  // A sender that goes away mid-body only loses its own request.
  const server = createServer((req, res) => void receive(req, res).catch(() => res.destroy()));
  async function receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/traces') return send(res, 404, 'application/json', '{"error":"POST /v1/traces only"}');
    const body = await readBody(req);
    if (!body) return send(res, 413, 'application/json', '{"error":"request body too large"}');
    try {
      store.add(decodeTraces(body, String(req.headers['content-type'] ?? '')));
    } catch (error) {
      // decodeTraces says what is wrong with a body as an OtlpError; anything else is ours, and still not a crash.
      const status = error instanceof OtlpError ? 400 : 500;
      return send(res, status, 'application/json', JSON.stringify({ error: (error as Error).message }));
    }
    const protobuf = String(req.headers['content-type']).startsWith('application/x-protobuf');
    // An empty ExportTraceServiceResponse: nothing rejected.
    res.writeHead(200, { 'content-type': protobuf ? 'application/x-protobuf' : 'application/json' }).end(protobuf ? Buffer.alloc(0) : '{}');
  }
  return { server, url: await listen(server, port) };
}

/**
 * The viewer: the trace list, one trace's waterfall and the live topology as pages, and Jaeger's query API
 * (jaeger-api.ts), so `mesh-mall analyze`, Jaeger UI and Grafana read this and a real Jaeger the same way.
 */
export async function startViewer(store: TraceStore, topology: TopologyRecorder, port: number): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    // Whatever goes wrong with one request is that request's answer, never the runtime's end.
    try {
      view(req, res);
    } catch (error) {
      if (!res.headersSent) sendJson(res, 500, { errors: [{ code: 500, msg: (error as Error).message }] });
      else res.destroy();
    }
  });
  function view(req: IncomingMessage, res: ServerResponse): void {
    if (!URL.canParse(req.url ?? '/', 'http://viewer')) return sendJson(res, 400, { errors: [{ code: 400, msg: `not a valid request target: ${req.url}` }] });
    const url = new URL(req.url ?? '/', 'http://viewer');
    const html = (body: string) => send(res, 200, 'text/html; charset=utf-8', body);
    if (req.method !== 'GET') return sendJson(res, 405, { errors: [{ code: 405, msg: 'GET only' }] });
    if (handleTopology(topology, url, res)) return;
    if (url.pathname.startsWith('/api/') && handleJaegerApi(store, url, res, req)) return;
    const traceId = /^\/trace\/([\da-fA-F]{1,32})$/.exec(url.pathname)?.[1];
    if (traceId) {
      const trace = store.get(traceId.padStart(32, '0'));
      return trace ? html(renderWaterfall(trace)) : send(res, 404, 'text/html; charset=utf-8', '<p>trace not found (the viewer keeps the last 1000)</p>');
    }
    if (url.pathname === '/') return html(traceListPage(store, url.searchParams));
    return sendJson(res, 404, { errors: [{ code: 404, msg: `no ${url.pathname}` }] });
  }
  return { server, url: await listen(server, port) };
}
