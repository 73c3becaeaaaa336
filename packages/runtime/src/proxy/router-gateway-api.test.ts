import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isIstio, parseManifests } from '../api/manifests.js';
import { GATEWAY_NAME_LABEL } from '../istio/gateway-api.js';
import { MeshConfig } from '../istio/mesh-config.js';
import { validateMeshConfig } from '../istio/validate.js';
import { pod, serviceManifest } from '../k8s/test-fixtures.js';
import { ServiceRegistry } from '../k8s/service-registry.js';
import { REPO_ROOT } from '../lib/paths.js';
import { Router, type RouteDecision } from './router.js';
import { runCase } from './conformance/harness.js';

/** The talk's Gateway API files, as `mesh-mall apply` reads them (istio/gateway-api/). */
const act = (...files: string[]) =>
  files.flatMap((file) => parseManifests(readFileSync(join(REPO_ROOT, 'istio/gateway-api', file), 'utf8'), file).manifests).filter(isIstio);

/** The talk's Services: base has every service and mall-v1/mall-v2; jason has recommend; fox has discount and products. */
function registry(): ServiceRegistry {
  const services = new ServiceRegistry();
  for (const [name, namespace] of [['mall-v1', 'base'], ['mall-v2', 'base'], ['mall', 'base'], ['recommend', 'base'], ['discount', 'base'], ['products', 'base'], ['recommend', 'jason'], ['discount', 'fox'], ['products', 'fox']] as const) {
    services.putService(serviceManifest(name, namespace));
  }
  services.addPod(pod('recommend-v1-1', 'base', { app: 'recommend', version: 'v1' }, 1001));
  return services;
}

function routerFor(...files: string[]): Router {
  const config = MeshConfig.fromManifests(act(...files));
  expect(validateMeshConfig(config)).toEqual([]);
  const router = new Router(registry());
  router.configure(config);
  return router;
}

const MALL_GATEWAY = { labels: { [GATEWAY_NAME_LABEL]: 'mall' }, ports: [80] };
const gatewaySource = { namespace: 'base', workload: 'mall-istio', labels: MALL_GATEWAY.labels, serviceAccount: 'mall-istio' };
const caller = (namespace: string) => ({ namespace, workload: 'mall-v1', labels: { app: 'mall', version: 'v1' }, serviceAccount: 'mall' });
const request = (authority: string, headers: Record<string, string> = {}, url = '/api/mall') => ({ authority, method: 'GET', url, headers });

/** The Service a decision sends to, `name.namespace`, or its status when the proxy answers itself. */
function destination(decision: RouteDecision): string {
  if (decision.kind !== 'route') return String(decision.status);
  return `${decision.upstream.target.service.metadata.name}.${decision.upstream.target.namespace}`;
}

describe('the talk in Gateway API form, routed as Istio routes it', () => {
  it("the base act: the Gateway's proxy sends every shopper, whatever the host, to mall-v1", () => {
    const router = routerFor('mall-versions.yaml', 'gateway.yaml', 'base-routes.yaml');
    for (const host of ['localhost:8080', 'mall.example.com']) expect(destination(router.decide(request(host), gatewaySource, MALL_GATEWAY))).toBe('mall-v1.base');
  });

  it('the canary: mall-v1 and mall-v2 alternate, 50/50 exactly', () => {
    const router = routerFor('mall-versions.yaml', 'gateway.yaml', 'mall-canary-50.yaml');
    const picks = Array.from({ length: 6 }, () => destination(router.decide(request('localhost'), gatewaySource, MALL_GATEWAY)));
    expect(picks.sort()).toEqual(['mall-v1.base', 'mall-v1.base', 'mall-v1.base', 'mall-v2.base', 'mall-v2.base', 'mall-v2.base']);
  });

  it("all on v2: the mall's route replaced, every shopper reaches mall-v2", () => {
    const router = routerFor('mall-versions.yaml', 'gateway.yaml', 'mall-v2-100.yaml');
    expect(destination(router.decide(request('localhost'), gatewaySource, MALL_GATEWAY))).toBe('mall-v2.base');
  });

  it("jason's lane: the producer route in base sends jason's calls to recommend to jason's, from any namespace", () => {
    const router = routerFor('jason-routes.yaml');
    for (const from of ['base', 'fox']) {
      expect(destination(router.decide(request('recommend.base:7000', { 'end-user': 'jason' }), caller(from)))).toBe('recommend.jason');
      expect(destination(router.decide(request('recommend.base:7000', { 'end-user': 'fox' }), caller(from)))).toBe('recommend.base');
    }
  });

  it("fox's lane: discount and products both go to fox's for fox, full-link", () => {
    const router = routerFor('fox-routes.yaml');
    for (const service of ['discount', 'products']) {
      expect(destination(router.decide(request(`${service}.base:7000`, { 'end-user': 'fox' }), caller('base')))).toBe(`${service}.fox`);
      expect(destination(router.decide(request(`${service}.base:7000`), caller('base')))).toBe(`${service}.base`);
    }
  });

  it('the parentRef port narrows a mesh route to that port of the Service (a request to another port takes the Service as is)', () => {
    const router = routerFor('jason-routes.yaml');
    const services = registry();
    // recommend in base on a second port, 7001, which jason-routes.yaml's parentRef (port 7000) does not name.
    services.putService(parseManifests('apiVersion: v1\nkind: Service\nmetadata: {name: recommend, namespace: base}\nspec: {selector: {app: recommend}, ports: [{name: http, port: 7000}, {name: admin, port: 7001}]}\n', 's.yaml').manifests[0] as never);
    const twoPorts = new Router(services);
    twoPorts.configure(MeshConfig.fromManifests(act('jason-routes.yaml')));
    expect(destination(twoPorts.decide(request('recommend.base:7000', { 'end-user': 'jason' }), caller('base')))).toBe('recommend.jason');
    expect(destination(twoPorts.decide(request('recommend.base:7001', { 'end-user': 'jason' }), caller('base')))).toBe('recommend.base');
    expect(destination(router.decide(request('recommend.base:7000', { 'end-user': 'jason' }), caller('base')))).toBe('recommend.jason');
  });

  it("a redirect carries the rule's response headers, as Envoy finalizes its own answers with them", async () => {
    const { answers, refusal } = await runCase({
      name: 'redirect with a response header',
      cite: 'pilot route.go TranslateRoute (response headers before ApplyRedirect)',
      yaml: `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: base}
spec: {gatewayClassName: istio, listeners: [{name: http, port: 80, protocol: HTTP}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: moved, namespace: base}
spec:
  parentRefs: [{name: web}]
  rules:
  - filters:
    - {type: RequestRedirect, requestRedirect: {hostname: example.org, statusCode: 301}}
    - {type: ResponseHeaderModifier, responseHeaderModifier: {set: [{name: X-Moved, value: "yes"}]}}
`,
      pods: [],
      request: { from: 'gateway:base/web', host: 'shop.example', path: '/old?x=1' },
      expect: { status: 301 },
    });
    expect(refusal).toBeUndefined();
    expect(answers.map((a) => [a.status, a.responseHeaders.location, a.responseHeaders['x-moved']])).toEqual([[301, 'http://example.org/old?x=1', 'yes']]);
  });
});

describe('HTTPRoutes and VirtualServices', () => {
  it('refuses a VirtualService for a host an HTTPRoute already routes: Istio does not merge the two', () => {
    const vs = parseManifests(
      'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: recommend, namespace: base}\nspec: {hosts: [recommend], http: [{route: [{destination: {host: recommend}}]}]}\n',
      'vs.yaml',
    ).manifests.filter(isIstio);
    expect(validateMeshConfig(MeshConfig.fromManifests([...vs, ...act('jason-routes.yaml')]))).toEqual([
      'HTTPRoute base/recommend: host recommend.base.svc.cluster.local already has VirtualService base/recommend; route a host with VirtualServices or with HTTPRoutes, not both',
    ]);
  });
});
