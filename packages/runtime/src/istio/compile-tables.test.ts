import { describe, expect, it } from 'vitest';
import { pod, sampleRegistry } from '../k8s/test-fixtures.js';
import { DEFAULT_RETRY, MeshRoutes, type IngressIdentity } from './compile.js';
import { MALL_GATEWAY, meshConfig } from './test-fixtures.js';

const INGRESS: IngressIdentity = { labels: { istio: 'ingressgateway' }, ports: [80] };
const tables = (yaml: string) => new MeshRoutes(meshConfig(yaml), sampleRegistry().snapshot());

const vs = (http: string, extra = '') => `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: users, namespace: base}
spec:
  hosts: [users]
${extra}  http: ${http}
`;

describe('route tables, built once', () => {
  it('give each namespace one sidecar table and each ingress one table per namespace', () => {
    const compiled = tables('');
    expect(compiled.sidecar('base')).toBe(compiled.sidecar('base'));
    expect(compiled.sidecar('fox')).not.toBe(compiled.sidecar('base'));
    expect(compiled.ingress(INGRESS, 'istio-system')).toBe(compiled.ingress(INGRESS, 'istio-system'));
    expect(compiled.ingress(INGRESS, 'base')).not.toBe(compiled.ingress(INGRESS, 'istio-system'));
    expect(compiled.ingress({ ...INGRESS }, 'istio-system')).not.toBe(compiled.ingress(INGRESS, 'istio-system'));
    expect(compiled.sidecar('base').namespace).toBe('base');
    expect(compiled.ingress(INGRESS, 'base').namespace).toBe('base');
  });

  it('resolve a VirtualService’s routes once per caller namespace', () => {
    const compiled = tables(vs('[{route: [{destination: {host: users}}]}]'));
    const users = compiled.config.virtualServices[0]!;
    expect(compiled.routesOf(users, 'base')).toBe(compiled.routesOf(users, 'base'));
    expect(compiled.routesOf(users, 'fox')).not.toBe(compiled.routesOf(users, 'base'));
  });

  it('know once per pod whether it takes plain text', () => {
    const compiled = tables(`apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: plain, namespace: base}
spec: {mtls: {mode: DISABLE}}
`);
    const users = pod('users-v1-1', 'base', { app: 'users' }, 1001);
    expect(compiled.plainText(users)).toBe(true);
    expect(compiled.plainText(users)).toBe(true);
    expect(compiled.plainText(pod('products-1', 'fox', { app: 'products' }, 1002))).toBe(false);
  });
});

describe('translated routes', () => {
  it('hold no match condition for a route that names none (it takes every request)', () => {
    const compiled = tables(vs('[{route: [{destination: {host: users}}]}]'));
    expect(compiled.routesOf(compiled.config.virtualServices[0]!, 'base').map((r) => r.route.matches)).toEqual([[]]);
  });

  it('are named <virtualservice>.<namespace>#<index> unless named', () => {
    const compiled = tables(vs('[{name: first, route: [{destination: {host: users}}]}, {route: [{destination: {host: users}}]}]'));
    expect(compiled.routesOf(compiled.config.virtualServices[0]!, 'base').map((r) => r.route.name)).toEqual(['first', 'users.base#1']);
  });

  it('take Istio’s default retries unless they set theirs; status codes in retryOn become retriable-status-codes', () => {
    const compiled = tables(vs('[{route: [{destination: {host: users}}]}, {retries: {attempts: 3, perTryTimeout: 2s, retryOn: "5xx,503,reset,429"}, route: [{destination: {host: users}}]}, {retries: {attempts: 1}, route: [{destination: {host: users}}]}]'));
    const [plain, custom, attemptsOnly] = compiled.routesOf(compiled.config.virtualServices[0]!, 'base').map((r) => r.route.retry);
    expect(plain).toBe(DEFAULT_RETRY);
    expect(DEFAULT_RETRY).toEqual({
      attempts: 2,
      perTryTimeout: undefined,
      retryOn: new Set(['connect-failure', 'refused-stream', 'unavailable', 'cancelled', 'retriable-status-codes']),
      statusCodes: new Set(),
    });
    expect(custom).toEqual({ attempts: 3, perTryTimeout: 2_000, retryOn: new Set(['5xx', 'reset', 'retriable-status-codes']), statusCodes: new Set([503, 429]) });
    expect(attemptsOnly).toEqual({ ...DEFAULT_RETRY, attempts: 1 });
  });

  it('qualify the gateways a match names with the VirtualService’s namespace', () => {
    const compiled = tables(`${MALL_GATEWAY}---${vs('[{match: [{gateways: [mall-gateway]}], route: [{destination: {host: users}}]}]', '  gateways: [mall-gateway, mesh]\n')}`);
    const [route] = compiled.routesOf(compiled.config.virtualServices[0]!, 'base');
    const request = (gateways: string[]) => ({ method: 'GET', url: '/', headers: {}, port: 80, source: { namespace: 'x', workload: 'w', labels: {}, serviceAccount: 's' }, gateways: new Set(gateways) });
    expect(route!.route.matches[0]!.test(request(['base/mall-gateway']))).toBe(true);
    expect(route!.route.matches[0]!.test(request(['mesh']))).toBe(false);
  });
});

describe('routes at the ingress', () => {
  const atGateway = (match: string) =>
    tables(`${MALL_GATEWAY}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: mall, namespace: base}
spec:
  hosts: ["*"]
  gateways: [mall-gateway]
  http:
  - match: [${match}]
    route: [{destination: {host: users}}]
`).ingress(INGRESS, 'istio-system');

  it('keep a match whose sourceNamespace is the ingress’s and whose sourceLabels it has; drop the others', () => {
    expect('reason' in atGateway('{sourceNamespace: istio-system}').lookup('shop')).toBe(false);
    expect(atGateway('{sourceNamespace: base}').lookup('shop')).toHaveProperty('reason');
    expect('reason' in atGateway('{sourceLabels: {istio: ingressgateway}}').lookup('shop')).toBe(false);
    expect(atGateway('{sourceLabels: {istio: other}}').lookup('shop')).toHaveProperty('reason');
  });

  it('treat uri prefix / and regex .* without conditions as catch-alls, and a method or header condition as none', () => {
    const routes = (yaml: string) => {
      const found = tables(`${MALL_GATEWAY}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: mall, namespace: base}
spec:
  hosts: ["*"]
  gateways: [mall-gateway]
  http: ${yaml}
`)
        .ingress(INGRESS, 'istio-system')
        .lookup('shop');
      if ('reason' in found) throw new Error(found.reason);
      return found.host.routes.map((r) => r.route.spec.route[0]!.destination.host);
    };
    const after = (catchAll: string) => `[{match: [${catchAll}], route: [{destination: {host: first}}]}, {route: [{destination: {host: second}}]}]`;
    expect(routes(after('{uri: {prefix: /}}'))).toEqual(['first']);
    expect(routes(after('{uri: {regex: ".*"}}'))).toEqual(['first']);
    for (const narrower of ['{uri: {prefix: /api}}', '{uri: {prefix: /}, method: {exact: GET}}', '{uri: {prefix: /}, headers: {x: {exact: "1"}}}', '{uri: {prefix: /}, withoutHeaders: {x: {exact: "1"}}}', '{uri: {prefix: /}, queryParams: {q: {exact: "1"}}}', '{uri: {exact: /}}']) {
      expect(routes(after(narrower)), narrower).toEqual(['first', 'second']);
    }
  });
});
