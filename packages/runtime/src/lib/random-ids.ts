import { randomFillSync } from 'node:crypto';

// Span ids on every hop: one randomBytes call each is a system call each; a refilled pool is not.
const pool = Buffer.alloc(4096);
let offset = pool.length;

/** `bytes` random bytes as lowercase hex, e.g. 8 for a span id and 16 for a trace id. */
export function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}
