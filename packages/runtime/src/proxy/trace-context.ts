import type { IncomingMessage } from 'node:http';
import { randomHex } from '../lib/random-ids.js';

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;

/** The ids of the proxy's own span for one hop. */
export interface ProxySpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
}

/**
 * The proxy's own span for this hop. Trace headers pass on untouched, so the proxy span and the callee's server span
 * are both children of the caller's span; a request that arrives without a trace (at the ingress) starts one here,
 * with the proxy span as its root, as Envoy does at the edge.
 */
export function proxySpan(req: IncomingMessage): ProxySpan {
  const spanId = randomHex(8);
  const w3c = TRACEPARENT.exec(String(req.headers.traceparent ?? ''));
  if (w3c) return { traceId: w3c[1]!, spanId, parentSpanId: w3c[2]! };
  const b3Trace = req.headers['x-b3-traceid'];
  if (typeof b3Trace === 'string' && /^[\da-f]{16,32}$/.test(b3Trace)) {
    return { traceId: b3Trace.padStart(32, '0'), spanId, parentSpanId: String(req.headers['x-b3-spanid'] ?? '') || undefined };
  }
  const traceId = randomHex(16);
  req.headers.traceparent = `00-${traceId}-${spanId}-01`;
  return { traceId, spanId, parentSpanId: undefined };
}
