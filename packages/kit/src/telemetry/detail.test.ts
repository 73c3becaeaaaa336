import { describe, expect, it } from 'vitest';
import { traceDetail } from './detail.js';

describe('TRACE_DETAIL', () => {
  it('is "calls" unless set, and may be "full"', () => {
    expect(traceDetail({})).toBe('calls');
    expect(traceDetail({ TRACE_DETAIL: '' })).toBe('calls');
    expect(traceDetail({ TRACE_DETAIL: 'calls' })).toBe('calls');
    expect(traceDetail({ TRACE_DETAIL: 'full' })).toBe('full');
  });

  it('refuses anything else, naming the choices', () => {
    expect(() => traceDetail({ TRACE_DETAIL: 'all' })).toThrow(new Error('TRACE_DETAIL=all is not one of calls, full'));
    expect(() => traceDetail({ TRACE_DETAIL: 'Full' })).toThrow('TRACE_DETAIL=Full is not one of calls, full');
  });
});
