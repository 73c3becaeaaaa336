import { AsyncLocalStorage } from 'node:async_hooks';
import { trace } from '@opentelemetry/api';
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/**
 * Headers that follow a request through every hop: the caller's identity for lane routing, Envoy's request id, and
 * the W3C and B3 trace context that Envoy's tracer and OpenTelemetry read.
 */
export const PROPAGATED_HEADERS = [
  'end-user',
  'x-request-id',
  'traceparent',
  'tracestate',
  'baggage',
  'b3',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
  'x-ot-span-context',
] as const;

export type PropagatedHeaders = Partial<Record<(typeof PROPAGATED_HEADERS)[number], string>>;

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;
const MAX_HEADER_LENGTH = 1024;

const storage = new AsyncLocalStorage<PropagatedHeaders>();

/**
 * Picks the propagated headers of an inbound request. A request arriving without an id or a trace context starts
 * them here, so every hop after this one shares them.
 */
export function inboundContext(headers: IncomingHttpHeaders): PropagatedHeaders {
  const context: PropagatedHeaders = {};
  for (const name of PROPAGATED_HEADERS) {
    const value = headers[name];
    const single = Array.isArray(value) ? value[0] : value;
    if (single !== undefined && single.length <= MAX_HEADER_LENGTH) context[name] = single;
  }
  context['x-request-id'] ??= randomUUID();
  if (!context.traceparent || !TRACEPARENT.test(context.traceparent)) {
    context.traceparent = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
  }
  return context;
}

const byRequest = new WeakMap<IncomingMessage, PropagatedHeaders>();

/**
 * The context of one inbound request, made once. Frameworks re-enter it after reading a body, because body events
 * fire outside the async context the request started in.
 */
export function requestContext(req: IncomingMessage): PropagatedHeaders {
  let context = byRequest.get(req);
  if (!context) {
    context = inboundContext(req.headers);
    byRequest.set(req, context);
  }
  return context;
}

export function runWithContext<T>(context: PropagatedHeaders, fn: () => T): T {
  return storage.run(context, fn);
}

/** The propagated headers of the request being served, or none outside a request. */
export function currentContext(): PropagatedHeaders {
  return storage.getStore() ?? {};
}

/** Changes one propagated header for the rest of this request's outbound calls (the mall sets `end-user`). */
export function setPropagatedHeader(name: (typeof PROPAGATED_HEADERS)[number], value: string | undefined): void {
  const context = storage.getStore();
  if (!context) throw new Error('setPropagatedHeader called outside a request');
  if (value === undefined) delete context[name];
  else context[name] = value;
}

/**
 * The propagated headers that carry trace context (all but identity and request id): OpenTelemetry's propagators
 * write them when it traces the request (new span id per hop).
 */
export const TRACE_HEADERS: ReadonlySet<string> = new Set(PROPAGATED_HEADERS.filter((h) => h !== 'end-user' && h !== 'x-request-id'));

/** Whether OpenTelemetry traces the request being served (the SDK runs and a span is active). */
export function tracing(): boolean {
  return trace.getActiveSpan()?.spanContext().traceId !== undefined;
}

/**
 * Headers for an outbound call of the request being served. With OpenTelemetry tracing it, the trace headers are
 * left to its propagators (they carry the client span's id); without, they are forwarded as received.
 */
export function outboundHeaders(): PropagatedHeaders {
  const context = currentContext();
  if (!tracing()) return context;
  return Object.fromEntries(Object.entries(context).filter(([name]) => !TRACE_HEADERS.has(name)));
}

/** The trace id of the request being served: OpenTelemetry's when it traces it, else the received traceparent's. */
export function currentTraceId(): string | undefined {
  const active = trace.getActiveSpan()?.spanContext().traceId;
  // Stryker disable next-line StringLiteral: the stand-in for no traceparent only has to fail the pattern, as '' and any mutant's text do
  return active ?? TRACEPARENT.exec(currentContext().traceparent ?? '')?.[1];
}
