import type { z } from 'zod';
import { badRequestFrom } from './errors.js';

/** Validates input at the boundary: the parsed value, or a 400 HttpError naming what is wrong. */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw badRequestFrom(parsed.error);
  return parsed.data;
}
