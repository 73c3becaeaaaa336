import { describe, expect, it } from 'vitest';
import type { Headers } from '../lib/headers.js';
import { applyHeaderOperations, rewriteUri } from './rewrite.js';

describe('rewrite.uri', () => {
  it('replaces the matched prefix (Istio docs: /wpcatalog → /newcatalog) and keeps the query', () => {
    expect(rewriteUri('/wpcatalog/item?id=1', '/newcatalog', { uri: { prefix: '/wpcatalog' } })).toBe('/newcatalog/item?id=1');
  });

  it('replaces the whole path after an exact or regex uri match', () => {
    expect(rewriteUri('/old/path?x=1', '/new', { uri: { exact: '/old/path' } })).toBe('/new?x=1');
    expect(rewriteUri('/old/path', '/new', { uri: { regex: '/old/.*' } })).toBe('/new');
  });

  it('replaces the leading / when the match had no uri condition, as Envoy does with its prefix "/"', () => {
    expect(rewriteUri('/anything', '/new', undefined)).toBe('/newanything');
    expect(rewriteUri('/anything?x=1', '/new/', { headers: { 'end-user': { exact: 'jason' } } })).toBe('/new/anything?x=1');
  });
});

describe('header operations', () => {
  it('set replaces, add appends, remove deletes, names case-insensitively', () => {
    const headers: Headers = { 'x-a': '1', 'x-b': '2', 'x-gone': 'y' };
    applyHeaderOperations(headers, { set: { 'X-A': 'one' }, add: { 'x-b': 'three', 'x-new': 'n' }, remove: ['X-Gone'] }, undefined, false);
    expect(headers).toEqual({ 'x-a': 'one', 'x-b': ['2', 'three'], 'x-new': 'n' });
  });

  it('removes before it sets or adds (Envoy: remove-before-add), so a header both removed and set is kept', () => {
    const headers: Headers = { 'x-lane': 'old' };
    applyHeaderOperations(headers, { set: { 'x-lane': 'base' }, remove: ['x-lane'] }, undefined, false);
    expect(headers).toEqual({ 'x-lane': 'base' });
  });

  it("one destination: its set wins over the route's; several: the route's is applied last and wins", () => {
    const route = { set: { 'x-by': 'route' } };
    const destination = { set: { 'x-by': 'destination' } };
    const single: Headers = {};
    applyHeaderOperations(single, route, destination, false);
    expect(single['x-by']).toBe('destination');
    const weighted: Headers = {};
    applyHeaderOperations(weighted, route, destination, true);
    expect(weighted['x-by']).toBe('route');
  });
});
