/**
 * Now, in milliseconds since the epoch with sub-millisecond precision, for a span's start time. Left to itself the
 * OpenTelemetry SDK starts a span at Date.now() (whole milliseconds) and measures its duration with the monotonic
 * clock, so a call that starts right after its sibling ended can seem to start before it, and Jaeger's critical
 * path (which needs a sibling to end before the next starts) skips it. The kit's own spans (calls, simulated work)
 * start on the monotonic clock instead.
 */
export function spanStartTime(): number {
  return performance.timeOrigin + performance.now();
}
