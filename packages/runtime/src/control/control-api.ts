import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { ManifestError, toManifests, toObjectNames } from '../api/manifests.js';
import { nestsDeeperThan } from '../lib/nesting.js';
import { BodyTooLarge, readBoundedBody } from '../lib/read-body.js';
import type { MeshTelemetry } from '../telemetry/mesh-telemetry.js';
import { ingressRouteView, sidecarRouteView } from './route-view.js';
import type { Runtime } from './runtime.js';
import { view, VIEWS, type ViewName } from './views.js';

/** What `mesh-mall apply|delete` send: the YAML documents as read, each with the file it came from. */
const documentsBody = z.object({ documents: z.array(z.object({ source: z.string(), object: z.unknown() })) });

const BODY_LIMIT = 8 * 1024 * 1024;
const MAX_JSON_DEPTH = 10_000;

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The runtime's control API, what the API server is to kubectl: `POST /apply` and `POST /delete` take documents,
 * `GET /workloads|services|secrets|routes|gateways|httproutes|pods|topology` list, `GET /proxy-config/routes/<pod>` shows one proxy's compiled
 * route table (what istiod's debug endpoints are to istioctl), `GET /metrics` serves Istio's metrics in Prometheus text.
 */
export async function startControl(runtime: Runtime, telemetry: MeshTelemetry, port: number): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    handle(runtime, telemetry, req, res).catch((error: unknown) => {
      const status = error instanceof ControlError ? error.status : error instanceof ManifestError ? 422 : 500;
      const message = status === 500 ? `internal error: ${(error as Error)?.message}` : (error as Error).message;
      sendJson(res, status, { error: STATUS_CODES[status], message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return { server, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}` };
}

async function handle(runtime: Runtime, telemetry: MeshTelemetry, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?', 1)[0]!;
  if (req.method === 'POST' && (path === '/apply' || path === '/delete')) {
    const parsed = documentsBody.safeParse(await readJson(req));
    if (!parsed.success) throw new ControlError(400, 'body must be {"documents": [{"source": "...", "object": {...}}]}');
    if (path === '/delete') return sendJson(res, 200, { results: await runtime.delete(toObjectNames(parsed.data.documents)), warnings: [], clusterOnly: [] });
    const { manifests, warnings, clusterOnly } = toManifests(parsed.data.documents);
    return sendJson(res, 200, { results: await runtime.apply(manifests), warnings, clusterOnly });
  }
  if (req.method === 'GET' && (VIEWS as readonly string[]).includes(path.slice(1))) {
    return sendJson(res, 200, view(runtime, telemetry.topology, path.slice(1) as ViewName));
  }
  const proxy = /^\/proxy-config\/routes\/([^/]+)$/.exec(path)?.[1];
  if (req.method === 'GET' && proxy !== undefined) {
    const name = decodePathSegment(proxy);
    const table = runtime.routeTable(name);
    if (!table) throw new ControlError(404, `no pod ${name} (see mesh-mall get pods), and it is not istio-ingressgateway`);
    return sendJson(res, 200, 'ingress' in table ? ingressRouteView(table.ingress) : sidecarRouteView(table.sidecar));
  }
  if (req.method === 'GET' && path === '/metrics') {
    const text = await telemetry.metrics.text();
    res.writeHead(200, { 'content-type': telemetry.metrics.contentType }).end(text);
    return;
  }
  throw new ControlError(404, `no ${req.method} ${path}; try GET /workloads, /services, /secrets, /routes, /gateways, /httproutes, /pods, /topology, /proxy-config/routes/<pod>, /metrics or POST /apply, /delete`);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let body: Buffer;
  try {
    body = await readBoundedBody(req, BODY_LIMIT);
  } catch (error) {
    throw error instanceof BodyTooLarge ? new ControlError(413, 'request body too large') : error;
  }
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ControlError(400, 'body is not JSON');
  }
  // The API server's JSON decoder stops at this depth (Go encoding/json maxNestingDepth: "exceeded max depth").
  if (nestsDeeperThan(value, MAX_JSON_DEPTH)) throw new ControlError(400, `body is not JSON the API server reads: exceeded max depth (${MAX_JSON_DEPTH})`);
  return value;
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ControlError(400, `malformed percent-encoding in ${JSON.stringify(segment)}`);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}
