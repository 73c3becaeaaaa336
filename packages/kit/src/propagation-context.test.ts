import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  currentContext,
  currentTraceId,
  inboundContext,
  outboundHeaders,
  requestContext,
  runWithContext,
  setPropagatedHeader,
  TRACE_HEADERS,
  tracing,
} from './propagation.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const TRACEPARENT = `00-${TRACE_ID}-b7ad6b7169203331-01`;
const FRESH_TRACEPARENT = /^00-[\da-f]{32}-[\da-f]{16}-01$/;
const UUID = /^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/;

describe('the context of an inbound request', () => {
  it('keeps the propagated headers as received and nothing else', () => {
    const context = inboundContext({ 'end-user': 'jason', 'x-request-id': 'abc', traceparent: TRACEPARENT, b3: '1-2-1', cookie: 'user=jason', host: 'mall' });
    expect(context).toEqual({ 'end-user': 'jason', 'x-request-id': 'abc', traceparent: TRACEPARENT, b3: '1-2-1' });
  });

  it('takes the first value of a header sent twice', () => {
    expect(inboundContext({ 'x-request-id': 'r', traceparent: TRACEPARENT, 'end-user': ['jason', 'fox'] as unknown as string })['end-user']).toBe('jason');
  });

  it('keeps a value of 1024 characters and drops a longer one', () => {
    const at = inboundContext({ 'x-request-id': 'r', traceparent: TRACEPARENT, 'end-user': 'a'.repeat(1024), baggage: 'b'.repeat(1025) });
    expect(at['end-user']).toBe('a'.repeat(1024));
    expect(at).not.toHaveProperty('baggage');
  });

  it('starts a request id (a random UUID) when the request has none', () => {
    const [first, second] = [inboundContext({}), inboundContext({})];
    expect(first['x-request-id']).toMatch(UUID);
    expect(second['x-request-id']).not.toBe(first['x-request-id']);
  });

  it('starts a sampled W3C trace context when the request has none or an invalid one', () => {
    const started = [
      inboundContext({})['traceparent'],
      inboundContext({ traceparent: 'garbage' })['traceparent'],
      inboundContext({ traceparent: TRACEPARENT.toUpperCase() })['traceparent'],
      inboundContext({ traceparent: `x${TRACEPARENT}` })['traceparent'],
      inboundContext({ traceparent: `${TRACEPARENT}-extra` })['traceparent'],
      inboundContext({ traceparent: `00-${TRACE_ID}-b7ad6b716920333-01` })['traceparent'],
    ];
    for (const traceparent of started) expect(traceparent).toMatch(FRESH_TRACEPARENT);
    expect(new Set(started).size).toBe(started.length);
    expect(started).not.toContain(TRACEPARENT);
  });

  it('keeps a valid trace context of any version and flags', () => {
    const traceparent = `ff-${TRACE_ID}-b7ad6b7169203331-00`;
    expect(inboundContext({ traceparent })['traceparent']).toBe(traceparent);
  });

  it('is made once per request, so a change made while serving it lasts for the whole request', () => {
    const req = { headers: { 'end-user': 'jason' } } as unknown as IncomingMessage;
    const other = { headers: { 'end-user': 'jason' } } as unknown as IncomingMessage;
    const context = requestContext(req);
    expect(requestContext(req)).toBe(context);
    expect(requestContext(other)).not.toBe(context);
    expect(requestContext(other)['x-request-id']).not.toBe(context['x-request-id']);
  });
});

describe('the context while serving', () => {
  it('is empty outside a request, and is the request’s inside it', () => {
    expect(currentContext()).toEqual({});
    expect(currentTraceId()).toBeUndefined();
    const context = { 'end-user': 'jason', traceparent: TRACEPARENT };
    expect(runWithContext(context, () => currentContext())).toBe(context);
    expect(runWithContext(context, () => 42)).toBe(42);
  });

  it('gives the trace id of the received traceparent, or none for a context without a valid one', () => {
    expect(runWithContext({ traceparent: TRACEPARENT }, currentTraceId)).toBe(TRACE_ID);
    expect(runWithContext({ traceparent: 'garbage' }, currentTraceId)).toBeUndefined();
    expect(runWithContext({}, currentTraceId)).toBeUndefined();
  });

  it('changes or removes one header for the rest of the request', () => {
    const context = { 'end-user': 'jason', 'x-request-id': 'abc' };
    runWithContext(context, () => {
      setPropagatedHeader('end-user', 'fox');
      expect(outboundHeaders()).toEqual({ 'end-user': 'fox', 'x-request-id': 'abc' });
      setPropagatedHeader('end-user', undefined);
      expect(Object.keys(outboundHeaders())).toEqual(['x-request-id']);
    });
    expect(context).toEqual({ 'x-request-id': 'abc' });
  });

  it('refuses to change a header outside a request', () => {
    expect(() => setPropagatedHeader('end-user', 'fox')).toThrow(new Error('setPropagatedHeader called outside a request'));
  });

  it('forwards the trace headers as received when OpenTelemetry does not trace the request', () => {
    expect(tracing()).toBe(false);
    const context = { 'end-user': 'jason', 'x-request-id': 'abc', traceparent: TRACEPARENT, b3: '1-2-1', 'x-b3-traceid': TRACE_ID };
    expect(runWithContext(context, outboundHeaders)).toEqual(context);
  });

  it('counts every propagated header but identity and request id as trace context', () => {
    expect([...TRACE_HEADERS]).toEqual([
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
    ]);
  });
});
