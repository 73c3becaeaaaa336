import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Agent } from 'undici';

/** Headers that describe one connection, not the request (RFC 9110 §7.6.1); a proxy must not pass them on. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
]);

const upstreams = new Agent({ keepAliveTimeout: 30_000, connections: 256 });

function endToEnd(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) result[name] = value;
  }
  return result;
}

/**
 * Streams one request to `origin` and its answer back. Resolves with the status the caller got: the upstream's, or
 * 503 when the upstream could not be reached or reset before answering (Envoy's "upstream connect error").
 */
export async function forward(req: IncomingMessage, res: ServerResponse, origin: string): Promise<number> {
  const aborted = new AbortController();
  const onClientGone = () => {
    if (!res.writableFinished) aborted.abort();
  };
  res.once('close', onClientGone);
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  try {
    const upstream = await upstreams.request({
      origin,
      path: req.url ?? '/',
      method: req.method as 'GET',
      headers: endToEnd(req.headers),
      body: hasBody ? req : null,
      signal: aborted.signal,
    });
    res.writeHead(upstream.statusCode, endToEnd(upstream.headers as IncomingHttpHeaders));
    await pipeline(upstream.body, res);
    return upstream.statusCode;
  } catch {
    if (!res.headersSent) {
      const body = 'upstream connect error or disconnect/reset before headers';
      res.writeHead(503, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) }).end(body);
    } else {
      res.destroy();
    }
    return 503;
  } finally {
    res.off('close', onClientGone);
  }
}
