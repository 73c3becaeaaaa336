import { describe, expect, it } from 'vitest';
import { formatBytes, formatCores, parseQuantity } from './quantity.js';

describe('Kubernetes quantities (apimachinery resource.Quantity)', () => {
  it.each([
    ['500m', 0.5],
    ['2', 2],
    ['1.5', 1.5],
    ['96Mi', 96 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['128974848', 128974848],
    ['129e6', 129e6],
    ['129M', 129e6],
    ['123Ki', 123 * 1024],
    ['.5', 0.5],
  ])('%s is %d', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value, 9);
  });

  it('takes YAML numbers as they are', () => {
    expect(parseQuantity(1)).toBe(1);
    expect(parseQuantity(0.25)).toBe(0.25);
  });

  it.each(['', 'Mi', '1 Gi', '1gi', '1GB', 'lots', '1e', '--1', '1Mi2'])('refuses %j', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });

  it('prints bytes in the largest binary unit that divides them, and cores as cores or millicores', () => {
    expect(formatBytes(12 * 2 ** 30)).toBe('12Gi');
    expect(formatBytes(1536 * 2 ** 20)).toBe('1536Mi');
    expect(formatBytes(1000)).toBe('1000');
    expect(formatCores(2)).toBe('2');
    expect(formatCores(1.5)).toBe('1500m');
  });
});
