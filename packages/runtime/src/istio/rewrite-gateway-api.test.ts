import { describe, expect, it } from 'vitest';
import type { HttpRoute } from '../api/istio-schemas.js';
import { redirectLocation, rewritePath } from './rewrite.js';

type Redirect = NonNullable<HttpRoute['redirect']>;
const prefix = (p: string) => ({ uri: { prefix: p } });

describe('rewritePath: the path a routed request is forwarded with', () => {
  it('ReplaceFullPath replaces the whole path and keeps the query (pilot uriRegexRewrite /.*)', () => {
    expect(rewritePath('/prefix/one/two?a=1', { fullPathRewrite: '/one' }, prefix('/prefix'), true)).toBe('/one?a=1');
    expect(rewritePath('/x', { fullPathRewrite: '/one' }, undefined, true)).toBe('/one');
  });

  it('ReplacePrefixMatch "/" under Gateway semantics strips the matched prefix and the "/" after it (regex ^prefix(/?)(.*) → /\\2)', () => {
    expect(rewritePath('/prefix/one/two?a=1', { rewrite: { uri: '/' } }, prefix('/prefix/one'), true)).toBe('/two?a=1');
    expect(rewritePath('/prefix/one', { rewrite: { uri: '/' } }, prefix('/prefix/one'), true)).toBe('/');
    // A match of `/` is a plain prefix to Envoy: nothing is stripped.
    expect(rewritePath('/a/b', { rewrite: { uri: '/' } }, prefix('/'), true)).toBe('/a/b');
    expect(rewritePath('/a/b', { rewrite: { uri: '/' } }, undefined, true)).toBe('/a/b');
  });

  it("a VirtualService's rewrite.uri \"/\" stays Envoy's prefix_rewrite, and any other uri is one too", () => {
    expect(rewritePath('/prefix/one/two', { rewrite: { uri: '/' } }, prefix('/prefix/one'), false)).toBe('//two');
    expect(rewritePath('/prefix/one/two?q', { rewrite: { uri: '/one' } }, prefix('/prefix/one'), true)).toBe('/one/two?q');
  });

  it('without a uri rewrite the url is forwarded as it came (an authority rewrite alone changes no path)', () => {
    expect(rewritePath('/a?b', { rewrite: { authority: 'x' } }, prefix('/a'), true)).toBe('/a?b');
    expect(rewritePath('/a?b', {}, undefined, false)).toBe('/a?b');
  });
});

describe("redirectLocation: the Location Envoy writes for pilot's redirect", () => {
  const at = (authority: string, url = '/path?q=1', port = 80) => ({ authority, url, port });
  const redirect = (fields: Partial<Redirect>): Redirect => ({ port: 'request', status: 302, ...fields });

  it("keeps the request's scheme, Host (with its port) and path, and the listener port only when it is not the scheme's default", () => {
    expect(redirectLocation(redirect({}), at('shop.example'), undefined)).toBe('http://shop.example/path?q=1');
    expect(redirectLocation(redirect({}), at('shop.example:1234'), undefined)).toBe('http://shop.example:1234/path?q=1');
    expect(redirectLocation(redirect({}), at('shop.example', '/p', 8080), undefined)).toBe('http://shop.example:8080/p');
  });

  it("replaces the Host's port with a port given, and drops :80 when the scheme changes from http", () => {
    expect(redirectLocation(redirect({ port: 8443 }), at('shop.example:1234', '/p'), undefined)).toBe('http://shop.example:8443/p');
    expect(redirectLocation(redirect({ scheme: 'https', port: 'protocol' }), at('shop.example:80', '/p'), undefined)).toBe('https://shop.example/p');
    expect(redirectLocation(redirect({ scheme: 'https', port: 'protocol' }), at('shop.example:8080', '/p'), undefined)).toBe('https://shop.example:8080/p');
    expect(redirectLocation(redirect({ scheme: 'https', port: 443 }), at('shop.example', '/p'), undefined)).toBe('https://shop.example/p');
    expect(redirectLocation(redirect({ scheme: 'https', port: 80 }), at('shop.example', '/p'), undefined)).toBe('https://shop.example:80/p');
  });

  it('a hostname replaces the Host whole, port included', () => {
    expect(redirectLocation(redirect({ authority: 'example.org', port: 'protocol' }), at('shop.example:1234'), undefined)).toBe('http://example.org/path?q=1');
  });

  it("a full path replaces the path, keeping the query unless it has its own; a prefix replaces the matched prefix", () => {
    expect(redirectLocation(redirect({ path: { full: '/new' } }), at('h'), undefined)).toBe('http://h/new?q=1');
    expect(redirectLocation(redirect({ path: { full: '/new?x=2' } }), at('h'), undefined)).toBe('http://h/new?x=2');
    expect(redirectLocation(redirect({ path: { prefix: '/replacement' } }), at('h', '/original/lemon?q'), prefix('/original'))).toBe('http://h/replacement/lemon?q');
    expect(redirectLocation(redirect({ path: { prefix: '/replacement/' } }), at('h', '/original/lemon'), prefix('/original'))).toBe('http://h/replacement/lemon');
  });
});
