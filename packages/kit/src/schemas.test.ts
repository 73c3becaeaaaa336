import { describe, expect, it } from 'vitest';
import { idListSchema, idsQuerySchema, MAX_IDS, userNameSchema } from './schemas.js';

const messages = (result: { success: boolean; error?: { issues: { message: string }[] } }) => result.error?.issues.map((issue) => issue.message);

describe('user names', () => {
  it('are 1 to 32 of a-z, 0-9, _ and -', () => {
    for (const name of ['jason', 'fox', 'a', 'x'.repeat(32), 'user_1-2', '0']) expect(userNameSchema.parse(name)).toBe(name);
  });

  it('refuse anything else with a message saying what a name may be', () => {
    for (const name of ['', 'x'.repeat(33), 'Jason', 'a b', 'é', 'jason\n', ' jason']) {
      expect(messages(userNameSchema.safeParse(name)), JSON.stringify(name)).toEqual(['name must be 1–32 characters of a-z, 0-9, _ or -']);
    }
  });

  it('say a missing name is required, and a name of another type must be a string', () => {
    expect(messages(userNameSchema.safeParse(undefined))).toEqual(['name is required']);
    expect(messages(userNameSchema.safeParse(7))).toEqual(['name must be a string']);
  });
});

describe('id lists (`ids=7,8`)', () => {
  it('are comma-separated positive integers of up to 6 digits, as numbers', () => {
    expect(idListSchema.parse('7,8')).toEqual([7, 8]);
    expect(idListSchema.parse('15')).toEqual([15]);
    expect(idListSchema.parse('999999,0')).toEqual([999999, 0]);
  });

  it('refuse other text with an example of the form', () => {
    for (const raw of ['', '7,', ',7', '7;8', '-1', '1.5', 'a', '1234567', '7,,8', ' 7', '7 ']) {
      expect(messages(idListSchema.safeParse(raw)), JSON.stringify(raw)).toEqual(['ids must be comma-separated positive integers, e.g. ids=1,2']);
    }
  });

  it(`take at most ${MAX_IDS}`, () => {
    expect(MAX_IDS).toBe(100);
    const ids = (count: number) => Array.from({ length: count }, (_, i) => String(i + 1)).join(',');
    expect(idListSchema.parse(ids(100))).toHaveLength(100);
    expect(messages(idListSchema.safeParse(ids(101)))).toEqual(['at most 100 ids']);
  });

  it('say ids are required when missing, and must be given once when repeated', () => {
    expect(messages(idsQuerySchema.safeParse({}))).toEqual(['ids is required, e.g. ids=1,2']);
    expect(messages(idsQuerySchema.safeParse({ ids: ['1', '2'] }))).toEqual(['ids must be given once']);
    expect(idsQuerySchema.parse({ ids: '3,4' })).toEqual({ ids: [3, 4] });
  });
});
