import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HttpError } from './errors.js';
import { parseWith } from './validate.js';

describe('validating input at the boundary', () => {
  const body = z.object({ name: z.string({ error: 'name is required' }) });

  it('hands back the parsed value', () => {
    expect(parseWith(body, { name: 'jason', extra: 1 })).toEqual({ name: 'jason' });
  });

  it('throws a 400 naming what is wrong', () => {
    const thrown = (() => {
      try {
        parseWith(body, {});
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(HttpError);
    expect(thrown).toMatchObject({ status: 400, message: 'name: name is required' });
  });
});
