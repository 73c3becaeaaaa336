import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TraceStore } from './store.js';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

/**
 * Jaeger's query API (jaeger-query's `/api/...`), as Jaeger UI, Grafana's Jaeger data source and `mesh-mall analyze`
 * call it. Answers and returns true for a path under `/api/` it knows; false for any other path.
 */
export function handleJaegerApi(store: TraceStore, url: URL, res: ServerResponse, _req: IncomingMessage): boolean {
  const json = (status: number, body: unknown) => sendJson(res, status, body);
  if (url.pathname === '/api/services') {
    const data = store.services();
    json(200, { data, total: data.length, limit: 0, offset: 0, errors: null });
    return true;
  }
  if (url.pathname === '/api/traces') {
    const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 20) || 20, 1), 1500);
    const lookbackMs = parseLookback(url.searchParams.get('lookback'));
    if (lookbackMs === undefined) {
      json(400, { data: null, errors: [{ code: 400, msg: 'lookback must look like 1h, 15m or 30s' }] });
      return true;
    }
    const data = store.find({ service: url.searchParams.get('service') || undefined, limit, lookbackMs });
    json(200, { data, total: data.length, limit, offset: 0, errors: null });
    return true;
  }
  const traceId = /^\/api\/traces\/([\da-fA-F]{1,32})$/.exec(url.pathname)?.[1];
  if (traceId) {
    const trace = store.get(traceId.padStart(32, '0'));
    if (trace) json(200, { data: [trace], total: 1, limit: 0, offset: 0, errors: null });
    else json(404, { data: null, errors: [{ code: 404, msg: 'trace not found' }] });
    return true;
  }
  return false;
}

function parseLookback(value: string | null): number | undefined {
  if (!value) return 3600_000;
  const match = /^(\d+)(s|m|h|d)$/.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
}
