import { describe, expect, it } from 'vitest';
import { SERVICES_DIR } from '../lib/paths.js';
import { checkSemantics, subjectOf, type LintedObject } from './semantic.js';

const inFile =
  (file: string) =>
  (kind: string, namespace: string | undefined, name: string, rest: Record<string, unknown> = {}, apiVersion = API[kind] ?? 'v1'): LintedObject => ({
    file,
    object: { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}), ...((rest.metadata as object) ?? {}) }, ...Object.fromEntries(Object.entries(rest).filter(([k]) => k !== 'metadata')) },
  });
const API: Record<string, string> = {
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  VirtualService: 'networking.istio.io/v1',
  DestinationRule: 'networking.istio.io/v1',
  Gateway: 'networking.istio.io/v1',
  AuthorizationPolicy: 'security.istio.io/v1',
};
const base = inFile('base.yaml');
const lane = inFile('lane.yaml');
const canary = inFile('canary.yaml');

const workload = (kind: 'Deployment' | 'StatefulSet', labels: Record<string, string>, images: string[], selector = labels) => ({
  spec: { selector: { matchLabels: selector }, template: { metadata: { labels }, spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) } } },
});
const destination = (host: unknown, fields: Record<string, unknown> = {}) => ({ destination: { host, ...fields } });

describe('checkSemantics: the checks across objects', () => {
  it('finds nothing wrong in objects that refer to each other correctly', () => {
    const objects = [
      base('Namespace', undefined, 'base', { metadata: { labels: { 'istio-injection': 'enabled' } } }),
      base('Namespace', undefined, 'rev', { metadata: { labels: { 'istio.io/rev': 'canary' } } }),
      base('Service', 'base', 'users', { spec: { selector: { app: 'users' }, ports: [{ name: 'http', port: 7000 }, { name: 'web', appProtocol: 'http', port: 80 }] } }),
      base('Deployment', 'base', 'users-v1', workload('Deployment', { app: 'users', version: 'v1' }, ['registry.example/mesh-mall/users:v1', `mongo@sha256:${'a'.repeat(64)}`], { app: 'users' })),
      base('Deployment', 'rev', 'users-v1', workload('Deployment', { app: 'users', version: 'v1' }, ['mesh-mall/users:v1'])),
      base('DestinationRule', 'base', 'users', { spec: { host: 'users', subsets: [{ name: 'v1', labels: { version: 'v1' } }] } }),
      base('VirtualService', 'base', 'users', { spec: { hosts: ['users'], exportTo: ['.'], http: [{ route: [destination('users', { subset: 'v1', port: { number: 7000 } })] }] } }),
      // Another version of the same VirtualService, in another file: an alternative, not a second owner of the host.
      canary('VirtualService', 'base', 'users', { spec: { hosts: ['users.base.svc.cluster.local'], http: [{ route: [destination('users.base.svc.cluster.local')] }] } }),
      // exportTo keeps the callers apart: base sees base's, lane sees lane's.
      lane('VirtualService', 'lane', 'users', { spec: { hosts: ['users.base.svc.cluster.local'], exportTo: ['.'], http: [{ route: [destination('users.base.svc.cluster.local')] }] } }),
      base('AuthorizationPolicy', 'base', 'users', { spec: { selector: { matchLabels: { app: 'users' } } } }),
      base('AuthorizationPolicy', 'istio-system', 'mesh-wide', { spec: { selector: { matchLabels: { app: 'anything' } } } }),
    ];
    expect(checkSemantics(objects, SERVICES_DIR)).toEqual([]);
  });

  it('names each broken reference, unrouted label, unselected Service, unpinned image and uninjected namespace', () => {
    const objects = [
      base('Namespace', undefined, 'base', { metadata: { labels: { 'istio-injection': 'enabled' } } }),
      base('Namespace', undefined, 'lane'),
      base('Namespace', undefined, 'off', { metadata: { labels: { 'istio-injection': 'disabled' } } }),
      base('Namespace', undefined, 'quiet'),
      base('Service', 'base', 'users', { spec: { selector: { app: 'users' }, ports: [{ name: 'http', port: 7000 }, { name: 'metrics', port: 9090 }] } }),
      base('Service', 'base', 'ghost', { spec: { selector: { app: 'ghost' }, ports: [{ name: 'http-web', port: 80 }] } }),
      base('Deployment', 'base', 'users-v1', workload('Deployment', { app: 'users', version: 'v1' }, ['mesh-mall/users:v1'])),
      base('Deployment', 'lane', 'lonely', workload('Deployment', { app: 'x' }, ['mesh-mall/nope:v1'], { app: 'y' })),
      base('Deployment', 'off', 'mall-v1', workload('Deployment', { app: 'mall', version: 'v1' }, ['mesh-mall/mall:v1'])),
      base('StatefulSet', 'quiet', 'db', workload('StatefulSet', { version: '7' }, ['mongo', 'mongo:latest', 'mongo:7.0'])),
      base('DestinationRule', 'base', 'users', { spec: { host: 'users', subsets: [{ name: 'v1', labels: { version: 'v1' } }] } }),
      base('DestinationRule', 'base', 'nothing', { spec: { host: 'nothing' } }),
      base('Gateway', 'base', 'mall-gateway', { spec: {} }),
      base('VirtualService', 'base', 'users', {
        spec: {
          hosts: ['users'],
          gateways: ['mesh', 'mall-gateway', 'istio-system/other'],
          http: [
            { route: [destination('users', { subset: 'v1', port: { number: 7000 } }), destination('users', { port: { number: 8080 } }), destination('users', { subset: 'v9' }), destination(undefined)] },
            { route: [destination('missing')], mirror: { host: 'users', subset: 'v2' } },
          ],
        },
      }),
      lane('VirtualService', 'lane', 'users', { spec: { hosts: ['recommend', 'users.base.svc.cluster.local'], http: [{ route: [destination('users.base.svc.cluster.local')] }] } }),
      base('AuthorizationPolicy', 'base', 'nobody', { spec: { selector: { matchLabels: { app: 'nobody' } } } }),
    ];
    expect(checkSemantics(objects, SERVICES_DIR)).toEqual([
      { file: 'base.yaml', subject: 'VirtualService base/users', path: 'spec.gateways[2]', message: 'no Gateway istio-system/other in the linted files' },
      { file: 'base.yaml', subject: 'VirtualService base/users', path: 'spec.http[0].route[1].destination.port.number', message: 'Service users.base.svc.cluster.local has no port 8080' },
      { file: 'base.yaml', subject: 'VirtualService base/users', path: 'spec.http[0].route[2].destination.subset', message: 'no DestinationRule defines subset v9 for users.base.svc.cluster.local' },
      { file: 'base.yaml', subject: 'VirtualService base/users', path: 'spec.http[1].route[0].destination.host', message: 'missing.base.svc.cluster.local is not a Service in the linted files' },
      { file: 'base.yaml', subject: 'VirtualService base/users', path: 'spec.http[1].mirror.subset', message: 'no DestinationRule defines subset v2 for users.base.svc.cluster.local' },
      {
        file: 'lane.yaml',
        subject: 'VirtualService lane/users',
        path: 'spec.hosts[1]',
        message: 'users.base.svc.cluster.local is also routed by VirtualService base/users (base.yaml); Istio needs one VirtualService per host',
      },
      { file: 'base.yaml', subject: 'DestinationRule base/nothing', path: 'spec.host', message: 'nothing.base.svc.cluster.local is not a Service in the linted files' },
      { file: 'base.yaml', subject: 'Deployment lane/lonely', path: 'spec.template.metadata.labels.version', message: 'pods need the label version (Istio routing and telemetry use it)' },
      { file: 'base.yaml', subject: 'Deployment lane/lonely', path: 'spec.selector.matchLabels', message: 'does not match the pod template labels (the API server refuses it)' },
      { file: 'base.yaml', subject: 'Deployment lane/lonely', path: 'spec.template.spec.containers[0].image', message: 'mesh-mall/nope:v1 names no package in services/' },
      { file: 'base.yaml', subject: 'StatefulSet quiet/db', path: 'spec.template.metadata.labels.app', message: 'pods need the label app (Istio routing and telemetry use it)' },
      { file: 'base.yaml', subject: 'StatefulSet quiet/db', path: 'spec.template.spec.containers[0].image', message: 'mongo is not pinned to a version' },
      { file: 'base.yaml', subject: 'StatefulSet quiet/db', path: 'spec.template.spec.containers[1].image', message: 'mongo:latest is not pinned to a version' },
      {
        file: 'base.yaml',
        subject: 'Service base/users',
        path: 'spec.ports[1].name',
        message: 'name the port by protocol (http, grpc, tcp, mongo… or http-<suffix>) so Istio can route it',
        severity: 'warning',
      },
      { file: 'base.yaml', subject: 'Service base/ghost', path: 'spec.selector', message: 'selects no Deployment or StatefulSet in namespace base' },
      { file: 'base.yaml', subject: 'Namespace lane', path: 'metadata.labels', message: 'namespaces of the mall need istio-injection: enabled (no sidecar, no routing)', severity: 'warning' },
      { file: 'base.yaml', subject: 'Namespace off', path: 'metadata.labels', message: 'namespaces of the mall need istio-injection: enabled (no sidecar, no routing)', severity: 'warning' },
      { file: 'base.yaml', subject: 'AuthorizationPolicy base/nobody', path: 'spec.selector.matchLabels', message: 'selects no workload in namespace base' },
    ]);
  });

  it("checks Gateway API references: parents and backends exist, another namespace's backend only with a ReferenceGrant there", () => {
    const gatewayApi = (kind: string, namespace: string, name: string, spec: object) =>
      lane(kind, namespace, name, { spec }, kind === 'ReferenceGrant' ? 'gateway.networking.k8s.io/v1beta1' : 'gateway.networking.k8s.io/v1');
    const objects = [
      base('Service', 'base', 'users', { spec: { ports: [{ name: 'http', port: 7000 }] } }),
      base('Service', 'base', 'ghost', { spec: { ports: [{ name: 'http', port: 7000 }] } }),
      base('Service', 'lane', 'local', { spec: { ports: [{ name: 'http', port: 7000 }] } }),
      gatewayApi('Gateway', 'base', 'gw', {}),
      // An Istio Gateway of that name is not a Gateway API parent.
      base('Gateway', 'lane', 'istio-gw', { spec: {} }),
      gatewayApi('ReferenceGrant', 'base', 'lane-to-users', { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'lane' }], to: [{ group: '', kind: 'Service', name: 'users' }] }),
      gatewayApi('HTTPRoute', 'lane', 'r', {
        parentRefs: [{ name: 'gw', namespace: 'base' }, { name: 'istio-gw' }, { kind: 'Service', name: 'users', namespace: 'base' }, { kind: 'Service', name: 'nosvc' }],
        rules: [{ backendRefs: [{ name: 'users', namespace: 'base' }, { name: 'gone', namespace: 'base' }, { name: 'local' }] }, { backendRefs: [{ name: 'ghost', namespace: 'base' }] }],
      }),
    ];
    expect(checkSemantics(objects, SERVICES_DIR)).toEqual([
      { file: 'lane.yaml', subject: 'HTTPRoute lane/r', path: 'spec.parentRefs[1]', message: 'no Gateway lane/istio-gw in the linted files' },
      { file: 'lane.yaml', subject: 'HTTPRoute lane/r', path: 'spec.parentRefs[3]', message: 'no Service lane/nosvc in the linted files' },
      { file: 'lane.yaml', subject: 'HTTPRoute lane/r', path: 'spec.rules[0].backendRefs[1]', message: 'no Service base/gone in the linted files' },
      {
        file: 'lane.yaml',
        subject: 'HTTPRoute lane/r',
        path: 'spec.rules[1].backendRefs[0]',
        message: 'Service base/ghost is in another namespace and no ReferenceGrant there allows HTTPRoutes from lane',
      },
    ]);
    // A grant to every Service of its namespace (no name) lets ghost in too.
    const everyService = gatewayApi('ReferenceGrant', 'base', 'lane-to-all', { from: [{ kind: 'HTTPRoute', namespace: 'lane' }], to: [{ kind: 'Service' }] });
    expect(checkSemantics([...objects, everyService], SERVICES_DIR).map((f) => f.path)).toEqual(['spec.parentRefs[1]', 'spec.parentRefs[3]', 'spec.rules[0].backendRefs[1]']);
  });

  it('names a subject by kind, namespace (default when none) and name; a Namespace by its name alone', () => {
    expect(subjectOf({ kind: 'Service', metadata: { name: 'users' } })).toBe('Service default/users');
    expect(subjectOf({ kind: 'Namespace', metadata: { name: 'base' } })).toBe('Namespace base');
  });
});
