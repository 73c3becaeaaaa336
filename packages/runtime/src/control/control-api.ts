import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { ManifestError, toManifests } from './manifests.js';
import type { Runtime } from './runtime.js';
import { view, VIEWS, type ViewName } from './views.js';

/** What `mesh-mall apply|delete` send: the YAML documents as read, each with the file it came from. */
const documentsBody = z.object({ documents: z.array(z.object({ source: z.string(), object: z.unknown() })) });

const BODY_LIMIT = 8 * 1024 * 1024;

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
 * `GET /workloads|services|routes|pods` list, `GET /metrics` serves Istio's metrics in Prometheus text.
 */
export async function startControl(runtime: Runtime, port: number): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    handle(runtime, req, res).catch((error: unknown) => {
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

async function handle(runtime: Runtime, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?', 1)[0]!;
  if (req.method === 'POST' && (path === '/apply' || path === '/delete')) {
    const parsed = documentsBody.safeParse(await readJson(req));
    if (!parsed.success) throw new ControlError(400, 'body must be {"documents": [{"source": "...", "object": {...}}]}');
    const { manifests, warnings, clusterOnly } = toManifests(parsed.data.documents);
    const results = path === '/apply' ? await runtime.apply(manifests) : await runtime.delete(manifests);
    return sendJson(res, 200, { results, warnings, clusterOnly });
  }
  if (req.method === 'GET' && (VIEWS as readonly string[]).includes(path.slice(1))) {
    return sendJson(res, 200, view(runtime, path.slice(1) as ViewName));
  }
  if (req.method === 'GET' && path === '/metrics') {
    const text = await runtime.metrics.text();
    res.writeHead(200, { 'content-type': runtime.metrics.contentType }).end(text);
    return;
  }
  throw new ControlError(404, `no ${req.method} ${path}; try GET /workloads, /services, /routes, /pods, /metrics or POST /apply, /delete`);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw new ControlError(413, 'request body too large');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ControlError(400, 'body is not JSON');
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}
