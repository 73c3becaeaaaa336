import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { proxySpan } from './trace-context.js';

const request = (headers: Record<string, string>) => ({ headers: { ...headers } }) as unknown as IncomingMessage & { headers: Record<string, string> };
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SHORT = 'a3ce929d0e0e4736';
const CALLER = '00f067aa0ba902b7';
const HEX16 = /^[\da-f]{16}$/;
const HEX32 = /^[\da-f]{32}$/;

describe('the sampling decision the proxy keeps', () => {
  it('is the sampled bit of W3C trace-flags', () => {
    for (const [flags, sampled] of [['01', true], ['03', true], ['00', false], ['02', false], ['ff', true]] as const) {
      const req = request({ traceparent: `00-${TRACE}-${CALLER}-${flags}` });
      expect(proxySpan(req).sampled, flags).toBe(sampled);
      expect(req.headers.traceparent?.endsWith(sampled ? '-01' : '-00')).toBe(true);
    }
  });

  it('is B3’s x-b3-sampled, sampled unless it says 0', () => {
    expect(proxySpan(request({ 'x-b3-traceid': TRACE })).sampled).toBe(true);
    expect(proxySpan(request({ 'x-b3-traceid': TRACE, 'x-b3-sampled': '1' })).sampled).toBe(true);
    expect(proxySpan(request({ 'x-b3-traceid': TRACE, 'x-b3-sampled': '0' })).sampled).toBe(false);
  });

  it('is the single b3 header’s flag, sampled when it has none or says 1 or d (debug)', () => {
    expect(proxySpan(request({ b3: `${TRACE}-${CALLER}` })).sampled).toBe(true);
    expect(proxySpan(request({ b3: `${TRACE}-${CALLER}-d` })).sampled).toBe(true);
    expect(proxySpan(request({ b3: `${TRACE}-${CALLER}-0` })).sampled).toBe(false);
  });
});

describe('the ids the proxy keeps', () => {
  it('pads a 64-bit B3 trace id to 128 bits, in the span and in traceparent', () => {
    const req = request({ 'x-b3-traceid': SHORT, 'x-b3-spanid': CALLER });
    const span = proxySpan(req);
    expect(span.traceId).toBe(`0000000000000000${SHORT}`);
    expect(req.headers.traceparent).toBe(`00-0000000000000000${SHORT}-${span.spanId}-01`);
    expect(req.headers['x-b3-traceid']).toBe(SHORT);
    const single = request({ b3: `${SHORT}-${CALLER}-1` });
    expect(proxySpan(single)).toMatchObject({ traceId: `0000000000000000${SHORT}`, parentSpanId: CALLER });
    expect(single.headers.b3).toMatch(new RegExp(`^${SHORT}-[\\da-f]{16}-1$`));
  });

  it('prefers W3C over B3, and rewrites B3 to name the proxy span with the W3C parent', () => {
    const other = '1111111111111111';
    const req = request({ traceparent: `00-${TRACE}-${CALLER}-01`, 'x-b3-traceid': TRACE, 'x-b3-spanid': other, b3: `${TRACE}-${other}-1-2222222222222222` });
    const span = proxySpan(req);
    expect(span.parentSpanId).toBe(CALLER);
    expect(req.headers['x-b3-parentspanid']).toBe(CALLER);
    expect(req.headers['x-b3-spanid']).toBe(span.spanId);
    // The single header loses its parent part: the proxy's span is what it names now.
    expect(req.headers.b3).toBe(`${TRACE}-${span.spanId}-1`);
  });

  it('leaves B3 headers alone when the request has none, and a parent header out when there is no parent', () => {
    const w3cOnly = request({ traceparent: `00-${TRACE}-${CALLER}-01` });
    proxySpan(w3cOnly);
    expect(Object.keys(w3cOnly.headers)).toEqual(['traceparent']);
    const noParent = request({ 'x-b3-traceid': TRACE });
    const span = proxySpan(noParent);
    expect(span.parentSpanId).toBeUndefined();
    expect(noParent.headers).toEqual({ 'x-b3-traceid': TRACE, 'x-b3-spanid': span.spanId, traceparent: `00-${TRACE}-${span.spanId}-01` });
  });

  it('makes new random ids: a 16-hex span id per hop, a 32-hex trace id at the edge', () => {
    const spans = [proxySpan(request({})), proxySpan(request({}))];
    for (const span of spans) {
      expect(span.spanId).toMatch(HEX16);
      expect(span.traceId).toMatch(HEX32);
    }
    expect(spans[0]!.traceId).not.toBe(spans[1]!.traceId);
    expect(spans[0]!.spanId).not.toBe(spans[1]!.spanId);
  });
});

describe('context the proxy does not trust', () => {
  it.each([
    ['an all-zero parent span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['upper-case hex', `00-${TRACE.toUpperCase()}-${CALLER}-01`],
    ['a short trace id', `00-${TRACE.slice(1)}-${CALLER}-01`],
    ['text before it', `x00-${TRACE}-${CALLER}-01`],
    ['text after it', `00-${TRACE}-${CALLER}-01-x`],
  ])('a traceparent with %s starts a new trace', (_what, traceparent) => {
    const req = request({ traceparent });
    const span = proxySpan(req);
    expect(span.parentSpanId).toBeUndefined();
    expect(span.traceId).not.toBe(TRACE);
    expect(req.headers.traceparent).toBe(`00-${span.traceId}-${span.spanId}-01`);
  });

  it.each([
    ['all zeros', '0'.repeat(32)],
    ['an odd length', TRACE.slice(2)],
    ['text after it', `${TRACE}x`],
    ['text before it', `x${SHORT}`],
  ])('an x-b3-traceid of %s is no trace', (_what, traceId) => {
    expect(proxySpan(request({ 'x-b3-traceid': traceId, 'x-b3-spanid': CALLER })).parentSpanId).toBeUndefined();
  });

  it.each([
    ['a short span id', `${TRACE}-${CALLER.slice(1)}-1`],
    ['an unknown flag', `${TRACE}-${CALLER}-2`],
    ['text before it', `x${TRACE}-${CALLER}`],
    ['text after it', `${TRACE}-${CALLER}-1-${CALLER}x`],
  ])('a b3 header with %s is no trace', (_what, b3) => {
    const req = request({ b3 });
    expect(proxySpan(req).parentSpanId).toBeUndefined();
    expect(req.headers.b3).toBe(b3);
  });

  it('an x-b3-spanid that is not 16 hex digits is no parent', () => {
    for (const spanId of [`${CALLER}0`, CALLER.slice(1), `x${CALLER.slice(1)}`]) {
      const req = request({ 'x-b3-traceid': TRACE, 'x-b3-spanid': spanId });
      expect(proxySpan(req).parentSpanId, spanId).toBeUndefined();
      expect(req.headers).not.toHaveProperty('x-b3-parentspanid');
    }
  });
});

describe('the edges of the formats', () => {
  it('keeps the trace of a single b3 header without a sampling flag, and writes it back without one', () => {
    const req = request({ b3: `${TRACE}-${CALLER}` });
    const span = proxySpan(req);
    expect(span).toMatchObject({ traceId: TRACE, parentSpanId: CALLER });
    expect(req.headers.b3).toBe(`${TRACE}-${span.spanId}`);
  });

  it('refuses an x-b3-traceid longer than 32 hex digits, and starts a trace of its own', () => {
    const span = proxySpan(request({ 'x-b3-traceid': `a${TRACE}` }));
    expect(span.traceId).not.toBe(TRACE);
    expect(span.parentSpanId).toBeUndefined();
  });

  it('takes a trace id that merely ends in zeros as valid: only an all-zero id is invalid', () => {
    const trace = `${TRACE.slice(0, 28)}0000`;
    expect(proxySpan(request({ traceparent: `00-${trace}-${CALLER}-01` }))).toMatchObject({ traceId: trace, parentSpanId: CALLER });
  });
});
