import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseStrict } from './strict.js';

const schema = z.strictObject({ name: z.string(), ports: z.array(z.strictObject({ port: z.number() })) });

describe('parseStrict', () => {
  it("names and drops unknown fields at any depth, leaving the caller's object as it was", () => {
    const input = { name: 'a', extra: 1, ports: [{ port: 80, protocol: 'TCP' }] };
    const before = JSON.stringify(input);
    expect(parseStrict(schema, input)).toEqual({ value: { name: 'a', ports: [{ port: 80 }] }, unknown: ['spec.ports[0].protocol', 'spec.extra'] });
    expect(JSON.stringify(input)).toBe(before);
  });

  it('drops an unknown field nesting deeper than a recursive copy could go', () => {
    let deep: unknown = [];
    for (let i = 0; i < 50_000; i++) deep = [deep];
    expect(parseStrict(schema, { name: 'a', ports: [], deep })).toEqual({ value: { name: 'a', ports: [] }, unknown: ['spec.deep'] });
  });

  it('names the path of any other problem', () => {
    expect(parseStrict(schema, { name: 1, ports: [{ port: 'x' }] })).toEqual({
      error: 'spec.name: Invalid input: expected string, received number; spec.ports[0].port: Invalid input: expected number, received string',
    });
  });
});
