import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Dispatcher, Pool } from 'undici';
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
    // Stryker disable next-line LogicalOperator,OptionalChaining: no one shows this message: attempts() reads only .failure, mirror() drops the error
    super(`${failure}: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

/** Connections kept per endpoint (a pod's port), as Envoy keeps a connection pool per upstream host. */
const pools = new Map<number, Pool>();

function poolFor(port: number): Pool {
  let pool = pools.get(port);
  if (!pool) pools.set(port, (pool = new Pool(`http://127.0.0.1:${port}`, { keepAliveTimeout: 30_000, connections: 256 })));
  return pool;
}

/**
 * An endpoint left its Service's endpoints: its connections are drained as Envoy drains a removed host's pools
 * (cluster_manager_impl.cc, hosts removed → drainOrCloseConnPools with DrainAndDelete): idle connections close now,
 * busy ones once their request ends, and the next request to that port opens a new pool. Without it the pod's own
 * shutdown closes idle keep-alive connections from its side, under a request that may be on its way.
 */
export function drainEndpoint(port: number): void {
  const pool = pools.get(port);
  if (!pool) return;
  pools.delete(port);
  void pool.close();
}

/** One attempt: sends the request to the endpoint at `port` and resolves once the response headers arrive. */
export async function send(
  port: number,
  request: { method: string; path: string; headers: Headers; body: Buffer | undefined },
  signal: AbortSignal,
): Promise<Dispatcher.ResponseData> {
  try {
    return await poolFor(port).request({
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
  // Stryker disable next-line OptionalChaining: undici rejects with Error objects; an error that made this throw would still be taken as 'reset' (sidecar attempts()), as classify takes one without a code
  const code = (error as { code?: string; cause?: { code?: string } })?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  // The origin is always the literal 127.0.0.1: a connection is refused or times out, there is no name to look up.
  return code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connect-failure' : 'reset';
}

/**
 * Streams an upstream response to the caller with the given headers, resolving with the body bytes sent; rejects if
 * either side breaks off. Plain pipe rather than stream.pipeline, which builds an AbortController and a DOMException
 * per response: measurable per hop.
 */
export function relay(upstream: Dispatcher.ResponseData, res: ServerResponse, headers: Headers): Promise<number> {
  const body = upstream.body;
  let sent = 0;
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
    res.once('close', () => {
      if (res.writableFinished) return resolve(sent);
      // Stryker disable next-line StringLiteral: the rejection's message is read by no one (the sidecar destroys the response and moves on)
      fail(new Error('client closed the connection'));
    });
    body.on('data', (chunk: Buffer) => (sent += chunk.length));
    body.pipe(res);
  });
}
