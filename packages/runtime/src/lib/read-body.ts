import type { IncomingMessage } from 'node:http';

/** A request body over the reader's limit; every reader answers it with 413. */
export class BodyTooLarge extends Error {
  override name = 'BodyTooLarge';
}

/** Reads a whole request body into memory, refusing (BodyTooLarge) as soon as it grows past `limit` bytes. */
export async function readBoundedBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
