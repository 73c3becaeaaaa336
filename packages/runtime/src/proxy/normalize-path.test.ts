import { describe, expect, it } from 'vitest';
import { normalizePath } from './normalize-path.js';

describe("Envoy's path normalization (Istio's default BASE)", () => {
  it.each([
    ['/x/../scores', '/scores'],
    ['/%2e%2e/scores', '/scores'],
    ['/app/%2E./admin', '/admin'],
    ['/a/./b/', '/a/b/'],
    ['/a/b/..', '/a/'],
    ['/a/../../b?x=/../y', '/b?x=/../y'],
    ['/%61dmin', '/admin'],
    ['/a\\..\\admin', '/admin'],
  ])('%s → %s', (url, normalized) => expect(normalizePath(url)).toBe(normalized));

  it.each(['//scores', '/scores/', '/a%2fb', '/.well-known/x', '/a..b'])('%s stays as it is', (url) => {
    expect(normalizePath(url)).toBe(url);
  });
});
