import type { IncomingMessage } from 'node:http';
import { randomHex } from '../lib/random-ids.js';

const TRACEPARENT = /^([\da-f]{2})-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;
const B3_ID = /^[\da-f]{16}$|^[\da-f]{32}$/;
const SPAN_ID = /^[\da-f]{16}$/;
/** W3C trace context: an all-zero trace or parent id is invalid, and the request is treated as carrying none. */
const ZERO = /^0+$/;
const B3_SINGLE = /^([\da-f]{16}|[\da-f]{32})-([\da-f]{16})(?:-([01d]))?(?:-[\da-f]{16})?$/;

/** The ids of the proxy's own span for one hop. */
export interface ProxySpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  /** The caller's sampling decision; Envoy reports no span for an unsampled request (Span::finishSpan). */
  sampled: boolean;
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
  // Stryker disable next-line StringLiteral: any text the pattern refuses stands for a missing header alike
  const parsed = TRACEPARENT.exec(String(headers.traceparent ?? ''));
  const w3c = parsed && !ZERO.test(parsed[2]!) && !ZERO.test(parsed[3]!) ? parsed : undefined;
  // Stryker disable next-line ConditionalExpression: Node gives an unknown header as one string or undefined, and the pattern refuses "undefined"
  const b3Trace = typeof headers['x-b3-traceid'] === 'string' && B3_ID.test(headers['x-b3-traceid']) && !ZERO.test(headers['x-b3-traceid']) ? headers['x-b3-traceid'] : undefined;
  // Stryker disable next-line ConditionalExpression: Node gives an unknown header as one string or undefined, and the pattern refuses "undefined"
  const b3Parent = typeof headers['x-b3-spanid'] === 'string' && SPAN_ID.test(headers['x-b3-spanid']) ? headers['x-b3-spanid'] : undefined;
  // Stryker disable next-line StringLiteral: any text the pattern refuses stands for a missing header alike
  const b3Single = B3_SINGLE.exec(String(headers.b3 ?? ''));
  let span: Omit<ProxySpan, 'sampled'>;
  let sampled: boolean;
  if (w3c) {
    span = { traceId: w3c[2]!, spanId, parentSpanId: w3c[3]! };
    // The sampled bit of trace-flags.
    sampled = (parseInt(w3c[4]!, 16) & 1) === 1;
  } else if (b3Trace) {
    span = { traceId: b3Trace.padStart(32, '0'), spanId, parentSpanId: b3Parent };
    sampled = headers['x-b3-sampled'] !== '0';
  } else if (b3Single) {
    span = { traceId: b3Single[1]!.padStart(32, '0'), spanId, parentSpanId: b3Single[2]! };
    sampled = b3Single[3] !== '0';
  } else {
    span = { traceId: randomHex(16), spanId, parentSpanId: undefined };
    sampled = true;
  }

  headers.traceparent = `00-${span.traceId}-${spanId}-${sampled ? '01' : '00'}`;
  if (b3Trace) {
    headers['x-b3-spanid'] = spanId;
    if (span.parentSpanId) headers['x-b3-parentspanid'] = span.parentSpanId;
  }
  if (b3Single) headers.b3 = `${b3Single[1]}-${spanId}${b3Single[3] ? `-${b3Single[3]}` : ''}`;
  return { ...span, sampled };
}
