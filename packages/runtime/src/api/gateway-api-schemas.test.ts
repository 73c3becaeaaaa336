import { describe, expect, it } from 'vitest';
import { parseManifests, type HttpRouteManifest, type K8sGatewayManifest } from './manifests.js';

const route = (spec: string) => parseManifests(`apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: base}\nspec:\n${spec}`, 'r.yaml').manifests[0] as HttpRouteManifest;
const gateway = (listeners: string, className = 'istio') =>
  parseManifests(`apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g, namespace: base}\nspec:\n  gatewayClassName: ${className}\n  listeners: ${listeners}\n`, 'g.yaml').manifests[0] as K8sGatewayManifest;
const refusal = (read: () => unknown) => {
  try {
    read();
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
};

describe('Gateway API objects as the API server stores them', () => {
  it("fills the CRDs' defaults: a rule matches every path, a parent is a Gateway, a backend a Service of weight 1, a redirect 302", () => {
    const { spec } = route('  parentRefs: [{name: mall}]\n  rules:\n  - filters: [{type: RequestRedirect, requestRedirect: {hostname: example.org}}]\n  - backendRefs: [{name: mall-v1, port: 7000}]\n    matches: [{headers: [{name: end-user, value: jason}]}]\n');
    expect(spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'mall' }]);
    expect(spec.rules[0]!.matches).toEqual([{ path: { type: 'PathPrefix', value: '/' } }]);
    expect(spec.rules[0]!.filters![0]!.requestRedirect!.statusCode).toBe(302);
    expect(spec.rules[1]!.matches).toEqual([{ path: { type: 'PathPrefix', value: '/' }, headers: [{ type: 'Exact', name: 'end-user', value: 'jason' }] }]);
    expect(spec.rules[1]!.backendRefs).toEqual([{ group: '', kind: 'Service', name: 'mall-v1', port: 7000, weight: 1 }]);
  });

  it('reads GEP-2257 durations as milliseconds', () => {
    expect(route('  rules: [{timeouts: {request: 1h30m, backendRequest: 500ms}}]\n').spec.rules[0]!.timeouts).toEqual({ request: 5_400_000, backendRequest: 500 });
  });

  it("refuses what the CRDs' validation refuses, with its messages", () => {
    expect(refusal(() => route('  rules: [{timeouts: {request: 1s, backendRequest: 2s}}]\n'))).toContain('backendRequest timeout cannot be longer than request timeout');
    expect(refusal(() => route('  rules: [{filters: [{type: RequestRedirect}]}]\n'))).toContain('filter.requestRedirect must be specified for RequestRedirect');
    expect(refusal(() => route('  rules: [{filters: [{type: RequestRedirect, requestRedirect: {}}, {type: URLRewrite, urlRewrite: {}}]}]\n'))).toContain('May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both');
    expect(refusal(() => route('  rules: [{matches: [{path: {type: Exact, value: /x}}], filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /y}}}]}]\n'))).toContain(
      'exactly one PathPrefix match must be specified',
    );
    expect(refusal(() => route('  hostnames: ["Example.COM"]\n'))).toContain('spec.hostnames[0]: must be a lower-case DNS name');
    expect(refusal(() => route('  rules: [{filters: [{type: RequestRedirect, requestRedirect: {}}], backendRefs: [{name: a, port: 80}]}]\n'))).toContain('RequestRedirect filter must not be used together with backendRefs');
    expect(refusal(() => route('  rules: [{backendRefs: [{name: a}]}]\n'))).toContain('Must have port for Service reference');
    expect(refusal(() => route('  rules: [{matches: [{path: {value: foo}}]}]\n'))).toContain("value must be an absolute path and start with '/'");
    expect(refusal(() => route('  rules: [{matches: [{path: {type: Exact, value: "/a//b"}}]}]\n'))).toContain("must not contain '//'");
    expect(refusal(() => route('  rules: [{matches: [{headers: [{name: x, value: "1"}, {name: x, value: "2"}]}]}]\n'))).toContain('spec.rules[0].matches[0].headers[1].name: Duplicate value: header "x"');
    expect(refusal(() => route('  rules: [{filters: [{type: URLRewrite, urlRewrite: {hostname: "*.example.com"}}]}]\n'))).toContain('must be a lower-case DNS name without a wildcard');
    expect(refusal(() => gateway('[{name: a, port: 80, protocol: HTTP}, {name: a, port: 81, protocol: HTTP}]'))).toContain('Listener name must be unique within the Gateway');
  });

  it('refuses, naming it, what the local runtime does not implement: HTTPS listeners, other classes, retries, CORS', () => {
    expect(refusal(() => gateway('[{name: https, port: 443, protocol: HTTPS}]'))).toContain('the local runtime serves HTTP listeners only');
    expect(refusal(() => gateway('[{name: http, port: 80, protocol: HTTP}]', 'envoy'))).toContain('the local runtime runs Istio\'s class "istio" only');
    expect(refusal(() => route('  rules: [{retry: {attempts: 3}}]\n'))).toContain('spec.rules[0].retry is not supported by the local runtime');
    expect(refusal(() => route('  rules: [{filters: [{type: RequestMirror, requestMirror: {backendRef: {name: a, port: 80}}}, {type: RequestMirror, requestMirror: {backendRef: {name: b, port: 80}}}]}]\n'))).toContain(
      'a second RequestMirror filter in a rule is not supported by the local runtime',
    );
    expect(refusal(() => route('  rules: [{backendRefs: [{group: networking.istio.io, kind: Hostname, name: a.example.com, port: 80}]}]\n'))).toContain("Istio's Hostname backends are not supported by the local runtime");
    expect(refusal(() => route('  rules: [{filters: [{type: CORS, cors: {}}]}]\n'))).toContain('spec.rules[0].filters[0].type: is a filter type the local runtime does not support');
  });

  it('tells the Gateway API Gateway from Istio’s by its group: both are kept, under their own resource names', () => {
    const both = parseManifests(
      'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g, namespace: base}\nspec: {gatewayClassName: istio, listeners: [{name: http, port: 80, protocol: HTTP}]}\n---\napiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g, namespace: base}\nspec: {selector: {istio: ingressgateway}, servers: [{port: {number: 80, protocol: HTTP}, hosts: ["*"]}]}\n',
      'both.yaml',
    ).manifests;
    expect(both.map((m) => m.apiVersion)).toEqual(['gateway.networking.k8s.io/v1', 'networking.istio.io/v1']);
  });
});
