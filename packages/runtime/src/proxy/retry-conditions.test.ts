import { describe, expect, it } from 'vitest';
import type { AttemptFailure } from './forward.js';
import { retriable } from './retry.js';

const policy = (retryOn: string[], statusCodes: number[] = []) => ({ attempts: 2, retryOn: new Set(retryOn), statusCodes: new Set(statusCodes) });
const RESET_CONDITIONS = ['reset', '5xx', 'gateway-error'];

describe('which failures each retryOn condition retries', () => {
  it('a connection that could not be made: reset, 5xx, gateway-error and connect-failure', () => {
    for (const condition of [...RESET_CONDITIONS, 'connect-failure']) expect(retriable('connect-failure', 503, policy([condition])), condition).toBe(true);
    for (const condition of ['retriable-4xx', 'retriable-status-codes', 'refused-stream', 'unavailable']) {
      expect(retriable('connect-failure', 503, policy([condition], [503])), condition).toBe(false);
    }
  });

  it('a reset or a per-try timeout: only reset, 5xx and gateway-error, whatever status stands for it', () => {
    for (const failure of ['reset', 'timeout'] as AttemptFailure[]) {
      for (const condition of RESET_CONDITIONS) expect(retriable(failure, 503, policy([condition])), `${failure} ${condition}`).toBe(true);
      expect(retriable(failure, 503, policy(['connect-failure', 'retriable-status-codes'], [503, 504])), failure).toBe(false);
    }
  });

  it('a request the client gave up on: nothing', () => {
    expect(retriable('cancelled', 0, policy([...RESET_CONDITIONS, 'connect-failure']))).toBe(false);
  });
});

describe('which answers each retryOn condition retries', () => {
  it('5xx: every status from 500', () => {
    expect([499, 500, 501, 503, 599].map((status) => retriable(undefined, status, policy(['5xx'])))).toEqual([false, true, true, true, true]);
  });

  it('gateway-error: 502, 503 and 504 only', () => {
    expect([500, 501, 502, 503, 504, 505].map((status) => retriable(undefined, status, policy(['gateway-error'])))).toEqual([false, false, true, true, true, false]);
  });

  it('retriable-4xx: 409 only', () => {
    expect([400, 408, 409, 429].map((status) => retriable(undefined, status, policy(['retriable-4xx'])))).toEqual([false, false, true, false]);
  });

  it('retriable-status-codes: the codes named, and only under that condition', () => {
    expect(retriable(undefined, 418, policy(['retriable-status-codes'], [418, 503]))).toBe(true);
    expect(retriable(undefined, 419, policy(['retriable-status-codes'], [418, 503]))).toBe(false);
    expect(retriable(undefined, 418, policy(['5xx'], [418]))).toBe(false);
  });

  it('envoy-ratelimited: an answer carrying x-envoy-ratelimited', () => {
    expect(retriable(undefined, 429, policy(['envoy-ratelimited']), { 'x-envoy-ratelimited': 'true' })).toBe(true);
    expect(retriable(undefined, 429, policy(['envoy-ratelimited']), {})).toBe(false);
    expect(retriable(undefined, 429, policy(['5xx']), { 'x-envoy-ratelimited': 'true' })).toBe(false);
  });

  it('the gRPC conditions: the grpc-status each names', () => {
    const codes = { cancelled: '1', 'deadline-exceeded': '4', 'resource-exhausted': '8', internal: '13', unavailable: '14' };
    for (const [condition, code] of Object.entries(codes)) {
      expect(retriable(undefined, 200, policy([condition]), { 'grpc-status': code }), condition).toBe(true);
      expect(retriable(undefined, 200, policy([condition]), { 'grpc-status': '2' }), condition).toBe(false);
    }
    expect(retriable(undefined, 200, policy(['5xx']), { 'grpc-status': '14' })).toBe(false);
    expect(retriable(undefined, 200, policy(['unavailable']), {})).toBe(false);
    expect(retriable(undefined, 200, policy(['unavailable']), { 'grpc-status': ['14', '14'] } as never)).toBe(false);
  });

  it('nothing retries a success, or an answer no condition names', () => {
    expect(retriable(undefined, 200, policy([...RESET_CONDITIONS, 'connect-failure', 'retriable-4xx']))).toBe(false);
    expect(retriable(undefined, 404, policy([...RESET_CONDITIONS, 'retriable-4xx']))).toBe(false);
    expect(retriable(undefined, 503, policy([]))).toBe(false);
  });
});
