import type { IncomingHttpHeaders } from 'node:http';
import type { RetryPolicy } from '../istio/route-table.js';
import type { AttemptFailure } from './forward.js';

/** gRPC status codes of the gRPC retry conditions (Envoy x-envoy-retry-grpc-on). */
const GRPC_CONDITIONS: Record<string, string> = { cancelled: '1', 'deadline-exceeded': '4', 'resource-exhausted': '8', internal: '13', unavailable: '14' };

/**
 * Whether an attempt that ended so may be retried under a route's conditions, as Envoy's router decides
 * (source/common/router/retry_state_impl.cc wouldRetryFromReset, wouldRetryFromHeaders): `reset`, `5xx` and
 * `gateway-error` retry any reset, a failed connection and a per-try timeout included (Envoy resets the stream on a
 * per-try timeout: router.cc onPerTryTimeoutCommon → maybeRetryReset); `connect-failure` a failed connection;
 * `retriable-status-codes` the codes named in retryOn; the gRPC conditions a response's grpc-status.
 * `retriable-headers` and `http3-post-connect-failure` never apply here: Istio configures no retriable headers, and
 * there is no HTTP/3. `refused-stream` is HTTP/2's REFUSED_STREAM, which an HTTP/1 upstream never sends: a connection
 * broken off before the answer is a reset, retried only under `reset`, `5xx` or `gateway-error`, as Envoy does.
 */
export function retriable(failure: AttemptFailure | undefined, status: number, policy: RetryPolicy, headers: IncomingHttpHeaders = {}): boolean {
  const { retryOn } = policy;
  const anyReset = retryOn.has('reset') || retryOn.has('5xx') || retryOn.has('gateway-error');
  if (failure === 'connect-failure') return anyReset || retryOn.has('connect-failure');
  if (failure === 'reset' || failure === 'timeout') return anyReset;
  if (status >= 500 && retryOn.has('5xx')) return true;
  if (status >= 502 && status <= 504 && retryOn.has('gateway-error')) return true;
  if (status === 409 && retryOn.has('retriable-4xx')) return true;
  if (retryOn.has('retriable-status-codes') && policy.statusCodes.has(status)) return true;
  if (retryOn.has('envoy-ratelimited') && headers['x-envoy-ratelimited'] !== undefined) return true;
  const grpcStatus = headers['grpc-status'];
  // Stryker disable next-line ConditionalExpression: a missing or repeated (array) grpc-status equals no code string either
  return typeof grpcStatus === 'string' && Object.entries(GRPC_CONDITIONS).some(([condition, code]) => retryOn.has(condition) && grpcStatus === code);
}
