import { describe, expect, it } from 'vitest';
import { compileMatch, type RequestFacts } from './match.js';
import { source } from './test-fixtures.js';

const facts = (overrides: Partial<RequestFacts> = {}): RequestFacts => ({
  method: 'POST',
  url: '/reviews/7?debug=1',
  headers: { host: 'reviews:9080' },
  port: 9080,
  source: source('default'),
  gateways: new Set(['mesh']),
  ...overrides,
});
const matches = (headers: Record<string, { exact?: string; prefix?: string; regex?: string }>, request = facts()) => compileMatch({ headers })(request);

describe('pseudo-header matches (Istio’s HTTP/2 names for the request line)', () => {
  it(':method is the method, :path the path with its query, :authority the Host, :scheme http', () => {
    expect(matches({ ':method': { exact: 'POST' } })).toBe(true);
    expect(matches({ ':method': { exact: 'GET' } })).toBe(false);
    expect(matches({ ':path': { exact: '/reviews/7?debug=1' } })).toBe(true);
    expect(matches({ ':path': { exact: '/reviews/7' } })).toBe(false);
    expect(matches({ ':authority': { exact: 'reviews:9080' } })).toBe(true);
    expect(matches({ ':authority': { prefix: 'ratings' } })).toBe(false);
    expect(matches({ ':scheme': { exact: 'http' } })).toBe(true);
    expect(matches({ ':scheme': { exact: 'https' } })).toBe(false);
  });

  it(':authority is absent for a request without a Host', () => {
    expect(matches({ ':authority': {} }, facts({ headers: {} }))).toBe(false);
    expect(compileMatch({ withoutHeaders: { ':authority': {} } })(facts({ headers: {} }))).toBe(true);
  });

  it('any other name is a header, several values joined', () => {
    expect(matches({ 'x-lane': { exact: 'a,b' } }, facts({ headers: { 'x-lane': ['a', 'b'] } }))).toBe(true);
  });
});

describe('query parameter matches', () => {
  it('see no parameter on a URL without a query', () => {
    expect(compileMatch({ queryParams: { debug: {} } })(facts({ url: '/reviews/7' }))).toBe(false);
    expect(compileMatch({ queryParams: { debug: { prefix: '' } } })(facts({ url: '/reviews/7?debug' }))).toBe(true);
  });
});
