import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { proxySpan } from './trace-context.js';

const request = (headers: Record<string, string>) => ({ headers: { ...headers } }) as unknown as IncomingMessage;
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER = '00f067aa0ba902b7';

describe('the proxy span (Envoy injects its own span context)', () => {
  it('is a child of the caller span and replaces it in traceparent, keeping the trace id and the sampled flag', () => {
    const req = request({ traceparent: `00-${TRACE}-${CALLER}-01` });
    const span = proxySpan(req);
    expect(span).toEqual({ traceId: TRACE, spanId: expect.stringMatching(/^[\da-f]{16}$/), parentSpanId: CALLER, sampled: true });
    expect(span.spanId).not.toBe(CALLER);
    expect(req.headers.traceparent).toBe(`00-${TRACE}-${span.spanId}-01`);
  });

  it('rewrites B3 multi-header and single-header context too, so a B3 reader sees the proxy as parent', () => {
    const req = request({ traceparent: `00-${TRACE}-${CALLER}-01`, 'x-b3-traceid': TRACE, 'x-b3-spanid': CALLER, 'x-b3-sampled': '1', b3: `${TRACE}-${CALLER}-1` });
    const span = proxySpan(req);
    expect(req.headers['x-b3-spanid']).toBe(span.spanId);
    expect(req.headers['x-b3-parentspanid']).toBe(CALLER);
    expect(req.headers['x-b3-traceid']).toBe(TRACE);
    expect(req.headers.b3).toBe(`${TRACE}-${span.spanId}-1`);
  });

  it('reads a B3-only caller, and keeps an unsampled decision', () => {
    const req = request({ 'x-b3-traceid': TRACE, 'x-b3-spanid': CALLER, 'x-b3-sampled': '0' });
    const span = proxySpan(req);
    expect(span.parentSpanId).toBe(CALLER);
    expect(req.headers.traceparent).toBe(`00-${TRACE}-${span.spanId}-00`);
  });

  it('starts a trace at the edge, with the proxy span as its root', () => {
    const req = request({});
    const span = proxySpan(req);
    expect(span.parentSpanId).toBeUndefined();
    expect(req.headers.traceparent).toBe(`00-${span.traceId}-${span.spanId}-01`);
  });

  it('keeps a B3 single-header "do not sample", and says the span is not to be reported', () => {
    const req = request({ b3: `${TRACE}-${CALLER}-0` });
    const span = proxySpan(req);
    expect(span.sampled).toBe(false);
    expect(req.headers.traceparent).toBe(`00-${TRACE}-${span.spanId}-00`);
    expect(req.headers.b3).toBe(`${TRACE}-${span.spanId}-0`);
  });

  it('ignores invalid context: an all-zero W3C id starts a new trace, a malformed x-b3-spanid is no parent', () => {
    const zero = request({ traceparent: `00-${'0'.repeat(32)}-${CALLER}-01` });
    const fresh = proxySpan(zero);
    expect(fresh.traceId).not.toBe('0'.repeat(32));
    expect(fresh.parentSpanId).toBeUndefined();
    const b3 = proxySpan(request({ 'x-b3-traceid': TRACE, 'x-b3-spanid': 'not-an-id' }));
    expect(b3).toMatchObject({ traceId: TRACE, parentSpanId: undefined });
  });
});
