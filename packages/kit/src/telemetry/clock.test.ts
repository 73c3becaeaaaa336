import { describe, expect, it } from 'vitest';
import { spanStartTime } from './clock.js';

describe('a span’s start time', () => {
  it('is now, in epoch milliseconds with sub-millisecond precision, never going back', () => {
    const before = Date.now();
    const times = Array.from({ length: 50 }, () => spanStartTime());
    expect(times[0]!).toBeGreaterThan(before - 50);
    expect(times.at(-1)!).toBeLessThan(Date.now() + 50);
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThanOrEqual(times[i - 1]!);
    expect(times.some((t) => !Number.isInteger(t))).toBe(true);
  });
});
