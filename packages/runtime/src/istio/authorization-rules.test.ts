import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { AuthorizationPolicySpec } from '../api/istio-schemas.js';
import { authzValueMatches, isAllowed, type AuthorizationRequest } from './authorization.js';
import type { AuthorizationPolicy } from './mesh-config.js';
import { source } from './test-fixtures.js';

type Rule = NonNullable<AuthorizationPolicySpec['rules']>[number];

const policy = (action: AuthorizationPolicySpec['action'], rules?: Rule[]): AuthorizationPolicy => ({ namespace: 'fox', name: `${action}-policy`, spec: { action, ...(rules ? { rules } : {}) } as AuthorizationPolicySpec });
const allow = (...rules: Rule[]) => [policy('ALLOW', rules)];

/** A request to favorites in fox from `from` (its service account `products`), or from outside the mesh with `null`. */
function request(overrides: { from?: string | null; path?: string; method?: string; host?: string; headers?: IncomingHttpHeaders } = {}): AuthorizationRequest {
  const from = overrides.from === undefined ? 'fox' : overrides.from;
  return {
    source: from === null ? undefined : source(from, {}, 'products'),
    method: overrides.method ?? 'GET',
    path: overrides.path ?? '/favorites',
    host: overrides.host ?? 'favorites.fox.svc.cluster.local:7000',
    headers: overrides.headers ?? {},
  };
}

describe('Istio’s string matching in rules', () => {
  it('exact, prefix*, *suffix, and * for any non-empty value', () => {
    expect(authzValueMatches('/a', '/a')).toBe(true);
    expect(authzValueMatches('/a', '/a/')).toBe(false);
    expect(authzValueMatches('/a*', '/a')).toBe(true);
    expect(authzValueMatches('/a*', '/ab/c')).toBe(true);
    expect(authzValueMatches('/a*', '/b/a')).toBe(false);
    expect(authzValueMatches('*.json', 'x.json')).toBe(true);
    expect(authzValueMatches('*.json', 'x.json.bak')).toBe(false);
    expect(authzValueMatches('*', 'x')).toBe(true);
    expect(authzValueMatches('*', '')).toBe(false);
    // An exact pattern is not a suffix match: GET is not XET.
    expect(authzValueMatches('GET', 'XET')).toBe(false);
  });

  it('never matches a value the request does not have', () => {
    expect(authzValueMatches('*', undefined)).toBe(false);
    expect(authzValueMatches('', undefined)).toBe(false);
  });

  it('folds case only when asked (hosts)', () => {
    expect(authzValueMatches('Favorites*', 'favorites.fox')).toBe(false);
    expect(authzValueMatches('Favorites*', 'favorites.fox', true)).toBe(true);
    expect(authzValueMatches('*.FOX', 'favorites.fox', true)).toBe(true);
    expect(authzValueMatches('FAVORITES', 'favorites', true)).toBe(true);
  });
});

describe('the source of a rule', () => {
  it('matches namespaces and principals, and excludes notNamespaces and notPrincipals', () => {
    expect(isAllowed(allow({ from: [{ source: { namespaces: ['fox'] } }] }), request())).toBe(true);
    expect(isAllowed(allow({ from: [{ source: { namespaces: ['base'] } }] }), request())).toBe(false);
    expect(isAllowed(allow({ from: [{ source: { notNamespaces: ['fox'] } }] }), request())).toBe(false);
    expect(isAllowed(allow({ from: [{ source: { notNamespaces: ['base'] } }] }), request())).toBe(true);
    expect(isAllowed(allow({ from: [{ source: { principals: ['cluster.local/ns/fox/sa/products'] } }] }), request())).toBe(true);
    expect(isAllowed(allow({ from: [{ source: { principals: ['cluster.local/ns/fox/sa/*'] } }] }), request({ from: 'base' }))).toBe(false);
    expect(isAllowed(allow({ from: [{ source: { notPrincipals: ['*/sa/products'] } }] }), request())).toBe(false);
    expect(isAllowed(allow({ from: [{ source: { notPrincipals: ['*/sa/users'] } }] }), request())).toBe(true);
    // Excluded when any one of the negated values matches.
    expect(isAllowed(allow({ from: [{ source: { notNamespaces: ['base', 'fox'] } }] }), request())).toBe(false);
  });

  it('needs every field of one source, and any one of several sources', () => {
    const both = { source: { namespaces: ['fox'], principals: ['*/sa/users'] } };
    expect(isAllowed(allow({ from: [both] }), request())).toBe(false);
    expect(isAllowed(allow({ from: [both, { source: { namespaces: ['fox'] } }] }), request())).toBe(true);
  });

  it('knows no identity for a caller from outside the mesh: namespaces and principals never match it, their negations always do', () => {
    const outside = request({ from: null });
    expect(isAllowed(allow({ from: [{ source: { namespaces: ['fox'] } }] }), outside)).toBe(false);
    expect(isAllowed(allow({ from: [{ source: { principals: ['*'] } }] }), outside)).toBe(false);
    expect(isAllowed(allow({ from: [{ source: { notNamespaces: ['fox'] } }] }), outside)).toBe(true);
    expect(isAllowed(allow({ from: [{ source: { notPrincipals: ['*'] } }] }), outside)).toBe(true);
  });

  it('has no JWT to match: requestPrincipals match nothing, notRequestPrincipals everything', () => {
    expect(isAllowed(allow({ from: [{ source: { requestPrincipals: ['*'] } }] }), request())).toBe(false);
    expect(isAllowed(allow({ from: [{ source: { notRequestPrincipals: ['*'] } }] }), request())).toBe(true);
  });

  it('treats an empty list as no constraint at all', () => {
    expect(isAllowed(allow({ from: [{ source: { namespaces: [], principals: [], notNamespaces: [], notPrincipals: [], requestPrincipals: [], notRequestPrincipals: [] } }] }), request())).toBe(true);
    expect(isAllowed(allow({ from: [] }), request())).toBe(true);
    expect(isAllowed(allow({ to: [] }), request())).toBe(true);
  });
});

describe('the operation of a rule', () => {
  it('matches hosts case-insensitively, and paths and methods as written', () => {
    expect(isAllowed(allow({ to: [{ operation: { hosts: ['FAVORITES.fox.svc.cluster.local:7000'] } }] }), request())).toBe(true);
    expect(isAllowed(allow({ to: [{ operation: { hosts: ['users*'] } }] }), request())).toBe(false);
    expect(isAllowed(allow({ to: [{ operation: { notHosts: ['Favorites*'] } }] }), request())).toBe(false);
    expect(isAllowed(allow({ to: [{ operation: { notHosts: ['users*'] } }] }), request())).toBe(true);
    expect(isAllowed(allow({ to: [{ operation: { paths: ['/favorites'] } }] }), request())).toBe(true);
    expect(isAllowed(allow({ to: [{ operation: { paths: ['/FAVORITES'] } }] }), request())).toBe(false);
    expect(isAllowed(allow({ to: [{ operation: { notPaths: ['/fav*'] } }] }), request())).toBe(false);
    expect(isAllowed(allow({ to: [{ operation: { notPaths: ['/admin*'] } }] }), request())).toBe(true);
    expect(isAllowed(allow({ to: [{ operation: { notPaths: ['/FAVORITES'] } }] }), request())).toBe(true);
    expect(isAllowed(allow({ to: [{ operation: { methods: ['GET', 'HEAD'] } }] }), request())).toBe(true);
    expect(isAllowed(allow({ to: [{ operation: { methods: ['POST'] } }] }), request())).toBe(false);
    expect(isAllowed(allow({ to: [{ operation: { notMethods: ['GET'] } }] }), request())).toBe(false);
  });

  it('needs every field of one operation, and any one of several operations', () => {
    const both = { operation: { paths: ['/favorites'], methods: ['POST'] } };
    expect(isAllowed(allow({ to: [both] }), request())).toBe(false);
    expect(isAllowed(allow({ to: [both, { operation: { methods: ['GET'] } }] }), request())).toBe(true);
  });

  it('needs its source, its operation and its conditions together', () => {
    const rule = { from: [{ source: { namespaces: ['fox'] } }], to: [{ operation: { methods: ['GET'] } }], when: [{ key: 'request.headers[end-user]', values: ['fox'] }] };
    expect(isAllowed(allow(rule), request({ headers: { 'end-user': 'fox' } }))).toBe(true);
    expect(isAllowed(allow(rule), request({ from: 'base', headers: { 'end-user': 'fox' } }))).toBe(false);
    expect(isAllowed(allow(rule), request({ method: 'POST', headers: { 'end-user': 'fox' } }))).toBe(false);
    expect(isAllowed(allow(rule), request({ headers: { 'end-user': 'jason' } }))).toBe(false);
  });
});

describe('the conditions of a rule (when)', () => {
  it('read a request header by name, any case, several values joined', () => {
    expect(isAllowed(allow({ when: [{ key: 'request.headers[End-User]', values: ['fox'] }] }), request({ headers: { 'end-user': 'fox' } }))).toBe(true);
    expect(isAllowed(allow({ when: [{ key: 'request.headers[end-user]', values: ['fox'] }] }), request())).toBe(false);
    expect(isAllowed(allow({ when: [{ key: 'request.headers[end-user]', notValues: ['fox'] }] }), request({ headers: { 'end-user': 'fox' } }))).toBe(false);
    expect(isAllowed(allow({ when: [{ key: 'request.headers[x-lane]', values: ['a,b'] }] }), request({ headers: { 'x-lane': ['a', 'b'] } }))).toBe(true);
  });

  it('know only keys written exactly so: anything around request.headers[…] makes it a key with no value', () => {
    const fox = request({ headers: { 'end-user': 'fox' } });
    expect(isAllowed(allow({ when: [{ key: 'x.request.headers[end-user]', values: ['fox'] }] }), fox)).toBe(false);
    expect(isAllowed(allow({ when: [{ key: 'request.headers[end-user].x', values: ['fox'] }] }), fox)).toBe(false);
  });

  it('read the caller’s namespace and principal', () => {
    expect(isAllowed(allow({ when: [{ key: 'source.namespace', values: ['fox'] }] }), request())).toBe(true);
    expect(isAllowed(allow({ when: [{ key: 'source.namespace', values: ['fox'] }] }), request({ from: 'base' }))).toBe(false);
    expect(isAllowed(allow({ when: [{ key: 'source.principal', values: ['cluster.local/ns/fox/sa/products'] }] }), request())).toBe(true);
    expect(isAllowed(allow({ when: [{ key: 'source.principal', notValues: ['cluster.local/ns/fox/sa/products'] }] }), request())).toBe(false);
    expect(isAllowed(allow({ when: [{ key: 'source.principal', values: ['*'] }] }), request({ from: null }))).toBe(false);
    expect(isAllowed(allow({ when: [{ key: 'source.namespace', values: ['*'] }] }), request({ from: null }))).toBe(false);
  });

  it('have no value for anything else (no JWT locally): values never match, notValues always do', () => {
    expect(isAllowed(allow({ when: [{ key: 'request.auth.claims[iss]', values: ['*'] }] }), request())).toBe(false);
    expect(isAllowed(allow({ when: [{ key: 'request.auth.claims[iss]', notValues: ['*'] }] }), request())).toBe(true);
    expect(isAllowed(allow({ when: [{ key: 'request.headers[]', values: ['*'] }] }), request({ headers: { '': 'x' } }))).toBe(false);
  });

  it('must all hold', () => {
    const when = [
      { key: 'source.namespace', values: ['fox'] },
      { key: 'request.headers[end-user]', values: ['jason'] },
    ];
    expect(isAllowed(allow({ when }), request({ headers: { 'end-user': 'jason' } }))).toBe(true);
    expect(isAllowed(allow({ when }), request({ headers: { 'end-user': 'fox' } }))).toBe(false);
  });
});

describe('policies together (DENY, then ALLOW; AUDIT changes nothing)', () => {
  const any = {};
  it('allows everything without policies, or with AUDIT ones only', () => {
    expect(isAllowed([], request())).toBe(true);
    expect(isAllowed([policy('AUDIT', [any])], request())).toBe(true);
  });

  it('denies what a DENY policy matches, even if an ALLOW policy matches too', () => {
    expect(isAllowed([policy('ALLOW', [any]), policy('DENY', [{ to: [{ operation: { methods: ['GET'] } }] }])], request())).toBe(false);
    expect(isAllowed([policy('DENY', [{ to: [{ operation: { methods: ['POST'] } }] }])], request())).toBe(true);
  });

  it('with ALLOW policies, allows only what one of their rules matches', () => {
    expect(isAllowed([policy('ALLOW', [{ to: [{ operation: { methods: ['POST'] } }] }, any])], request())).toBe(true);
    expect(isAllowed([policy('ALLOW', [{ to: [{ operation: { methods: ['POST'] } }] }]), policy('ALLOW', [any])], request())).toBe(true);
    expect(isAllowed([policy('ALLOW', [{ to: [{ operation: { methods: ['POST'] } }] }]), policy('AUDIT', [any])], request())).toBe(false);
  });

  it('counts a policy without rules as matching nothing: ALLOW denies all, DENY denies none', () => {
    expect(isAllowed([policy('ALLOW')], request())).toBe(false);
    expect(isAllowed([policy('ALLOW', [])], request())).toBe(false);
    expect(isAllowed([policy('DENY', [])], request())).toBe(true);
  });
});
