import { describe, expect, it } from 'vitest';
import { humanDuration } from './age.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

describe('humanDuration (kubectl AGE)', () => {
  // Each branch of HumanDuration at its boundaries.
  it.each([
    [-2 * s, '<invalid>'],
    [-1999, '0s'],
    [-1 * s, '0s'],
    [0, '0s'],
    [999, '0s'],
    [1 * s, '1s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [2 * m + 5 * s, '2m5s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m + 30 * s, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [3 * h + 5 * m, '3h5m'],
    [7 * h + 59 * m, '7h59m'],
    [8 * h + 59 * m, '8h'],
    [47 * h, '47h'],
    [48 * h, '2d'],
    [48 * h + 3 * h, '2d3h'],
    [8 * d - h, '7d23h'],
    [8 * d, '8d'],
    [2 * 365 * d - d, '729d'],
    [2 * 365 * d, '2y'],
    [2 * 365 * d + 10 * d, '2y10d'],
    [8 * 365 * d - d, '7y364d'],
    [8 * 365 * d, '8y'],
    [20 * 365 * d + 100 * d, '20y'],
  ])('%i ms → %s', (ms, age) => {
    expect(humanDuration(ms)).toBe(age);
  });
});
