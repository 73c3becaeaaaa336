import type { IncomingHttpHeaders } from 'node:http';
import type { AuthorizationPolicySpec } from '../api/istio-schemas.js';
import { principalOf, type SourceIdentity } from '../k8s/identity.js';
import { headerValue } from '../lib/headers.js';
import type { AuthorizationPolicy } from './mesh-config.js';

type Rule = NonNullable<AuthorizationPolicySpec['rules']>[number];

export interface AuthorizationRequest {
  /** The caller's mTLS identity; undefined when it has none (a client outside the mesh, at the ingress gateway). */
  source: SourceIdentity | undefined;
  method: string;
  /** Path without the query string, normalized as the proxy normalized it. */
  path: string;
  /** The Host (`:authority`) the request names. */
  host: string;
  headers: IncomingHttpHeaders;
}

/**
 * Istio's string matching in authorization rules (pilot security/authz/matcher): exact, `prefix*`, `*suffix`, or `*`
 * for any non-empty value. A value the request does not have matches nothing.
 */
export function authzValueMatches(pattern: string, value: string | undefined, ignoreCase = false): boolean {
  if (value === undefined) return false;
  const [p, v] = ignoreCase ? [pattern.toLowerCase(), value.toLowerCase()] : [pattern, value];
  if (p === '*') return v.length > 0;
  if (p.endsWith('*')) return v.startsWith(p.slice(0, -1));
  if (p.startsWith('*')) return v.endsWith(p.slice(1));
  return p === v;
}

/** An empty list is the same as an absent one: it constrains nothing (pilot authz model.go skips empty values). */
const isSet = <T>(list: T[] | undefined): list is T[] => list !== undefined && list.length > 0;
const anyOf = (patterns: string[] | undefined, value: string | undefined, ignoreCase = false) =>
  !isSet(patterns) || patterns.some((p) => authzValueMatches(p, value, ignoreCase));
const noneOf = (patterns: string[] | undefined, value: string | undefined, ignoreCase = false) =>
  !isSet(patterns) || !patterns.some((p) => authzValueMatches(p, value, ignoreCase));

/**
 * The value a `when` key has for this request. There are no JWTs locally (RequestAuthentication is not supported),
 * so `request.auth.*` has none and conditions on it never match, as with a request that carries no token.
 */
function conditionValue(key: string, request: AuthorizationRequest): string | undefined {
  const header = /^request\.headers\[(.+)\]$/.exec(key)?.[1];
  if (header !== undefined) return headerValue(request.headers, header);
  if (key === 'source.namespace') return request.source?.namespace;
  if (key === 'source.principal') return request.source && principalOf(request.source);
  return undefined;
}

function ruleMatches(rule: Rule, request: AuthorizationRequest): boolean {
  const { source } = request;
  const principal = source && principalOf(source);
  const fromOk =
    !isSet(rule.from) ||
    rule.from.some(
      ({ source: s }) =>
        anyOf(s.namespaces, source?.namespace) &&
        noneOf(s.notNamespaces, source?.namespace) &&
        anyOf(s.principals, principal) &&
        noneOf(s.notPrincipals, principal) &&
        // No request carries a validated JWT locally: requestPrincipals match none, notRequestPrincipals all.
        anyOf(s.requestPrincipals, undefined) &&
        noneOf(s.notRequestPrincipals, undefined),
    );
  const toOk =
    !isSet(rule.to) ||
    rule.to.some(
      ({ operation }) =>
        anyOf(operation.hosts, request.host, true) &&
        noneOf(operation.notHosts, request.host, true) &&
        anyOf(operation.paths, request.path) &&
        noneOf(operation.notPaths, request.path) &&
        anyOf(operation.methods, request.method) &&
        noneOf(operation.notMethods, request.method),
    );
  // Stryker disable next-line ArrayDeclaration: a stand-in element has no key and no values, a condition that every request meets, as none
  const whenOk = (rule.when ?? []).every(({ key, values, notValues }) => {
    const value = conditionValue(key, request);
    return anyOf(values, value) && noneOf(notValues, value);
  });
  return fromOk && toOk && whenOk;
}

/**
 * Istio's evaluation at the destination (pilot security/authz/builder; Envoy's RBAC filters in the order AUDIT,
 * DENY, ALLOW): any matching DENY policy denies; else, if ALLOW policies exist, one of their rules must match; else
 * the request is allowed. AUDIT policies change nothing. A policy without rules matches nothing (so an ALLOW policy
 * with no rules denies everything: Istio's "allow-nothing").
 */
export function isAllowed(policies: readonly AuthorizationPolicy[], request: AuthorizationRequest): boolean {
  const matches = (policy: AuthorizationPolicy) => (policy.spec.rules ?? []).some((rule) => ruleMatches(rule, request));
  const deny = policies.filter((p) => p.spec.action === 'DENY');
  if (deny.some(matches)) return false;
  const allow = policies.filter((p) => p.spec.action === 'ALLOW');
  return allow.length === 0 || allow.some(matches);
}
