import type { AuthorizationPolicySpec } from '../api/istio-schemas.js';
import { principalOf, type SourceIdentity } from '../k8s/identity.js';
import type { AuthorizationPolicy } from './mesh-config.js';

type Rule = NonNullable<AuthorizationPolicySpec['rules']>[number];

export interface AuthorizationRequest {
  source: SourceIdentity;
  method: string;
  /** Path without the query string. */
  path: string;
}

/**
 * Istio's string matching in authorization rules: exact, `prefix*`, `*suffix`, or `*` for any value.
 */
export function authzValueMatches(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

const anyOf = (patterns: string[] | undefined, value: string) => patterns === undefined || patterns.some((p) => authzValueMatches(p, value));
const noneOf = (patterns: string[] | undefined, value: string) => patterns === undefined || !patterns.some((p) => authzValueMatches(p, value));

function ruleMatches(rule: Rule, request: AuthorizationRequest): boolean {
  const principal = principalOf(request.source);
  const fromOk =
    !rule.from ||
    rule.from.some(
      ({ source }) =>
        anyOf(source.namespaces, request.source.namespace) &&
        noneOf(source.notNamespaces, request.source.namespace) &&
        anyOf(source.principals, principal) &&
        noneOf(source.notPrincipals, principal),
    );
  const toOk =
    !rule.to ||
    rule.to.some(
      ({ operation }) =>
        anyOf(operation.paths, request.path) &&
        noneOf(operation.notPaths, request.path) &&
        anyOf(operation.methods, request.method) &&
        noneOf(operation.notMethods, request.method),
    );
  return fromOk && toOk;
}

/**
 * Istio's evaluation at the destination: any matching DENY policy denies; else, if ALLOW policies exist, one of
 * their rules must match; else the request is allowed. A policy without rules matches nothing (so an ALLOW policy
 * with no rules denies everything: Istio's "allow-nothing").
 */
export function isAllowed(policies: readonly AuthorizationPolicy[], request: AuthorizationRequest): boolean {
  const matches = (policy: AuthorizationPolicy) => (policy.spec.rules ?? []).some((rule) => ruleMatches(rule, request));
  const deny = policies.filter((p) => p.spec.action === 'DENY');
  if (deny.some(matches)) return false;
  const allow = policies.filter((p) => p.spec.action === 'ALLOW');
  return allow.length === 0 || allow.some(matches);
}

