import { describe, expect, it } from 'vitest';
import { normalizePath } from './normalize-path.js';

describe('path normalization, case by case', () => {
  it.each([
    ['/..', '/'],
    ['/a/.', '/a/'],
    ['/a/b/../../..', '/'],
    ['/a/b/../c', '/a/c'],
    ['\\a\\b', '/a/b'],
    ['/%41%7e%2d%5F%2E', '/A~-_.'],
    ['/%7E/x?y=%2e', '/~/x?y=%2e'],
    ['/./a', '/a'],
    ['/a/./b/../c/.?q=1', '/a/c/?q=1'],
  ])('%s → %s', (url, normalized) => expect(normalizePath(url)).toBe(normalized));

  it.each(['/a%2Fb/..%2F', '/%20x', '/%zz', '/%2', '/a?x=/../y', '/a.b/c.', '/a/b.', '/%25', '/a/...', '/..a/b'])('%s stays as it is', (url) => {
    expect(normalizePath(url)).toBe(url);
  });

  it('leaves what is not a path alone: an absolute URL, *, an empty target', () => {
    for (const url of ['http://x/a/../b', '*', '', 'a/../b']) expect(normalizePath(url)).toBe(url);
  });

  it('decodes an escape but does not resolve the dot segment it makes twice', () => {
    expect(normalizePath('/a/%2e%2e/%2e%2e/b')).toBe('/b');
    expect(normalizePath('/a/%252e%252e/b')).toBe('/a/%252e%252e/b');
  });
});
