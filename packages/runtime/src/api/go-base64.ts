/**
 * Go's base64.StdEncoding.Decode, which the API server's JSON decoding applies to a Secret's `data` values ([]byte):
 * padding required, `\r` and `\n` skipped, anything else outside the alphabet an error naming its byte offset in the
 * UTF-8 input (CorruptInputError: "illegal base64 data at input byte N"). Follows decodeQuantum in
 * https://github.com/golang/go/blob/master/src/encoding/base64/base64.go; the fast paths there decode only whole
 * valid chunks, so quantum by quantum gives the same bytes and errors.
 */
export class CorruptInputError extends Error {
  override name = 'CorruptInputError';
  constructor(readonly offset: number) {
    super(`illegal base64 data at input byte ${offset}`);
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Map([...ALPHABET].map((c, i) => [c.charCodeAt(0), i]));
const PAD = 0x3d; // '='
const isNewline = (byte: number | undefined) => byte === 0x0a || byte === 0x0d;

export function decodeStdBase64(text: string): Buffer {
  const src = Buffer.from(text, 'utf8');
  const out: number[] = [];
  let si = 0;
  while (si < src.length) si = decodeQuantum(src, si, out);
  return Buffer.from(out);
}

/** Decodes one quantum (up to 4 symbols) starting at `si`; returns where the next one starts. */
function decodeQuantum(src: Buffer, start: number, out: number[]): number {
  let si = start;
  const symbols: number[] = [];
  while (symbols.length < 4) {
    if (si === src.length) {
      if (symbols.length === 0) return si;
      // StdEncoding pads, so a quantum cut short is an error wherever it ends.
      throw new CorruptInputError(si - symbols.length);
    }
    const byte = src[si++]!;
    const value = DECODE.get(byte);
    if (value !== undefined) {
      symbols.push(value);
      continue;
    }
    if (isNewline(byte)) continue;
    if (byte !== PAD) throw new CorruptInputError(si - 1);
    // Padding: only after two or three symbols, and after two it must be "==".
    if (symbols.length < 2) throw new CorruptInputError(si - 1);
    if (symbols.length === 2) {
      while (si < src.length && isNewline(src[si])) si++;
      if (si === src.length) throw new CorruptInputError(src.length);
      if (src[si] !== PAD) throw new CorruptInputError(si - 1);
      si++;
    }
    while (si < src.length && isNewline(src[si])) si++;
    // Trailing garbage after the padding.
    if (si < src.length) throw new CorruptInputError(si);
    break;
  }
  const [a = 0, b = 0, c = 0, d = 0] = symbols;
  const bits = (a << 18) | (b << 12) | (c << 6) | d;
  const bytes = [(bits >> 16) & 0xff, (bits >> 8) & 0xff, bits & 0xff];
  out.push(...bytes.slice(0, symbols.length - 1));
  return si;
}
