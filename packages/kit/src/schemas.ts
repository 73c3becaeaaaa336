import { z } from 'zod';

/** Contract schemas shared by more than one service (design.md). */

export const userNameSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'name is required' : 'name must be a string') })
  .regex(/^[a-z0-9_-]{1,32}$/, 'name must be 1–32 characters of a-z, 0-9, _ or -');

export const MAX_IDS = 100;

/** `ids=7,8` → [7, 8]: positive integers, comma-separated, at most MAX_IDS, given once. */
export const idListSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'ids is required, e.g. ids=1,2' : 'ids must be given once') })
  .regex(/^\d{1,6}(,\d{1,6})*$/, 'ids must be comma-separated positive integers, e.g. ids=1,2')
  .transform((raw) => raw.split(',').map(Number))
  .refine((ids) => ids.length <= MAX_IDS, `at most ${MAX_IDS} ids`);

export const idsQuerySchema = z.object({ ids: idListSchema });
