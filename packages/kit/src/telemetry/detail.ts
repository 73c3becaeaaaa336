/**
 * How much of each request OpenTelemetry records, from TRACE_DETAIL:
 * - `calls` (the default): the server span of each request, one client span per downstream call (the kit's, which
 *   carries the trace context), `simulated work`, and database calls: what the talk's waterfall is about.
 * - `full`: also the frameworks' own spans (express layers, fastify's request and hook spans) and the HTTP client's
 *   (undici), which then carries the trace context under the kit's call span.
 */
export type TraceDetail = 'calls' | 'full';

export function traceDetail(env: NodeJS.ProcessEnv = process.env): TraceDetail {
  const value = env.TRACE_DETAIL || 'calls';
  if (value !== 'calls' && value !== 'full') throw new Error(`TRACE_DETAIL=${value} is not one of calls, full`);
  return value;
}
