import { describe, expect, it } from 'vitest';
import type { Headers } from '../lib/headers.js';
import { applyHeaderOperations, rewriteUri } from './rewrite.js';

describe('rewrite.uri', () => {
  it('replaces the matched prefix (Istio docs: /wpcatalog → /newcatalog) and keeps the query', () => {
    expect(rewriteUri('/wpcatalog/item?id=1', '/newcatalog', { uri: { prefix: '/wpcatalog' } })).toBe('/newcatalog/item?id=1');
  });

  it('replaces the whole path when the match was not a prefix', () => {
    expect(rewriteUri('/old/path?x=1', '/new', { uri: { exact: '/old/path' } })).toBe('/new?x=1');
    expect(rewriteUri('/anything', '/new', undefined)).toBe('/new');
  });
});

describe('header operations', () => {
  it('set replaces, add appends, remove deletes, names case-insensitively', () => {
    const headers: Headers = { 'x-a': '1', 'x-b': '2', 'x-gone': 'y' };
    applyHeaderOperations(headers, { set: { 'X-A': 'one' }, add: { 'x-b': 'three', 'x-new': 'n' }, remove: ['X-Gone'] });
    expect(headers).toEqual({ 'x-a': 'one', 'x-b': ['2', 'three'], 'x-new': 'n' });
  });
});
