import type { ConformanceCase } from './harness.js';
import { shop } from './objects.js';

const API = 'https://istio.io/latest/docs/reference/config/security/authorization-policy/';
const PODS = ['base/reviews@v1', 'base/productpage@v1', 'fox/productpage@v1'];
/** Namespace base takes plain text from its callers. */
const PLAIN_TEXT = `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: base}
spec: {mtls: {mode: DISABLE}}
`;
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
    cite: `${API} ("If there are any ALLOW policies for the workload, allow the request if it matches any of them"); Envoy's RBAC filter sets no response flag (envoyproxy/envoy#21197)`,
    yaml: policy(`  action: ALLOW
  rules: [{from: [{source: {namespaces: [fox]}}]}]
`),
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { status: 403, servedBy: undefined, flag: '-' },
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
  {
    name: 'an empty from list is the same as none: the rule constrains only what it names',
    cite: 'pilot security/authz/model/model.go New (len(r.From) == 0 → any)',
    yaml: policy(`  action: ALLOW
  rules: [{from: [], to: [{operation: {paths: [/ok]}}]}]
`),
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000', path: '/ok' },
    expect: { status: 200, servedBy: 'base/reviews@v1' },
  },
  {
    name: 'paths are normalized before authorization: /x/../admin is /admin to a DENY on /admin*',
    cite: 'istio.io docs/reference/config/security/normalization (BASE is the default); Envoy normalize_path',
    yaml: policy(`  action: DENY
  rules: [{to: [{operation: {paths: [/admin*]}}]}]
`),
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000', path: '/x/../admin/users' },
    expect: { status: 403, servedBy: undefined },
  },
  {
    name: 'the destination sees the normalized path',
    cite: 'tests/integration/security/normalization_test.go (what the backend receives)',
    yaml: '',
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000', path: '/app/%2E./reviews?x=1' },
    expect: { status: 200, servedBy: 'base/reviews@v1', path: '/reviews?x=1' },
  },
  {
    name: 'a policy selecting the ingress gateway is enforced there, before routing',
    cite: `${API} (policies in the root namespace with a selector apply to the workloads it selects); istio.io docs/tasks/security/authorization/authz-ingress`,
    yaml: `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ingress, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  action: DENY
  rules: [{to: [{operation: {paths: [/private*]}}]}]
---
${shop(`[{route: [{destination: {host: reviews}}]}]`)}`,
    pods: PODS,
    request: { from: 'ingress', host: 'localhost:8080', path: '/private/data' },
    expect: { status: 403, servedBy: undefined, flag: '-' },
  },
  {
    name: 'at the ingress a client from outside has no mesh identity: an ALLOW by namespace denies it',
    cite: `${API} (Source.namespaces needs mTLS); external clients present no mesh certificate`,
    yaml: `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ingress, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  action: ALLOW
  rules: [{from: [{source: {namespaces: [base]}}]}]
---
${shop(`[{route: [{destination: {host: reviews}}]}]`)}`,
    pods: PODS,
    request: { from: 'ingress', host: 'localhost:8080' },
    expect: { status: 403, servedBy: undefined },
  },
  {
    name: 'a when condition on a request header: a request without it is denied by the ALLOW',
    cite: `${API}#Condition (request.headers[...])`,
    yaml: policy(`  action: ALLOW
  rules: [{when: [{key: 'request.headers[x-token]', values: [secret]}]}]
`),
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { status: 403, servedBy: undefined },
  },
  {
    name: 'a when condition on a request header: a request with it passes',
    cite: `${API}#Condition (request.headers[...])`,
    yaml: policy(`  action: ALLOW
  rules: [{when: [{key: 'request.headers[x-token]', values: [secret]}]}]
`),
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000', headers: { 'x-token': 'secret' } },
    expect: { status: 200, servedBy: 'base/reviews@v1' },
  },
  {
    name: 'requestPrincipals match only requests with a validated JWT: without one an ALLOW on them denies',
    cite: `${API}#Source (requestPrincipals); pilot authz principal.go (jwt_authn metadata)`,
    yaml: policy(`  action: ALLOW
  rules: [{from: [{source: {requestPrincipals: ['*']}}]}]
`),
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { status: 403, servedBy: undefined },
  },
  {
    name: 'operation.hosts match the Host the request names, without case',
    cite: `${API}#Operation (hosts); pilot authz matcher HostMatcher (case-insensitive)`,
    yaml: policy(`  action: ALLOW
  rules: [{to: [{operation: {hosts: ['REVIEWS:7000']}}]}]
`),
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { status: 200, servedBy: 'base/reviews@v1' },
  },
  {
    name: 'an AUDIT policy changes no outcome',
    cite: `${API}#AuthorizationPolicy-Action (AUDIT); Envoy RBAC action LOG`,
    yaml: policy(`  action: AUDIT
  rules: [{to: [{operation: {paths: ['*']}}]}]
`),
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { status: 200, servedBy: 'base/reviews@v1' },
  },
  {
    name: 'CUSTOM is refused: it needs an ext_authz extension provider',
    cite: `${API}#AuthorizationPolicy-Action (CUSTOM delegates to an extension provider)`,
    yaml: policy(`  action: CUSTOM
  rules: [{to: [{operation: {paths: ['*']}}]}]
`),
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { refused: /CUSTOM needs an extension provider/ },
  },
  {
    name: 'a DENY policy without rules is refused, as Istio refuses it',
    cite: 'pkg/config/validation ValidateAuthorizationPolicy ("DENY action without rules is meaningless")',
    yaml: policy(`  action: DENY
`),
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { refused: /a DENY policy needs rules/ },
  },
  {
    name: 'a when key the runtime cannot evaluate (source.ip) is refused',
    cite: `${API}#Condition (source.ip is the peer's IP; locally every pod is 127.0.0.1)`,
    yaml: policy(`  action: ALLOW
  rules: [{when: [{key: source.ip, values: [10.0.0.1]}]}]
`),
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { refused: /condition key the local runtime does not evaluate/ },
  },
  {
    name: 'PeerAuthentication DISABLE: the destination knows no caller identity, so an ALLOW by namespace denies',
    cite: 'https://istio.io/latest/docs/reference/config/security/peer_authentication/; pilot xds/endpoints/mtls_checker.go (plain text to DISABLE)',
    yaml: `${PLAIN_TEXT}---${policy(`  action: ALLOW
  rules: [{from: [{source: {namespaces: [base]}}]}]
`)}`,
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { status: 403, servedBy: undefined },
  },
  {
    name: 'PeerAuthentication DISABLE: a DENY on notNamespaces fires, as the caller has no namespace',
    cite: 'pilot security/authz principal.go (notNamespaces on the peer certificate, absent in plain text)',
    yaml: `${PLAIN_TEXT}---${policy(`  action: DENY
  rules: [{from: [{source: {notNamespaces: [fox]}}]}]
`)}`,
    pods: PODS,
    request: { from: 'fox/productpage@v1', host: 'reviews.base:7000' },
    expect: { status: 403, servedBy: undefined },
  },
  {
    name: "a workload's PeerAuthentication wins over its namespace's: STRICT for reviews, so its caller is known",
    cite: 'pilot authn policy_applier.go ComposePeerAuthentication (workload, then namespace, then mesh)',
    yaml: `${PLAIN_TEXT}---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: reviews, namespace: base}
spec: {selector: {matchLabels: {app: reviews}}, mtls: {mode: STRICT}}
---${policy(`  action: ALLOW
  rules: [{from: [{source: {namespaces: [base]}}]}]
`)}`,
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { status: 200, servedBy: 'base/reviews@v1' },
  },
  {
    name: 'notPaths exempts the paths it names from an ALLOW rule',
    cite: `${API}#Operation (notPaths)`,
    yaml: policy(`  action: ALLOW
  rules: [{to: [{operation: {notPaths: [/admin*]}}]}]
`),
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000', path: '/admin' },
    expect: { status: 403, servedBy: undefined },
  },
  {
    name: 'methods are matched with case: get is not GET',
    cite: 'pilot security/authz matcher HeaderMatcher for :method (case-sensitive)',
    yaml: policy(`  action: ALLOW
  rules: [{to: [{operation: {methods: [get]}}]}]
`),
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { status: 403, servedBy: undefined },
  },
  {
    name: "principals name the caller's service account identity",
    cite: `${API}#Source (principals: cluster.local/ns/<ns>/sa/<sa>)`,
    yaml: policy(`  action: ALLOW
  rules: [{from: [{source: {principals: [cluster.local/ns/base/sa/productpage]}}]}]
`),
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { status: 200, servedBy: 'base/reviews@v1' },
  },
  {
    name: 'a policy in the root namespace without a selector applies to every workload of the mesh',
    cite: `${API} ("a policy in the root namespace applies to all workloads in the mesh")`,
    yaml: `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: mesh-wide, namespace: istio-system}
spec:
  action: DENY
  rules: [{to: [{operation: {paths: [/admin*]}}]}]
`,
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000', path: '/admin' },
    expect: { status: 403, servedBy: undefined },
  },
  {
    name: 'escaped unreserved characters are decoded before authorization: /%61dmin is /admin',
    cite: 'Envoy normalize_path (Chromium url_canon_path.cc decodes unreserved escapes)',
    yaml: policy(`  action: DENY
  rules: [{to: [{operation: {paths: [/admin*]}}]}]
`),
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000', path: '/%61dmin' },
    expect: { status: 403, servedBy: undefined },
  },
  {
    name: 'an empty source is refused',
    cite: 'pkg/config/validation ValidateAuthorizationPolicy ("from.source must not be empty")',
    yaml: policy(`  action: ALLOW
  rules: [{from: [{source: {}}]}]
`),
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { refused: /source: must not be empty/ },
  },
  {
    name: 'a when condition without values is refused',
    cite: 'pkg/config/validation ValidateAuthorizationPolicy (condition needs values or notValues)',
    yaml: policy(`  action: ALLOW
  rules: [{when: [{key: 'request.headers[x-token]'}]}]
`),
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { refused: /needs values or notValues/ },
  },
  {
    name: 'path templates are refused: the runtime would match them literally',
    cite: `${API}#Operation (paths: {*} and {**} templates)`,
    yaml: policy(`  action: DENY
  rules: [{to: [{operation: {paths: ['/admin/{*}']}}]}]
`),
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { refused: /path templates .* are not supported by the local runtime/ },
  },
  {
    name: "a workload's PeerAuthentication with mode UNSET inherits its namespace's DISABLE",
    cite: 'pilot authn policy_applier.go ComposePeerAuthentication (UNSET inherits from the parent)',
    yaml: `${PLAIN_TEXT}---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: reviews, namespace: base}
spec: {selector: {matchLabels: {app: reviews}}, mtls: {mode: UNSET}}
---${policy(`  action: ALLOW
  rules: [{from: [{source: {namespaces: [base]}}]}]
`)}`,
    pods: PODS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { status: 403, servedBy: undefined },
  },
];
