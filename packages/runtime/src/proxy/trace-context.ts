import type { IncomingMessage } from 'node:http';
import { randomHex } from '../lib/random-ids.js';

const TRACEPARENT = /^([\da-f]{2})-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;
const B3_ID = /^[\da-f]{16}$|^[\da-f]{32}$/;
const B3_SINGLE = /^([\da-f]{16}|[\da-f]{32})-([\da-f]{16})(?:-([01d]))?(?:-[\da-f]{16})?$/;

/** The ids of the proxy's own span for one hop. */
export interface ProxySpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
}

/**
 * Starts the proxy's own span for this hop and puts its context on the request in place of the caller's, as Envoy's
 * tracer does (Span::injectContext): the callee's server span becomes a child of the proxy span, which is a child
 * of the caller's client span. W3C `traceparent` and B3 (multi-header and single `b3`) are each rewritten where the
 * request carries them, keeping the trace id and the sampling decision. A request without a trace (at the ingress)
 * starts one here, with the proxy span as its root, as Envoy does at the edge.
 */
export function proxySpan(req: IncomingMessage): ProxySpan {
  const spanId = randomHex(8);
  const headers = req.headers;
  const w3c = TRACEPARENT.exec(String(headers.traceparent ?? ''));
  const b3Trace = typeof headers['x-b3-traceid'] === 'string' && B3_ID.test(headers['x-b3-traceid']) ? headers['x-b3-traceid'] : undefined;
  const b3Single = B3_SINGLE.exec(String(headers.b3 ?? ''));
  let span: ProxySpan;
  if (w3c) span = { traceId: w3c[2]!, spanId, parentSpanId: w3c[3]! };
  else if (b3Trace) span = { traceId: b3Trace.padStart(32, '0'), spanId, parentSpanId: String(headers['x-b3-spanid'] ?? '') || undefined };
  else if (b3Single) span = { traceId: b3Single[1]!.padStart(32, '0'), spanId, parentSpanId: b3Single[2]! };
  else span = { traceId: randomHex(16), spanId, parentSpanId: undefined };

  const sampled = w3c ? w3c[4]! : headers['x-b3-sampled'] === '0' ? '00' : '01';
  headers.traceparent = `00-${span.traceId}-${spanId}-${sampled}`;
  if (b3Trace) {
    headers['x-b3-spanid'] = spanId;
    if (span.parentSpanId) headers['x-b3-parentspanid'] = span.parentSpanId;
  }
  if (b3Single) headers.b3 = `${b3Single[1]}-${spanId}${b3Single[3] ? `-${b3Single[3]}` : ''}`;
  return span;
}
