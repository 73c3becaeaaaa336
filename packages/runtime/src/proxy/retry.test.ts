import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY } from '../istio/compile.js';
import { retriable } from './retry.js';

const policy = (retryOn: string[], statusCodes: number[] = []) => ({ attempts: 2, retryOn: new Set(retryOn), statusCodes: new Set(statusCodes) });

describe("retry conditions, as Envoy's router decides them", () => {
  it("Istio's default retries a failed connection, not a 503 answer", () => {
    expect(retriable('connect-failure', 503, DEFAULT_RETRY)).toBe(true);
    expect(retriable(undefined, 503, DEFAULT_RETRY)).toBe(false);
  });

  it('refused-stream (HTTP/2 only) does not retry an HTTP/1 connection broken off before the answer', () => {
    expect(retriable('reset', 503, policy(['refused-stream']))).toBe(false);
  });

  it('reset, 5xx and gateway-error retry any reset, a failed connection included', () => {
    for (const condition of ['reset', '5xx', 'gateway-error']) {
      expect(retriable('reset', 503, policy([condition])), condition).toBe(true);
      expect(retriable('connect-failure', 503, policy([condition])), condition).toBe(true);
    }
    expect(retriable('reset', 503, policy(['connect-failure']))).toBe(false);
  });

  it('a per-try timeout is a reset of the stream: retried under reset, 5xx and gateway-error, not connect-failure', () => {
    for (const condition of ['reset', '5xx', 'gateway-error']) expect(retriable('timeout', 504, policy([condition])), condition).toBe(true);
    expect(retriable('timeout', 504, policy(['connect-failure', 'refused-stream']))).toBe(false);
  });

  it('status codes, retriable-4xx and the gRPC conditions look at the response', () => {
    expect(retriable(undefined, 418, policy(['retriable-status-codes'], [418]))).toBe(true);
    expect(retriable(undefined, 409, policy(['retriable-4xx']))).toBe(true);
    expect(retriable(undefined, 200, policy(['unavailable']), { 'grpc-status': '14' })).toBe(true);
    expect(retriable(undefined, 429, policy(['envoy-ratelimited']), { 'x-envoy-ratelimited': 'true' })).toBe(true);
    expect(retriable(undefined, 502, policy(['retriable-4xx']))).toBe(false);
  });
});
