import { describe, expect, it } from 'vitest';
import type { Headers } from '../lib/headers.js';
import { applyHeaderOperations, rewriteUri } from './rewrite.js';

describe('header operations, in Envoy’s order', () => {
  it('set headers in order of their names, whatever order they are written in', () => {
    const headers: Headers = {};
    applyHeaderOperations(headers, { set: { 'x-c': '3', 'X-A': '1', 'x-b': '2' } }, undefined, false);
    expect(Object.keys(headers)).toEqual(['x-a', 'x-b', 'x-c']);
  });

  it('set one header written in two cases once, the later name in pilot’s order (X-A before x-a) winning', () => {
    const headers: Headers = {};
    applyHeaderOperations(headers, { set: { 'X-A': 'upper', 'x-a': 'lower' } }, undefined, false);
    expect(headers).toEqual({ 'x-a': 'lower' });
  });

  it('turn :authority into Host, and make an added Host replace, not append', () => {
    const set: Headers = { host: 'users:7000' };
    applyHeaderOperations(set, { set: { ':authority': 'users.internal' } }, undefined, false);
    expect(set).toEqual({ host: 'users.internal' });
    const added: Headers = { host: 'users:7000' };
    applyHeaderOperations(added, { add: { Host: 'other' } }, undefined, false);
    expect(added).toEqual({ host: 'other' });
  });

  it('skip a set or add of an empty value, and append to a header with several values', () => {
    const headers: Headers = { 'x-keep': 'k', 'x-many': ['1', '2'] };
    applyHeaderOperations(headers, { set: { 'x-keep': '' }, add: { 'x-empty': '', 'x-many': '3' } }, undefined, false);
    expect(headers).toEqual({ 'x-keep': 'k', 'x-many': ['1', '2', '3'] });
  });

  it('apply a weighted destination’s removals before the route’s additions', () => {
    const headers: Headers = { 'x-a': 'old' };
    applyHeaderOperations(headers, { add: { 'x-a': 'route' } }, { remove: ['x-a'] }, true);
    expect(headers).toEqual({ 'x-a': 'route' });
    const single: Headers = { 'x-a': 'old' };
    applyHeaderOperations(single, { add: { 'x-a': 'route' } }, { remove: ['x-a'] }, false);
    expect(single).toEqual({ 'x-a': 'route' });
    const reversed: Headers = { 'x-a': 'old' };
    applyHeaderOperations(reversed, { remove: ['x-a'] }, { add: { 'x-a': 'destination' } }, true);
    expect(reversed).toEqual({});
  });
});

describe('rewrite.uri', () => {
  it('adds the leading / a replacement lacks', () => {
    expect(rewriteUri('/old/x', 'new', { uri: { prefix: '/old' } })).toBe('/new/x');
    expect(rewriteUri('/x?q=1', 'v2', { uri: { exact: '/x' } })).toBe('/v2?q=1');
  });

  it('replaces an ignoreUriCase prefix by its length, and the whole path when the prefix did not match as written', () => {
    expect(rewriteUri('/OLD/x', '/new', { uri: { prefix: '/old' }, ignoreUriCase: true })).toBe('/new/x');
    expect(rewriteUri('/OLD/x', '/new', { uri: { prefix: '/old' } })).toBe('/new');
  });

  it('replaces the whole path after an ignoreUriCase exact or regex match', () => {
    expect(rewriteUri('/OLD/x?q=1', '/new', { uri: { exact: '/old/x' }, ignoreUriCase: true })).toBe('/new?q=1');
    expect(rewriteUri('/OLD/x', '/new', { uri: { regex: '/old/.*' }, ignoreUriCase: true })).toBe('/new');
  });
});
