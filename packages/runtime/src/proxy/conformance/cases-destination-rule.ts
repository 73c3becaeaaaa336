import type { ConformanceCase } from './harness.js';
import { SHOP_GATEWAY } from './objects.js';

const API = 'https://istio.io/latest/docs/reference/config/networking/destination-rule/';
const REVIEWS = ['base/reviews@v1', 'base/reviews@v2', 'base/productpage@v1', 'lane/productpage@v1'];
const toSubset = (subset: string) => `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: base}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: reviews, subset: ${subset}}}]}]
`;

export const DESTINATION_RULE_CASES: ConformanceCase[] = [
  {
    name: "a subset is the Service's endpoints with the subset's labels",
    cite: `${API}#Subset`,
    yaml: `${toSubset('new')}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: base}
spec: {host: reviews, subsets: [{name: new, labels: {version: v2}}]}
`,
    pods: REVIEWS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000', times: 3 },
    expect: { status: 200, split: { 'base/reviews@v2': 3 } },
  },
  {
    name: "the client namespace's DestinationRule is found before the Service namespace's",
    cite: `${API} ("the client namespace, then the service namespace, then the root namespace"); pilot push_context.go destinationRule`,
    yaml: `${toSubset('new')}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: base}
spec: {host: reviews.base.svc.cluster.local, subsets: [{name: new, labels: {version: v2}}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: lane}
spec: {host: reviews.base.svc.cluster.local, subsets: [{name: new, labels: {version: v1}}]}
`,
    pods: REVIEWS,
    request: { from: 'lane/productpage@v1', host: 'reviews.base:7000' },
    expect: { status: 200, servedBy: 'base/reviews@v1' },
  },
  {
    name: 'a subset no DestinationRule defines: 503 with response flag NC',
    cite: 'Envoy response flags: NC "upstream cluster not found"',
    yaml: toSubset('missing'),
    pods: REVIEWS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { status: 503, servedBy: undefined, flag: 'NC' },
  },
  {
    name: "a DestinationRule in a third namespace is never used, whatever it exports (so the subset is unknown: 503 NC)",
    cite: 'pilot push_context.go destinationRule: client namespace, service namespace, root namespace only',
    yaml: `${toSubset('new')}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: elsewhere}
spec: {host: reviews.base.svc.cluster.local, subsets: [{name: new, labels: {version: v2}}]}
`,
    pods: REVIEWS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { status: 503, servedBy: undefined, flag: 'NC' },
  },
  {
    name: 'within a namespace, the DestinationRule for the exact host wins over a wildcard one',
    cite: 'pilot model/config.go MostSpecificHostMatch, used by push_context.go destinationRule',
    yaml: `${toSubset('new')}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: everything, namespace: base}
spec: {host: '*.base.svc.cluster.local', subsets: [{name: new, labels: {version: v1}}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: base}
spec: {host: reviews, subsets: [{name: new, labels: {version: v2}}]}
`,
    pods: REVIEWS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { status: 200, servedBy: 'base/reviews@v2' },
  },
  {
    name: 'two DestinationRules for one host in one namespace are merged: subsets of both are defined',
    cite: 'pilot model/destination_rule.go mergeDestinationRule (subsets concatenated, the first of a name wins)',
    yaml: `${toSubset('second')}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews-a, namespace: base}
spec: {host: reviews, subsets: [{name: first, labels: {version: v1}}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews-b, namespace: base}
spec: {host: reviews, subsets: [{name: second, labels: {version: v2}}, {name: first, labels: {version: v2}}]}
`,
    pods: REVIEWS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { status: 200, servedBy: 'base/reviews@v2' },
  },
  {
    name: 'outlier detection ejects the only endpoint after a 5xx; with no panic threshold the next request gets 503 UH',
    cite: 'pilot cluster_traffic_policy.go applyOutlierDetection (healthy_panic_threshold = minHealthPercent, default 0); Envoy: UH "no healthy upstream"',
    yaml: `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: base}
spec: {host: reviews, trafficPolicy: {outlierDetection: {consecutive5xxErrors: 1, baseEjectionTime: 30s, maxEjectionPercent: 100}}}
`,
    pods: ['base/reviews@v1=500', 'base/productpage@v1'],
    request: { from: 'base/productpage@v1', host: 'reviews:7000', times: 2 },
    expect: { status: 0, sequence: [{ status: 500, flag: '-' }, { status: 503, flag: 'UH' }] },
  },
  {
    name: "a DestinationRule exported only to its own namespace is not seen by callers elsewhere",
    cite: `${API}#DestinationRule (exportTo); pilot push_context.go getExportedDestinationRuleFromNamespace`,
    yaml: `${toSubset('new')}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: base}
spec: {host: reviews, exportTo: ['.'], subsets: [{name: new, labels: {version: v2}}]}
`,
    pods: REVIEWS,
    request: { from: 'lane/productpage@v1', host: 'reviews.base:7000' },
    expect: { status: 503, servedBy: undefined, flag: 'NC' },
  },
  {
    name: 'the root namespace\'s DestinationRule applies when neither the client\'s nor the Service\'s namespace has one',
    cite: 'pilot push_context.go destinationRule (root namespace last)',
    yaml: `${toSubset('new')}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: istio-system}
spec: {host: reviews.base.svc.cluster.local, subsets: [{name: new, labels: {version: v1}}]}
`,
    pods: REVIEWS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { status: 200, servedBy: 'base/reviews@v1' },
  },
  {
    name: 'a DestinationRule host written name.namespace is refused (Istio does not complete it)',
    cite: 'pilot model/config.go ResolveShortnameToFQDN',
    yaml: `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: base}
spec: {host: reviews.base}
`,
    pods: REVIEWS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { refused: /reviews\.base names no Service: Istio completes only a bare name/ },
  },
  {
    name: 'portLevelSettings, which the runtime does not implement, is refused',
    cite: `${API}#TrafficPolicy-PortTrafficPolicy; design.md "Fidelity"`,
    yaml: `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: base}
spec: {host: reviews, trafficPolicy: {portLevelSettings: [{port: {number: 7000}, loadBalancer: {simple: RANDOM}}]}}
`,
    pods: REVIEWS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { refused: /portLevelSettings is not supported by the local runtime/ },
  },
  {
    name: "at the ingress, the Service namespace's DestinationRule comes before the root's exported ones",
    cite: 'pilot push_context.go destinationRule (client in the root namespace: root-private, then service namespace, then root-exported)',
    yaml: `
${SHOP_GATEWAY}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: base}
spec: {hosts: ["*"], gateways: [shop], http: [{route: [{destination: {host: reviews, subset: new}}]}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: mesh-wide, namespace: istio-system}
spec: {host: '*.local', subsets: [{name: new, labels: {version: v1}}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: base}
spec: {host: reviews, subsets: [{name: new, labels: {version: v2}}]}
`,
    pods: REVIEWS,
    request: { from: 'ingress', host: 'localhost:8080' },
    expect: { status: 200, servedBy: 'base/reviews@v2' },
  },
  {
    name: 'two DestinationRules for one host created together are merged in name order: the first name defines a shared subset',
    cite: 'pilot model sortConfigByCreationTime (creation second, then name.namespace); destination_rule.go mergeDestinationRule',
    yaml: `${toSubset('shared')}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews-b, namespace: base}
spec: {host: reviews, subsets: [{name: shared, labels: {version: v1}}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews-a, namespace: base}
spec: {host: reviews, subsets: [{name: shared, labels: {version: v2}}]}
`,
    pods: REVIEWS,
    request: { from: 'base/productpage@v1', host: 'reviews:7000' },
    expect: { status: 200, servedBy: 'base/reviews@v2' },
  },
];
