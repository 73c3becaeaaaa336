import { describe, expect, it } from 'vitest';
import { randomHex } from './random-ids.js';

describe('randomHex', () => {
  it('gives ids of the asked length that do not repeat across pool refills', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => randomHex(i % 2 ? 8 : 16));
    expect(ids.every((id, i) => id.length === (i % 2 ? 16 : 32) && /^[\da-f]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
