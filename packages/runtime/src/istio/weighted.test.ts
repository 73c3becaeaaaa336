import { describe, expect, it } from 'vitest';
import { weightedPicker } from './weighted.js';

const picks = (weights: number[], count: number) => {
  const next = weightedPicker(weights);
  return Array.from({ length: count }, () => next());
};

describe('weighted destinations (smooth weighted round-robin)', () => {
  it('split exactly over every run of requests, interleaving the lighter side: 80/20 sends two of ten, apart', () => {
    expect(picks([80, 20], 10)).toEqual([0, 0, 1, 0, 0, 0, 0, 1, 0, 0]);
    expect(picks([20, 30, 50], 10)).toEqual([2, 1, 0, 2, 1, 2, 2, 0, 1, 2]);
  });

  it('alternate 50/50, the first destination first', () => {
    expect(picks([50, 50], 4)).toEqual([0, 1, 0, 1]);
    expect(picks([1, 2], 6)).toEqual([1, 0, 1, 1, 0, 1]);
  });

  it('never send to a destination of weight 0', () => {
    expect(picks([0, 100], 3)).toEqual([1, 1, 1]);
    expect(picks([50, 50, 0], 4)).toEqual([0, 1, 0, 1]);
  });

  it('always take a single destination, whatever its weight', () => {
    expect(picks([0], 3)).toEqual([0, 0, 0]);
    expect(picks([30], 2)).toEqual([0, 0]);
  });
});
