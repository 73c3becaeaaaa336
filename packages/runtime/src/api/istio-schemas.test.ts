import { describe, expect, it } from 'vitest';
import { parseStrict as parseIstioSpec } from './strict.js';
import { durationSchema, virtualServiceSpecSchema } from './istio-schemas.js';

describe('Istio specs', () => {
  it('reports every field the runtime does not implement by its path, and keeps the rest', () => {
    const parsed = parseIstioSpec(virtualServiceSpecSchema, {
      hosts: ['reviews'],
      http: [{ corsPolicy: { allowOrigins: [] }, route: [{ destination: { host: 'reviews' }, wieght: 100 }], match: [{ authority: { exact: 'x' } }] }],
      tcp: [],
    });
    if ('error' in parsed) throw new Error(parsed.error);
    expect(parsed.unknown.sort()).toEqual(['spec.http[0].corsPolicy', 'spec.http[0].match[0].authority', 'spec.http[0].route[0].wieght', 'spec.tcp']);
    expect(parsed.value.http[0]!.route[0]!.destination.host).toBe('reviews');
  });

  it('names the field of a real error', () => {
    const parsed = parseIstioSpec(virtualServiceSpecSchema, { hosts: ['r'], http: [{ route: [{ destination: { host: 'r' } }], timeout: 'soon' }] });
    expect(parsed).toEqual({ error: expect.stringContaining('spec.http[0].timeout') });
    expect(parseIstioSpec(virtualServiceSpecSchema, { hosts: [] })).toEqual({ error: expect.stringContaining('spec.hosts') });
  });

  it('reads Istio durations', () => {
    expect(['300ms', '1.5s', '2m', '1h'].map((d) => durationSchema.parse(d))).toEqual([300, 1500, 120_000, 3_600_000]);
    expect(durationSchema.safeParse('5').success).toBe(false);
  });
});
