import * as hdr from 'hdr-histogram-js';
import { Agent, request } from 'undici';

export interface Measured {
  count: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * A closed loop at fixed concurrency for `durationMs`, after a warm-up: requests per second and latency percentiles
 * from an HDR histogram in microseconds.
 */
export async function closedLoop(url: string, headers: Record<string, string>, concurrency: number, durationMs: number): Promise<Measured> {
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 10_000 });
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const once = async () => {
    const response = await request(url, { dispatcher: agent, headers });
    await response.body.dump();
    if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}`);
  };
  const warmUntil = performance.now() + Math.min(1000, durationMs / 4);
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < warmUntil) await once();
  }));
  let count = 0;
  const start = performance.now();
  const end = start + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = process.hrtime.bigint();
        await once();
        histogram.recordValue(Math.max(1, Number((process.hrtime.bigint() - t0) / 1000n)));
        count++;
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  await agent.close();
  const result = { count, perSecond: count / elapsed, p50Ms: histogram.getValueAtPercentile(50) / 1000, p99Ms: histogram.getValueAtPercentile(99) / 1000 };
  histogram.destroy();
  return result;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}
