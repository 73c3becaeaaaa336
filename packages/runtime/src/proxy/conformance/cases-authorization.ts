import type { ConformanceCase } from './harness.js';

const API = 'https://istio.io/latest/docs/reference/config/security/authorization-policy/';
const PODS = ['base/reviews@v1', 'base/productpage@v1', 'fox/productpage@v1'];
const policy = (spec: string) => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: reviews, namespace: base}
spec:
  selector: {matchLabels: {app: reviews}}
${spec}`;

export const AUTHORIZATION_CASES: ConformanceCase[] = [
  {
    name: 'ALLOW from one namespace: a caller from another is denied with 403 "RBAC: access denied"',
    cite: `${API} ("If there are any ALLOW policies for the workload, allow the request if it matches any of them")`,
    yaml: policy(`  action: ALLOW
  rules: [{from: [{source: {namespaces: [fox]}}]}]
`),
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { status: 403, servedBy: undefined },
  },
  {
    name: 'ALLOW from one namespace: a caller from it passes',
    cite: `${API} (Source.namespaces)`,
    yaml: policy(`  action: ALLOW
  rules: [{from: [{source: {namespaces: [fox]}}]}]
`),
    pods: PODS,
    request: { from: 'fox/productpage@v1', host: 'reviews.base:7000' },
    expect: { status: 200, servedBy: 'base/reviews@v1' },
  },
  {
    name: 'DENY on a path prefix denies matching paths only',
    cite: `${API} (Operation.paths: prefix match "abc*")`,
    yaml: policy(`  action: DENY
  rules: [{to: [{operation: {paths: [/admin*]}}]}]
`),
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000', path: '/admin/users' },
    expect: { status: 403, servedBy: undefined },
  },
  {
    name: 'an ALLOW policy without rules allows nothing',
    cite: `${API} (allow-nothing example)`,
    yaml: policy(`  action: ALLOW
`),
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { status: 403, servedBy: undefined },
  },
];
