import type { ConformanceCase } from './harness.js';
import { SHOP_GATEWAY, shop, shopGateway } from './objects.js';

const API = 'https://istio.io/latest/docs/reference/config/networking/virtual-service/';
const REVIEWS = ['base/reviews@v1', 'base/reviews@v2', 'base/productpage@v1'];
const SUBSETS = `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: base}
spec: {host: reviews, subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]}
`;
/** A VirtualService for reviews in base with the given http routes, plus the two subsets. */
const reviews = (http: string) => `${SUBSETS}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: base}
spec:
  hosts: [reviews]
  http:
${http}`;
const from = 'base/productpage@v1';

export const VIRTUAL_SERVICE_CASES: ConformanceCase[] = [
  {
    name: "a host no VirtualService routes goes to the ready endpoints of its Service, by Istio's default LEAST_REQUEST",
    cite: 'pilot httproute.go BuildSidecarVirtualHostWrapper (default route per Service); cluster_traffic_policy.go defaultLBAlgorithm',
    yaml: '',
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', times: 40 },
    expect: { status: 200, spreadOver: ['base/reviews@v1', 'base/reviews@v2'] },
  },
  {
    name: 'a header exact match sends jason to v2, everyone else to v1',
    cite: 'istio.io docs/tasks/traffic-management/request-routing',
    yaml: reviews(`  - match: [{headers: {end-user: {exact: jason}}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', headers: { 'end-user': 'jason' } },
    expect: { status: 200, servedBy: 'base/reviews@v2', flag: '-' },
  },
  {
    name: 'routes are tried in order and the first match wins, however specific later ones are',
    cite: `${API}#VirtualService (http: "the first rule matching an incoming request is used")`,
    yaml: reviews(`  - match: [{uri: {prefix: /}}]
    route: [{destination: {host: reviews, subset: v1}}]
  - match: [{uri: {exact: /reviews/7}}]
    route: [{destination: {host: reviews, subset: v2}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', path: '/reviews/7' },
    expect: { status: 200, servedBy: 'base/reviews@v1' },
  },
  {
    name: 'no route of the VirtualService matches: 404 with response flag NR',
    cite: 'Envoy response flags: NR "no route configured for a given request"',
    yaml: reviews(`  - match: [{uri: {prefix: /only}}]
    route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', path: '/other' },
    expect: { status: 404, servedBy: undefined, flag: 'NR' },
  },
  {
    name: 'uri exact matches the path without its query string',
    cite: `${API}#HTTPMatchRequest (uri)`,
    yaml: reviews(`  - match: [{uri: {exact: /reviews/7}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', path: '/reviews/7?debug=1' },
    expect: { status: 200, servedBy: 'base/reviews@v2' },
  },
  {
    name: 'a uri regex must match the whole path (RE2, no implicit .*)',
    cite: 'Envoy route.RouteMatch.safe_regex: "The entire path (without the query string) must match the regex"',
    yaml: reviews(`  - match: [{uri: {regex: '/reviews'}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', path: '/reviews/7' },
    expect: { status: 200, servedBy: 'base/reviews@v1' },
  },
  {
    name: 'ignoreUriCase makes a prefix match case-insensitive',
    cite: `${API}#HTTPMatchRequest (ignoreUriCase)`,
    yaml: reviews(`  - match: [{uri: {prefix: /REVIEWS}, ignoreUriCase: true}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', path: '/reviews/7' },
    expect: { status: 200, servedBy: 'base/reviews@v2' },
  },
  {
    name: 'queryParams exact matches a query parameter',
    cite: `${API}#HTTPMatchRequest (queryParams)`,
    yaml: reviews(`  - match: [{queryParams: {debug: {exact: '1'}}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', path: '/r?debug=1' },
    expect: { status: 200, servedBy: 'base/reviews@v2' },
  },
  {
    name: "sourceLabels match the caller's labels",
    cite: `${API}#HTTPMatchRequest (sourceLabels); istio.io docs/concepts/traffic-management (reviews v2 → ratings)`,
    yaml: reviews(`  - match: [{sourceLabels: {app: productpage}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { status: 200, servedBy: 'base/reviews@v2' },
  },
  {
    name: "sourceNamespace matches the caller's namespace",
    cite: `${API}#HTTPMatchRequest (sourceNamespace)`,
    yaml: reviews(`  - match: [{sourceNamespace: other}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { status: 200, servedBy: 'base/reviews@v1' },
  },
  {
    name: 'rewrite.uri replaces the matched uri prefix and keeps the query',
    cite: `${API}#HTTPRewrite (uri); Envoy RouteAction.prefix_rewrite`,
    yaml: reviews(`  - match: [{uri: {prefix: /api/}}]
    rewrite: {uri: /v2/}
    route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', path: '/api/reviews?x=1' },
    expect: { status: 200, servedBy: 'base/reviews@v1', path: '/v2/reviews?x=1' },
  },
  {
    name: 'rewrite.authority changes the Host the destination sees',
    cite: `${API}#HTTPRewrite (authority)`,
    yaml: reviews(`  - rewrite: {authority: reviews.example.com}
    route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { status: 200, servedBy: 'base/reviews@v1', headers: { host: 'reviews.example.com' } },
  },
  {
    name: 'headers.request.set reaches the destination; headers.response.add reaches the caller',
    cite: `${API}#Headers`,
    yaml: reviews(`  - headers:
      request: {set: {x-lane: base}}
      response: {add: {x-served: reviews}}
    route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', headers: { 'x-lane': 'jason' } },
    expect: { status: 200, headers: { 'x-lane': 'base' }, responseHeaders: { 'x-served': 'reviews' } },
  },
  {
    name: 'fault.abort with percentage 100 answers the status itself, with response flag FI',
    cite: `${API}#HTTPFaultInjection-Abort; Envoy response flags: FI "the request was aborted with a response code specified via fault injection"`,
    yaml: reviews(`  - fault: {abort: {httpStatus: 418, percentage: {value: 100}}}
    route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { status: 418, servedBy: undefined, flag: 'FI' },
  },
  {
    name: 'weights split requests between subsets (80/20 over 100 requests, exactly: smooth weighted round-robin)',
    cite: `${API}#HTTPRouteDestination (weight); README "What the local mesh implements" (exact rather than random)`,
    yaml: reviews(`  - route:
    - {destination: {host: reviews, subset: v1}, weight: 80}
    - {destination: {host: reviews, subset: v2}, weight: 20}
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', times: 100 },
    expect: { status: 200, split: { 'base/reviews@v1': 80, 'base/reviews@v2': 20 } },
  },
  {
    name: 'a VirtualService exported only to its own namespace does not route callers elsewhere',
    cite: `${API}#VirtualService (exportTo: "." is the current namespace)`,
    yaml: `${SUBSETS}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: lane}
spec:
  hosts: [reviews.base.svc.cluster.local]
  exportTo: ['.']
  http: [{route: [{destination: {host: reviews.base.svc.cluster.local, subset: v2}}]}]
`,
    pods: ['base/reviews@v1', 'base/productpage@v1', 'lane/client@v1'],
    request: { from, host: 'reviews:7000' },
    expect: { status: 200, servedBy: 'base/reviews@v1' },
  },
  {
    name: 'at the ingress, the VirtualService bound to the Gateway that accepts the host routes',
    cite: 'https://istio.io/latest/docs/reference/config/networking/gateway/; istio.io docs/tasks/traffic-management/ingress/ingress-control',
    yaml: `${SUBSETS}---
${shop(`[{route: [{destination: {host: reviews, subset: v2}}]}]`)}`,
    pods: REVIEWS,
    request: { from: 'ingress', host: 'localhost:8080' },
    expect: { status: 200, servedBy: 'base/reviews@v2' },
  },
  {
    name: 'two mesh VirtualServices for one host are refused (which applies is undefined in Istio)',
    cite: 'design.md "Identity, propagation, lanes"; istio.io docs/ops/best-practices/traffic-management (split VirtualServices)',
    yaml: `${reviews(`  - route: [{destination: {host: reviews, subset: v1}}]
`)}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews-again, namespace: base}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: reviews, subset: v2}}]}]
`,
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { refused: /host reviews\.base\.svc\.cluster\.local already has VirtualService base\/reviews/ },
  },
  {
    name: 'a fault without percentage injects nothing',
    cite: `${API}#HTTPFaultInjection-Abort ("If left unspecified, no request will be aborted"); pilot route.go TranslateFault`,
    yaml: reviews(`  - fault: {abort: {httpStatus: 500}, delay: {fixedDelay: 5s}}
    route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { status: 200, servedBy: 'base/reviews@v1', flag: '-' },
  },
  {
    name: 'weights that do not add up to 100 split by their share of the sum (60/30: two of every three)',
    cite: 'pilot validation validateHTTPRouteDestinations (no sum rule); Envoy weighted_clusters (weight / sum of weights)',
    yaml: reviews(`  - route:
    - {destination: {host: reviews, subset: v1}, weight: 60}
    - {destination: {host: reviews, subset: v2}, weight: 30}
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', times: 90 },
    expect: { status: 200, split: { 'base/reviews@v1': 60, 'base/reviews@v2': 30 } },
  },
  {
    name: 'with several destinations, one without a weight gets no traffic',
    cite: 'pilot route.go applyHTTPRouteDestination (a weighted destination of weight 0 is skipped)',
    yaml: reviews(`  - route:
    - {destination: {host: reviews, subset: v1}}
    - {destination: {host: reviews, subset: v2}, weight: 1}
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', times: 5 },
    expect: { status: 200, split: { 'base/reviews@v2': 5 } },
  },
  {
    name: 'several destinations all of weight 0 are refused',
    cite: 'pilot validation validateHTTPRouteDestinations ("total destination weight = 0")',
    yaml: reviews(`  - route:
    - {destination: {host: reviews, subset: v1}, weight: 0}
    - {destination: {host: reviews, subset: v2}, weight: 0}
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { refused: /weights add up to 0/ },
  },
  {
    name: 'a destination written name.namespace is refused: Istio completes only bare names, so it names no Service',
    cite: 'pilot model/config.go ResolveShortnameToFQDN',
    yaml: reviews(`  - route: [{destination: {host: reviews.base}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { refused: /reviews\.base names no Service: Istio completes only a bare name/ },
  },
  {
    name: 'rewrite.uri after a match without a uri condition replaces the leading "/" (Envoy prefix "/")',
    cite: 'pilot route.go TranslateRouteMatch (no uri: prefix "/") and applyHTTPRouteDestination (prefix_rewrite)',
    yaml: reviews(`  - match: [{headers: {end-user: {exact: jason}}}]
    rewrite: {uri: /v2/}
    route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', path: '/reviews/7', headers: { 'end-user': 'jason' } },
    expect: { status: 200, servedBy: 'base/reviews@v1', path: '/v2/reviews/7' },
  },
  {
    name: 'headers.request removes before it sets: a header both removed and set reaches the destination set',
    cite: 'Envoy HeaderParser (headers_to_remove before headers_to_add); pilot route.go TranslateHeadersOperations',
    yaml: reviews(`  - headers: {request: {set: {x-lane: base}, remove: [x-lane]}}
    route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', headers: { 'x-lane': 'jason' } },
    expect: { status: 200, headers: { 'x-lane': 'base' } },
  },
  {
    name: "one destination: its headers.request.set wins over the route's",
    cite: 'pilot route.go processDestination (destination operations appended after the route\'s)',
    yaml: reviews(`  - headers: {request: {set: {x-by: route}}}
    route: [{destination: {host: reviews, subset: v1}, headers: {request: {set: {x-by: destination}}}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { status: 200, headers: { 'x-by': 'destination' } },
  },
  {
    name: 'a timeout of 0s is refused (Istio: at least 1ms)',
    cite: 'pkg/config/validation/agent ValidateDuration; CRD rule duration(self) >= duration("1ms")',
    yaml: reviews(`  - timeout: 0s
    route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { refused: /at least 1ms/ },
  },
  {
    name: 'retries without retryOn retry on the default conditions: a refused connection is retried elsewhere',
    cite: 'pilot route/retry/retry.go ConvertPolicy (retryOn defaults to connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes)',
    yaml: `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: base}
spec:
  hosts: [reviews]
  http: [{retries: {attempts: 3}, route: [{destination: {host: reviews}}]}]
`,
    pods: ['base/reviews@v1', 'base/productpage@v1'],
    deadPods: ['base/reviews@dead'],
    request: { from, host: 'reviews:7000', times: 6 },
    expect: { status: 200, servedBy: 'base/reviews@v1' },
  },
  {
    name: 'a status code in retryOn is retried (retriable_status_codes), on another endpoint',
    cite: 'pilot route/retry/retry.go parseRetryOn (numbers become retriable_status_codes); Envoy x-envoy-retry-on retriable-status-codes',
    yaml: `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: base}
spec:
  hosts: [reviews]
  http: [{retries: {attempts: 2, retryOn: '418'}, route: [{destination: {host: reviews}}]}]
`,
    pods: ['base/reviews@v1', 'base/reviews@v2=418', 'base/productpage@v1'],
    request: { from, host: 'reviews:7000', times: 6 },
    expect: { status: 200, servedBy: 'base/reviews@v1' },
  },
  {
    name: 'retryOn with a space is refused, as Istio does not trim it',
    cite: 'pilot validation supportedRetryOnPolicies (each comma-separated value as written)',
    yaml: reviews(`  - retries: {attempts: 2, retryOn: '5xx, reset'}
    route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { refused: /" reset" is not a retry condition/ },
  },
  {
    name: 'withoutHeaders: a request without the header matches',
    cite: 'pilot route.go TranslateRouteMatch (invert_match with treat_missing_header_as_empty)',
    yaml: reviews(`  - match: [{withoutHeaders: {end-user: {exact: jason}}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { status: 200, servedBy: 'base/reviews@v2' },
  },
  {
    name: 'withoutHeaders exact "": a missing header counts as empty, so it does not match',
    cite: 'pilot route.go TranslateRouteMatch (treat_missing_header_as_empty unless a presence match)',
    yaml: reviews(`  - match: [{withoutHeaders: {end-user: {exact: ''}}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { status: 200, servedBy: 'base/reviews@v1' },
  },
  {
    name: 'withoutHeaders regex "*" means "header absent"',
    cite: 'pilot route.go canBeConvertedToPresentMatch (regex "*" as present_match), inverted',
    yaml: reviews(`  - match: [{withoutHeaders: {end-user: {regex: '*'}}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', headers: { 'end-user': 'anyone' } },
    expect: { status: 200, servedBy: 'base/reviews@v1' },
  },
  {
    name: 'a pseudo-header match on :method',
    cite: 'tests/integration/pilot/common/routing.go ("pseudo header matches"); pilot validation accepts :method, :authority, :path, :scheme',
    yaml: reviews(`  - match: [{headers: {':method': {exact: POST}}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', method: 'POST' },
    expect: { status: 200, servedBy: 'base/reviews@v2' },
  },
  {
    name: 'destination.port that the Service lacks: 503 NC (no such cluster)',
    cite: 'pilot route.go GetDestinationCluster (outbound|<port>|<subset>|<host>)',
    yaml: reviews(`  - route: [{destination: {host: reviews, subset: v1, port: {number: 9080}}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { status: 503, servedBy: undefined, flag: 'NC' },
  },
  {
    name: 'a match that names gateways ignores sourceLabels (at the ingress)',
    cite: 'pilot route.go sourceMatchHTTP (with gateways, only the gateway is checked)',
    yaml: `${SUBSETS}---
${SHOP_GATEWAY}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: base}
spec:
  hosts: ["*"]
  gateways: [shop]
  http:
  - match: [{gateways: [shop], sourceLabels: {app: nobody}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]
`,
    pods: REVIEWS,
    request: { from: 'ingress', host: 'localhost:8080' },
    expect: { status: 200, servedBy: 'base/reviews@v2' },
  },
  {
    name: 'at a gateway, the VirtualService for the exact host wins over one for "*"',
    cite: 'pilot gateway.go buildGatewayHTTPRouteConfig (one virtual host per domain); Envoy picks the most specific domain',
    yaml: `${SUBSETS}---
${SHOP_GATEWAY}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: everything, namespace: base}
spec: {hosts: ["*"], gateways: [shop], http: [{route: [{destination: {host: reviews, subset: v1}}]}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: base}
spec: {hosts: [shop.example.com], gateways: [shop], http: [{route: [{destination: {host: reviews, subset: v2}}]}]}
`,
    pods: REVIEWS,
    request: { from: 'ingress', host: 'shop.example.com' },
    expect: { status: 200, servedBy: 'base/reviews@v2' },
  },
  {
    name: 'at a gateway, the routes of two VirtualServices for one host are merged, in order',
    cite: 'pilot gateway.go buildGatewayHTTPRouteConfig (virtual services for the same gateway host are merged)',
    yaml: `${SUBSETS}---
${SHOP_GATEWAY}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: base}
spec: {hosts: ["*"], gateways: [shop], http: [{match: [{uri: {prefix: /api}}], route: [{destination: {host: reviews, subset: v2}}]}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: pages, namespace: base}
spec: {hosts: ["*"], gateways: [shop], http: [{route: [{destination: {host: reviews, subset: v1}}]}]}
`,
    pods: REVIEWS,
    request: { from: 'ingress', host: 'localhost:8080', path: '/pages/1' },
    expect: { status: 200, servedBy: 'base/reviews@v1' },
  },
  {
    name: 'a route timeout ends a slower answer with 504 UT',
    cite: `${API}#HTTPRoute (timeout); Envoy router: route timeout → 504 "upstream request timeout", flag UT`,
    yaml: reviews(`  - timeout: 50ms
    route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: ['base/reviews@v1~1000'],
    request: { from, host: 'reviews:7000' },
    expect: { status: 504, servedBy: undefined, flag: 'UT' },
  },
  {
    name: "a fault delay is not counted against the route's timeout: delayed, then answered",
    cite: "Envoy: the fault filter delays before the router, which arms the route timeout when it sends upstream (router.cc decodeHeaders); flag DI",
    yaml: reviews(`  - timeout: 50ms
    fault: {delay: {fixedDelay: 100ms, percentage: {value: 100}}}
    route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { status: 200, servedBy: 'base/reviews@v1', flag: 'DI' },
  },
  {
    name: 'at a gateway, VirtualService hosts "*" and "*.com" both narrow to the server host *.example.com: merged, first wins',
    cite: 'pilot gateway.go buildGatewayHTTPRouteConfig (serverHosts.Intersection(virtualServiceHosts)); host/names.go Intersection',
    yaml: `${SUBSETS}---
${shopGateway('["*.example.com"]')}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: anything, namespace: base}
spec: {hosts: ["*"], gateways: [shop], http: [{route: [{destination: {host: reviews, subset: v1}}]}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: dot-com, namespace: base}
spec: {hosts: ["*.com"], gateways: [shop], http: [{route: [{destination: {host: reviews, subset: v2}}]}]}
`,
    pods: REVIEWS,
    request: { from: 'ingress', host: 'shop.example.com' },
    expect: { status: 200, servedBy: 'base/reviews@v1' },
  },
  {
    name: 'at a gateway, a catch-all match goes after the other VirtualService\'s routes; its sibling match keeps its place',
    cite: 'pilot route.go SortVHostRoutes, IsCatchAllRoute (per Envoy route: one per match)',
    yaml: `${SUBSETS}---
${SHOP_GATEWAY}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: first, namespace: base}
spec: {hosts: ["*"], gateways: [shop], http: [{match: [{headers: {x-beta: {exact: "1"}}}, {uri: {prefix: /}}], route: [{destination: {host: reviews, subset: v1}}]}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: second, namespace: base}
spec: {hosts: ["*"], gateways: [shop], http: [{match: [{uri: {prefix: /api}}], route: [{destination: {host: reviews, subset: v2}}]}]}
`,
    pods: REVIEWS,
    request: { from: 'ingress', host: 'localhost:8080', path: '/api/x', headers: { 'x-beta': '1' } },
    expect: { status: 200, servedBy: 'base/reviews@v1' },
  },
  {
    name: 'at a gateway, routes after a catch-all in one VirtualService are dropped, even when sorting would reach them',
    cite: 'pilot route.go BuildHTTPRoutesForVirtualService (stops at the first catch-all route)',
    yaml: `${SUBSETS}---
${SHOP_GATEWAY}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: base}
spec: {hosts: ["*"], gateways: [shop], http: [{route: [{destination: {host: reviews, subset: v1}}]}, {match: [{uri: {prefix: /api}}], route: [{destination: {host: reviews, subset: v2}}]}]}
`,
    pods: REVIEWS,
    request: { from: 'ingress', host: 'localhost:8080', path: '/api/x' },
    expect: { status: 200, servedBy: 'base/reviews@v1' },
  },
  {
    name: "two mesh VirtualServices for one host are taken when exportTo keeps them apart: each caller sees its own",
    cite: `design.md ("the runtime follows Istio wherever exportTo makes the choice well defined"); ${API}#VirtualService (exportTo)`,
    yaml: `${SUBSETS}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: base}
spec: {hosts: [reviews.base.svc.cluster.local], exportTo: ['.'], http: [{route: [{destination: {host: reviews.base.svc.cluster.local, subset: v1}}]}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: lane}
spec: {hosts: [reviews.base.svc.cluster.local], exportTo: ['.'], http: [{route: [{destination: {host: reviews.base.svc.cluster.local, subset: v2}}]}]}
`,
    pods: [...REVIEWS, 'lane/client@v1'],
    request: { from: 'lane/client@v1', host: 'reviews.base:7000' },
    expect: { status: 200, servedBy: 'base/reviews@v2' },
  },
  {
    name: 'a delegate VirtualService is refused, naming what is not supported',
    cite: `${API}#Delegate`,
    yaml: reviews(`  - delegate: {name: reviews-delegate, namespace: base}
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { refused: /delegate are not supported by the local runtime/ },
  },
  {
    name: 'a redirect is refused, naming what is not supported',
    cite: `${API}#HTTPRedirect`,
    yaml: reviews(`  - redirect: {uri: /v1/reviews}
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { refused: /redirect, directResponse and delegate are not supported/ },
  },
  {
    name: 'a field the runtime does not implement (corsPolicy) is refused, not ignored',
    cite: `design.md "Fidelity" (refuse at apply); ${API}#CorsPolicy`,
    yaml: reviews(`  - corsPolicy: {allowOrigins: [{exact: 'https://example.com'}]}
    route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { refused: /spec\.http\[0\]\.corsPolicy is not supported by the local runtime/ },
  },
  {
    name: 'an Istio kind the runtime does not implement (ServiceEntry) is refused',
    cite: 'design.md "Fidelity" (refuse at apply)',
    yaml: `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: example, namespace: base}
spec: {hosts: [example.com], ports: [{number: 80, name: http, protocol: HTTP}], resolution: DNS}
`,
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { refused: /ServiceEntry is not supported by the local runtime/ },
  },
  {
    name: 'a perTryTimeout finer than a millisecond is refused',
    cite: 'pkg/config/validation/agent ValidateDuration ("only durations to ms precision are supported")',
    yaml: reviews(`  - retries: {attempts: 1, perTryTimeout: 0.5ms}
    route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { refused: /whole milliseconds/ },
  },
  {
    name: 'ignoreUriCase does not apply to a uri regex',
    cite: 'pilot route.go TranslateRouteMatch (case_sensitive=false, which Envoy ignores for safe_regex)',
    yaml: reviews(`  - match: [{uri: {regex: '/REVIEWS/.*'}, ignoreUriCase: true}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', path: '/reviews/7' },
    expect: { status: 200, servedBy: 'base/reviews@v1' },
  },
  {
    name: 'queryParams prefix matches a parameter by its start',
    cite: 'pilot route.go translateQueryParamMatch (Envoy string_match)',
    yaml: reviews(`  - match: [{queryParams: {user: {prefix: ja}}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', path: '/r?user=jason' },
    expect: { status: 200, servedBy: 'base/reviews@v2' },
  },
  {
    name: 'method exact matches the request method',
    cite: `${API}#HTTPMatchRequest (method)`,
    yaml: reviews(`  - match: [{method: {exact: DELETE}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', method: 'DELETE' },
    expect: { status: 200, servedBy: 'base/reviews@v2' },
  },
  {
    name: 'a header regex must match the whole value',
    cite: `${API}#StringMatch (regex: RE2, full match); istio.io docs (user-agent ".*Chrome.*")`,
    yaml: reviews(`  - match: [{headers: {user-agent: {regex: '.*Chrome.*'}}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', headers: { 'user-agent': 'Mozilla/5.0 Chrome/120' } },
    expect: { status: 200, servedBy: 'base/reviews@v2' },
  },
  {
    name: "at the gateway, sourceLabels without gateways compare the gateway's own labels",
    cite: 'pilot route.go sourceMatchHTTP (the proxy\'s own labels)',
    yaml: `${SUBSETS}---
${SHOP_GATEWAY}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: base}
spec:
  hosts: ["*"]
  gateways: [shop]
  http:
  - match: [{sourceLabels: {istio: ingressgateway}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]
`,
    pods: REVIEWS,
    request: { from: 'ingress', host: 'localhost:8080' },
    expect: { status: 200, servedBy: 'base/reviews@v2' },
  },
  {
    name: 'a single destination gets every request whatever its weight',
    cite: 'pilot route.go applyHTTPRouteDestination (len(route) == 1: processDestination, weight unused)',
    yaml: reviews(`  - route: [{destination: {host: reviews, subset: v2}, weight: 0}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', times: 3 },
    expect: { status: 200, split: { 'base/reviews@v2': 3 } },
  },
  {
    name: 'an endpoint that refuses the connection, with retries off: 503 with response flag UF',
    cite: 'Envoy response flags: UF "upstream connection failure"; retries.attempts 0 is no retry policy (pilot retry.go)',
    yaml: `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: base}
spec:
  hosts: [reviews]
  http: [{retries: {attempts: 0}, route: [{destination: {host: reviews}}]}]
`,
    pods: ['base/productpage@v1'],
    deadPods: ['base/reviews@dead'],
    request: { from, host: 'reviews:7000' },
    expect: { status: 503, servedBy: undefined, flag: 'UF' },
  },
  {
    name: 'retries spent on endpoints that refuse: 503 with response flags UF,URX',
    cite: 'Envoy response flags: UF "upstream connection failure", URX "the upstream retry limit (HTTP) was reached", logged together',
    yaml: `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: base}
spec:
  hosts: [reviews]
  http: [{retries: {attempts: 2, retryOn: connect-failure}, route: [{destination: {host: reviews}}]}]
`,
    pods: ['base/productpage@v1'],
    deadPods: ['base/reviews@dead'],
    request: { from, host: 'reviews:7000' },
    expect: { status: 503, servedBy: undefined, flag: 'UF,URX' },
  },
  {
    name: 'fault.delay with percentage 100 delays the request, which then succeeds with response flag DI',
    cite: `${API}#HTTPFaultInjection-Delay; Envoy response flags: DI "the request processing was delayed for a period specified via fault injection"`,
    yaml: reviews(`  - fault: {delay: {fixedDelay: 20ms, percentage: {value: 100}}}
    route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { status: 200, servedBy: 'base/reviews@v1', flag: 'DI' },
  },
  {
    name: "a Gateway server host ns/name exposes only that namespace's VirtualServices: others get 404 NR",
    cite: 'https://istio.io/latest/docs/reference/config/networking/gateway/#Server (hosts: namespace/dnsName)',
    yaml: `${SUBSETS}---
${shopGateway('["frontend/*"]')}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: base}
spec: {hosts: ["*"], gateways: [shop], http: [{route: [{destination: {host: reviews, subset: v1}}]}]}
`,
    pods: REVIEWS,
    request: { from: 'ingress', host: 'localhost:8080' },
    expect: { status: 404, servedBy: undefined, flag: 'NR' },
  },
  {
    name: "a Gateway server host ./name exposes the Gateway's own namespace's VirtualServices",
    cite: 'https://istio.io/latest/docs/reference/config/networking/gateway/#Server (hosts: "./" is the Gateway\'s namespace)',
    yaml: `${SUBSETS}---
${shopGateway('["./*"]')}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: base}
spec: {hosts: ["*"], gateways: [shop], http: [{route: [{destination: {host: reviews, subset: v1}}]}]}
`,
    pods: REVIEWS,
    request: { from: 'ingress', host: 'localhost:8080' },
    expect: { status: 200, servedBy: 'base/reviews@v1' },
  },
  {
    name: 'a fault delay then abort: response flags DI,FI',
    cite: 'Envoy fault filter: a delayed request sets DI, an aborted one FI',
    yaml: reviews(`  - fault: {delay: {fixedDelay: 10ms, percentage: {value: 100}}, abort: {httpStatus: 503, percentage: {value: 100}}}
    route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { status: 503, servedBy: undefined, flag: 'DI,FI' },
  },
  {
    name: 'a status the retries would retry, once they are used up, is passed on with response flag URX',
    cite: 'Envoy router: a retriable response with no retry left is forwarded, flagged URX (UpstreamRetryLimitExceeded)',
    yaml: `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: base}
spec:
  hosts: [reviews]
  http: [{retries: {attempts: 1, retryOn: 5xx}, route: [{destination: {host: reviews}}]}]
`,
    pods: ['base/reviews@v1=500', 'base/productpage@v1'],
    request: { from, host: 'reviews:7000' },
    expect: { status: 500, servedBy: 'base/reviews@v1', flag: 'URX' },
  },
  {
    name: "at the ingress, a match's port is the gateway's listener port, not the Host header's",
    cite: 'pilot route.go TranslateRouteMatch (port matches the listener port)',
    yaml: `${SUBSETS}---
${SHOP_GATEWAY}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: base}
spec:
  hosts: ["*"]
  gateways: [shop]
  http:
  - match: [{port: 80}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]
`,
    pods: REVIEWS,
    request: { from: 'ingress', host: 'localhost:8080' },
    expect: { status: 200, servedBy: 'base/reviews@v2' },
  },
  {
    name: 'a header set to an empty value is skipped',
    cite: 'Envoy header_parser.cc evaluateHeaders (empty values are not added)',
    yaml: reviews(`  - headers: {request: {set: {x-lane: ''}}}
    route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', headers: { 'x-lane': 'jason' } },
    expect: { status: 200, headers: { 'x-lane': 'jason' } },
  },
  {
    name: 'setting the host header rewrites the authority',
    cite: 'pilot route.go translateAppendHeaders (host / :authority become host_rewrite_literal)',
    yaml: reviews(`  - headers: {request: {set: {host: reviews.example.com}}}
    route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { status: 200, headers: { host: 'reviews.example.com' } },
  },
  {
    name: 'a pseudo-header in header operations is refused',
    cite: 'pkg/config/validation (header operation names: pseudo-headers other than :authority refused)',
    yaml: reviews(`  - headers: {request: {set: {':path': /admin}}}
    route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { refused: /is not a header Istio lets you write/ },
  },
  {
    name: 'removing the host header is refused',
    cite: 'pkg/config/validation (host cannot be removed)',
    yaml: reviews(`  - headers: {request: {remove: [host]}}
    route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { refused: /is not a header Istio lets you remove/ },
  },
  {
    name: 'an empty rewrite.uri rewrites nothing',
    cite: 'pilot route.go applyHTTPRouteDestination (prefix_rewrite only for a non-empty uri)',
    yaml: reviews(`  - match: [{uri: {prefix: /api}}]
    rewrite: {uri: ''}
    route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', path: '/api/x' },
    expect: { status: 200, path: '/api/x' },
  },
  {
    name: 'under ignoreUriCase, rewrite.uri replaces the prefix the path matched whatever its case',
    cite: 'Envoy config_impl.cc finalizePathHeader (prefix_rewrite replaces the matched length)',
    yaml: reviews(`  - match: [{uri: {prefix: /API}, ignoreUriCase: true}]
    rewrite: {uri: /v2}
    route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', path: '/api/x' },
    expect: { status: 200, path: '/v2/x' },
  },
  {
    name: 'attempts 0 with retryOn is refused',
    cite: 'pkg/config/validation/agent ValidateHTTPRetry',
    yaml: reviews(`  - retries: {attempts: 0, retryOn: 5xx}
    route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { refused: /attempts 0 takes no perTryTimeout or retryOn/ },
  },
  {
    name: 'a retryOn number that is no HTTP status is refused',
    cite: 'pkg/config/validation/agent ValidateHTTPRetry (http.StatusText must know the code)',
    yaml: reviews(`  - retries: {attempts: 1, retryOn: '599'}
    route: [{destination: {host: reviews, subset: v1}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000' },
    expect: { refused: /"599" is not a retry condition/ },
  },
  {
    name: 'at a gateway, catch-all routes of merged VirtualServices go last',
    cite: 'pilot gateway.go SortVHostRoutes',
    yaml: `${SUBSETS}---
${SHOP_GATEWAY}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: pages, namespace: base}
spec: {hosts: ["*"], gateways: [shop], http: [{route: [{destination: {host: reviews, subset: v1}}]}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: base}
spec: {hosts: ["*"], gateways: [shop], http: [{match: [{uri: {prefix: /api}}], route: [{destination: {host: reviews, subset: v2}}]}]}
`,
    pods: REVIEWS,
    request: { from: 'ingress', host: 'localhost:8080', path: '/api/x' },
    expect: { status: 200, servedBy: 'base/reviews@v2' },
  },
  {
    name: "a VirtualService not exported to the gateway's namespace does not route there",
    cite: 'pilot push_context.go VirtualServicesForGateway (exportTo from the gateway proxy namespace)',
    yaml: `${SUBSETS}---
${SHOP_GATEWAY}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: base}
spec: {hosts: ["*"], gateways: [shop], exportTo: ['.'], http: [{route: [{destination: {host: reviews, subset: v1}}]}]}
`,
    pods: REVIEWS,
    request: { from: 'ingress', host: 'localhost:8080' },
    expect: { status: 404, servedBy: undefined, flag: 'NR' },
  },
  {
    name: "a VirtualService none of whose routes fit the caller's labels is not used for it: the Service's default route",
    cite: 'pilot route.go buildSidecarVirtualHostsForVirtualService (matches that cannot fit the proxy are dropped; no routes left, no virtual host)',
    yaml: reviews(`  - match: [{sourceLabels: {app: ratings}}]
    route: [{destination: {host: reviews, subset: v2}}]
`),
    pods: REVIEWS,
    request: { from, host: 'reviews:7000', times: 30 },
    expect: { status: 200, spreadOver: ['base/reviews@v1', 'base/reviews@v2'] },
  },
];
