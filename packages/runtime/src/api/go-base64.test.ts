import { describe, expect, it } from 'vitest';
import { CorruptInputError, decodeStdBase64 } from './go-base64.js';

/** The whole message decoding `input` fails with. */
function refusal(input: string): string {
  try {
    decodeStdBase64(input);
  } catch (error) {
    expect(error).toBeInstanceOf(CorruptInputError);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('decodeStdBase64 (Go base64.StdEncoding, as the API server decodes a Secret data value)', () => {
  it('decodes padded base64, skipping \\r and \\n', () => {
    expect(decodeStdBase64('cm9vdA==').toString()).toBe('root');
    expect(decodeStdBase64('QUJD\r\nREVG\n').toString()).toBe('ABCDEF');
    expect(decodeStdBase64('QUI=').toString()).toBe('AB');
    expect(decodeStdBase64('').length).toBe(0);
    expect(decodeStdBase64('\n').length).toBe(0);
  });

  // Cases of TestDecodeCorrupt in Go's src/encoding/base64/base64_test.go: input and the offset Go reports.
  it.each([
    ['!!!!', 0],
    ['====', 0],
    ['x===', 1],
    ['=AAA', 0],
    ['A=AA', 1],
    ['AA=A', 2],
    ['AA==A', 4],
    ['AAA=AAAA', 4],
    ['AAAAA', 4],
    ['AAAAAA', 4],
    ['A=', 1],
    ['A==', 1],
    ['AA=', 3],
    ['AAAAAA=', 7],
    ['YWJjZA=====', 8],
    ['A!\n', 1],
    ['A=\n', 1],
    ['QQ', 0],
    ['cm9v dA==', 4],
  ])('refuses %j at input byte %i', (input, offset) => {
    expect(refusal(input)).toBe(`illegal base64 data at input byte ${offset}`);
  });

  it('counts offsets in UTF-8 bytes, as Go indexes the input', () => {
    expect(refusal('AAAé')).toBe('illegal base64 data at input byte 3');
    expect(refusal('éAAA')).toBe('illegal base64 data at input byte 0');
    expect(refusal('AAAAéA')).toBe('illegal base64 data at input byte 4');
  });
});
