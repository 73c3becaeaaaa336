import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  DEPENDENCIES_PARAMETERS,
  GET_TRACE_PARAMETERS,
  OPERATIONS_PARAMETERS,
  parseDependencies,
  parseGetTrace,
  parseOperations,
  parseTraceSearch,
  TRACE_SEARCH_PARAMETERS,
  unsupportedParameter,
  type Parsed,
} from './query-params.js';
import type { JaegerTrace, TraceStore } from './store.js';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

/** encoding/json's text: <, > and & (and U+2028/9) escaped inside strings, MarshalIndent's four spaces when pretty. */
function goJson(body: unknown, pretty: boolean): string {
  return JSON.stringify(body, null, pretty ? 4 : undefined).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** structuredResponse (http_handler.go): every field always present, errors null when there are none. */
interface Envelope {
  data: unknown;
  total?: number;
  errors?: { code?: number; msg: string; traceID?: string }[] | null;
}

/** writeJSON: application/json; `prettyPrint` set and not "false" indents. */
function writeJson(res: ServerResponse, url: URL, body: Envelope): void {
  const prettyPrint = url.searchParams.get('prettyPrint') ?? '';
  const text = goJson({ data: body.data, total: body.total ?? 0, limit: 0, offset: 0, errors: body.errors ?? null }, prettyPrint !== '' && prettyPrint !== 'false');
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

/** handleError: the envelope with one error, written by Go's http.Error (text/plain, nosniff, a trailing newline). */
function writeError(res: ServerResponse, status: number, msg: string): void {
  const text = `${goJson({ data: null, total: 0, limit: 0, offset: 0, errors: [{ code: status, msg }] }, false)}\n`;
  res
    .writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'content-length': Buffer.byteLength(text) })
    .end(text);
}

/** Refuses (400) a parameter the endpoint does not read: our own check, as Jaeger would silently ignore it. */
function refusesParameters(res: ServerResponse, url: URL, supported: readonly string[]): boolean {
  const unsupported = unsupportedParameter(url.searchParams, supported);
  if (unsupported) writeError(res, 400, unsupported);
  return unsupported !== undefined;
}

/** The parameters' check, then the endpoint's own parsing; a parse error is a 400 with Jaeger's message. */
function parse<T>(res: ServerResponse, url: URL, supported: readonly string[], parser: () => Parsed<T>): T | undefined {
  if (refusesParameters(res, url, supported)) return undefined;
  const parsed = parser();
  if (parsed.ok) return parsed.value;
  writeError(res, 400, parsed.error);
  return undefined;
}

/**
 * errInvalidSearchDepth of Jaeger's memory store (internal/storage/v2/memory). Jaeger answers it with 500; it is the
 * caller's input, so here it is a 400 with Jaeger's message (a bad request never gets a 500).
 */
const SEARCH_DEPTH_ERROR = 'search depth must be greater than 0 and less than max traces';

/** A path segment unescaped as Go's mux does for a path value; undefined for a bad % escape. */
function pathUnescape(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** Go's url.QueryUnescape: '+' is a space; undefined for a bad % escape. */
const queryUnescape = (value: string) => pathUnescape(value.replace(/\+/g, ' '));

/**
 * Jaeger's HTTP query API (jaeger-query's `/api/...`, cmd/jaeger/internal/extension/jaegerquery/internal/
 * http_handler.go RegisterRoutes), as Jaeger UI, Grafana's Jaeger data source and `mesh-mall analyze` call it.
 * Answers and returns true for a path it serves; false for any other path.
 */
export function handleJaegerApi(store: TraceStore, url: URL, res: ServerResponse, _req: IncomingMessage): boolean {
  const path = url.pathname;

  // getServices
  if (path === '/api/services') {
    if (refusesParameters(res, url, [])) return true;
    const data = store.services();
    writeJson(res, url, { data, total: data.length });
    return true;
  }

  // getOperations: [{name, spanKind}]
  if (path === '/api/operations') {
    const query = parse(res, url, OPERATIONS_PARAMETERS, () => parseOperations(url.searchParams));
    if (!query) return true;
    const data = store.operations(query.service, query.spanKind);
    writeJson(res, url, { data, total: data.length });
    return true;
  }

  // getOperationsLegacy: the unique names, every kind; null when there are none (a nil Go slice).
  const legacy = /^\/api\/services\/([^/]+)\/operations$/.exec(path);
  if (legacy) {
    if (refusesParameters(res, url, [])) return true;
    // The mux unescapes the path value, and the handler unescapes it once more with url.QueryUnescape (its error
    // ignored: no service, no operations).
    const service = queryUnescape(pathUnescape(legacy[1]!) ?? '') ?? '';
    const names = [...new Set(store.operations(service).map((o) => o.name))];
    writeJson(res, url, { data: names.length > 0 ? names : null, total: names.length });
    return true;
  }

  // search
  if (path === '/api/traces') {
    const query = parse(res, url, TRACE_SEARCH_PARAMETERS, () => parseTraceSearch(url.searchParams, Date.now()));
    if (!query) return true;
    if (query.traceIDs.length > 0) {
      // tracesByIDs: the traces found, and an error without a code for each id that is not.
      const data: JaegerTrace[] = [];
      const errors: { msg: string; traceID: string }[] = [];
      const requested = new Map(query.traceIDs.map((id) => [id.key, id]));
      for (const id of requested.values()) {
        const trace = store.get(id.key, { raw: query.raw });
        if (trace) data.push(trace);
        else errors.push({ msg: 'trace not found', traceID: id.text });
      }
      writeJson(res, url, { data, errors: errors.length > 0 ? errors : null });
      return true;
    }
    // A limit above what the store keeps finds everything it keeps, as a memory store without a max_traces does.
    if (query.limit <= 0) {
      writeError(res, 400, SEARCH_DEPTH_ERROR);
      return true;
    }
    const data = store.find({
      service: query.service,
      operation: query.operation,
      tags: query.tags,
      minDurationNs: query.minDurationNs,
      maxDurationNs: query.maxDurationNs,
      startUs: query.startUs,
      endUs: query.endUs,
      limit: query.limit,
      raw: query.raw,
    });
    writeJson(res, url, { data });
    return true;
  }

  // getTrace
  const byId = /^\/api\/traces\/([^/]+)$/.exec(path);
  if (byId) {
    const id = pathUnescape(byId[1]!);
    const query = parse(res, url, GET_TRACE_PARAMETERS, () => (id === undefined ? { ok: false, error: `invalid URL escape in ${byId[1]}` } : parseGetTrace(id, url.searchParams)));
    if (!query) return true;
    const trace = store.get(query.traceId.key, { raw: query.raw });
    if (trace) writeJson(res, url, { data: [trace] });
    else writeError(res, 404, 'trace not found');
    return true;
  }

  // dependencies: deduplicated, and narrowed to the links that touch `service` when it is given
  if (path === '/api/dependencies') {
    const query = parse(res, url, DEPENDENCIES_PARAMETERS, () => parseDependencies(url.searchParams, Date.now()));
    if (!query) return true;
    const data = store.dependencies(query.endUs, query.lookbackUs).filter((d) => query.service === '' || d.parent === query.service || d.child === query.service);
    writeJson(res, url, { data });
    return true;
  }

  return false;
}
