import type { AttemptFailure } from './forward.js';

/**
 * Whether an attempt that ended so may be retried under a route's `retryOn` conditions (Envoy's x-envoy-retry-on
 * semantics: `5xx` includes connect failures, resets and timeouts; `gateway-error` is 502–504 and connect failures).
 */
export function retriable(failure: AttemptFailure | undefined, status: number, retryOn: ReadonlySet<string>): boolean {
  if (failure === 'connect-failure') return retryOn.has('connect-failure') || retryOn.has('5xx') || retryOn.has('gateway-error');
  if (failure === 'reset') return retryOn.has('reset') || retryOn.has('refused-stream') || retryOn.has('5xx');
  if (failure === 'timeout') return retryOn.has('5xx') || retryOn.has('gateway-error');
  if (status >= 500 && retryOn.has('5xx')) return true;
  if (status >= 502 && status <= 504 && retryOn.has('gateway-error')) return true;
  return status === 409 && retryOn.has('retriable-4xx');
}
