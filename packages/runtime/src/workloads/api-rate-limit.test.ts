import { describe, expect, it } from 'vitest';
import { TokenBucket } from './api-rate-limit.js';

describe('TokenBucket (client-go at kube-controller-manager defaults: 20 per second, bursts of 30)', () => {
  it('grants a burst of 30, then 20 a second, never more than the burst however long it rested', () => {
    let now = 0;
    const bucket = new TokenBucket(undefined, undefined, () => now);
    expect(bucket.take(500)).toBe(30);
    expect(bucket.take(1)).toBe(0);
    expect(bucket.untilNext()).toBe(50);
    now = 1000;
    expect(bucket.take(500)).toBe(20);
    now = 1025;
    expect(bucket.take(1)).toBe(0);
    expect(bucket.untilNext()).toBe(25);
    now = 61_000;
    expect(bucket.untilNext()).toBe(0);
    expect(bucket.take(500)).toBe(30);
  });
});
