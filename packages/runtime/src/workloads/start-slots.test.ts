import { describe, expect, it } from 'vitest';
import { StartSlots } from './start-slots.js';

describe('StartSlots', () => {
  it('runs at most `size` at once, the rest in the order they came', async () => {
    const slots = new StartSlots(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const releases: (() => void)[] = [];
    const work = (i: number) =>
      slots.run(async () => {
        running++;
        most = Math.max(most, running);
        order.push(i);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
      });
    const all = [0, 1, 2, 3, 4].map(work);
    await Promise.resolve();
    expect(order).toEqual([0, 1]);
    while (order.length < 5 || releases.length > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(all);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });

  it('frees the slot when the work fails', async () => {
    const slots = new StartSlots(1);
    await expect(slots.run(() => Promise.reject(new Error('no')))).rejects.toThrow('no');
    await expect(slots.run(() => Promise.resolve(7))).resolves.toBe(7);
  });
});
