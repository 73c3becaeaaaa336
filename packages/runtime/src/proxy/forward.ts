import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent, type Dispatcher } from 'undici';
import type { Headers } from '../lib/headers.js';
import { readBoundedBody } from '../lib/read-body.js';

/** Reads a request body so that it can be sent more than once (retries, mirroring), refusing more than `limit`. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = req.headers['content-length'];
  if (req.headers['transfer-encoding'] === undefined && (declared === undefined || declared === '0')) return undefined;
  return readBoundedBody(req, limit);
}

/** Why an attempt produced no response: the retry conditions Envoy distinguishes. */
export type AttemptFailure = 'connect-failure' | 'reset' | 'timeout' | 'cancelled';

export class AttemptError extends Error {
  constructor(readonly failure: AttemptFailure, cause: unknown) {
    super(`${failure}: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

const upstreams = new Agent({ keepAliveTimeout: 30_000, connections: 256 });

/** One attempt: sends the request to `origin` and resolves once the response headers arrive. */
export async function send(
  origin: string,
  request: { method: string; path: string; headers: Headers; body: Buffer | undefined },
  signal: AbortSignal,
): Promise<Dispatcher.ResponseData> {
  try {
    return await upstreams.request({
      origin,
      path: request.path,
      method: request.method as Dispatcher.HttpMethod,
      headers: request.body ? { ...request.headers, 'content-length': String(request.body.length) } : request.headers,
      body: request.body ?? null,
      signal,
    });
  } catch (error) {
    throw new AttemptError(classify(error, signal), error);
  }
}

function classify(error: unknown, signal: AbortSignal): AttemptFailure {
  if (signal.aborted) return signal.reason === 'timeout' ? 'timeout' : 'cancelled';
  const code = (error as { code?: string; cause?: { code?: string } })?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  return code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ENOTFOUND' ? 'connect-failure' : 'reset';
}

/**
 * Streams an upstream response to the caller with the given headers; rejects if either side breaks off. Plain pipe
 * rather than stream.pipeline, which builds an AbortController and a DOMException per response: measurable per hop.
 */
export function relay(upstream: Dispatcher.ResponseData, res: ServerResponse, headers: Headers): Promise<void> {
  const body = upstream.body;
  return new Promise((resolve, reject) => {
    const fail = (error: unknown) => {
      body.destroy();
      reject(error);
    };
    // Kept for the body's whole life: destroying it emits an abort error that must not go unhandled.
    body.on('error', fail);
    // Gone before the answer came: its 'close' has fired already and would never settle this promise.
    if (res.destroyed) return fail(new Error('client closed the connection'));
    res.writeHead(upstream.statusCode, headers);
    res.once('close', () => (res.writableFinished ? resolve() : fail(new Error('client closed the connection'))));
    body.pipe(res);
  });
}
