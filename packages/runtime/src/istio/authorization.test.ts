import { describe, expect, it } from 'vitest';
import { principalOf } from '../k8s/identity.js';
import { authzValueMatches, isAllowed } from './authorization.js';
import { meshConfig, source } from './test-fixtures.js';

const policies = (yaml: string) => meshConfig(yaml).authorizationPolicies;
const request = (namespace: string, path = '/favorites', method = 'GET', serviceAccount = 'default') => ({ source: source(namespace, {}, serviceAccount), method, path, host: 'favorites:7000', headers: {} });

describe('AuthorizationPolicy', () => {
  it('ALLOW from namespace fox only: fox passes, base is denied', () => {
    const allow = policies(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: p, namespace: fox}
spec:
  action: ALLOW
  rules: [{from: [{source: {namespaces: [fox]}}]}]
`);
    expect(isAllowed(allow, request('fox'))).toBe(true);
    expect(isAllowed(allow, request('base'))).toBe(false);
  });

  it('DENY wins over ALLOW (Istio docs: deny POST from the dev namespace)', () => {
    const both = policies(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-all, namespace: foo}
spec:
  rules: [{}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-dev-post, namespace: foo}
spec:
  action: DENY
  rules: [{from: [{source: {namespaces: [dev]}}], to: [{operation: {methods: [POST]}}]}]
`);
    expect(isAllowed(both, request('dev', '/', 'POST'))).toBe(false);
    expect(isAllowed(both, request('dev', '/', 'GET'))).toBe(true);
    expect(isAllowed(both, request('prod', '/', 'POST'))).toBe(true);
  });

  it('an ALLOW policy without rules allows nothing (allow-nothing)', () => {
    expect(isAllowed(policies('apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: none, namespace: foo}\nspec: {}\n'), request('foo'))).toBe(false);
  });

  it('matches principals by service account, and paths by exact, prefix*, *suffix and *', () => {
    const byPrincipal = policies(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: p, namespace: fox}
spec:
  rules:
  - from: [{source: {principals: ["cluster.local/ns/fox/sa/products"]}}]
    to: [{operation: {paths: ["/favorites*"], notMethods: [DELETE]}}]
`);
    expect(principalOf(source('fox', {}, 'products'))).toBe('cluster.local/ns/fox/sa/products');
    expect(isAllowed(byPrincipal, request('fox', '/favorites', 'GET', 'products'))).toBe(true);
    expect(isAllowed(byPrincipal, request('fox', '/favorites', 'DELETE', 'products'))).toBe(false);
    expect(isAllowed(byPrincipal, request('fox', '/other', 'GET', 'products'))).toBe(false);
    expect(isAllowed(byPrincipal, request('fox', '/favorites', 'GET', 'discount'))).toBe(false);
    expect([authzValueMatches('*', 'x'), authzValueMatches('*.json', 'a.json'), authzValueMatches('/a/*', '/a/b'), authzValueMatches('/a', '/a/b')]).toEqual([true, true, true, false]);
  });
});
