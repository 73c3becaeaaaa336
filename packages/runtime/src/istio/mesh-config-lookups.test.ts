import { describe, expect, it } from 'vitest';
import type { IstioManifests } from '../api/manifests.js';
import { effectivePolicy, MeshConfig, type DestinationRule, type Gateway, type PeerAuthentication, type VirtualService } from './mesh-config.js';
import { meshConfig } from './test-fixtures.js';

/** Istio objects written as the runtime holds them, for the lookups that translation makes. */
const virtualService = (namespace: string, name: string, hosts: string[], more: Partial<VirtualService['spec']> = {}): VirtualService =>
  ({ namespace, name, spec: { hosts, http: [{ route: [{ destination: { host: hosts[0]! } }] }], ...more } }) as VirtualService;
const destinationRule = (namespace: string, name: string, host: string, more: Partial<DestinationRule['spec']> = {}): DestinationRule =>
  ({ namespace, name, spec: { host, subsets: [], ...more } }) as DestinationRule;
const gateway = (namespace: string, name: string, hosts: string[], port = 80, selector: Record<string, string> = { istio: 'ingressgateway' }): Gateway =>
  ({ namespace, name, spec: { selector, servers: [{ port: { number: port, name: 'http', protocol: 'HTTP' }, hosts }] } }) as Gateway;
const peerAuthentication = (namespace: string, name: string, mode: string | undefined, matchLabels?: Record<string, string>): PeerAuthentication =>
  ({ namespace, name, spec: { ...(matchLabels ? { selector: { matchLabels } } : {}), ...(mode ? { mtls: { mode } } : {}) } }) as PeerAuthentication;

const USERS = 'users.base.svc.cluster.local';

describe('the VirtualService of a mesh host', () => {
  it('is the exact one before any wildcard, the longest wildcard before a shorter one', () => {
    const config = new MeshConfig([
      virtualService('base', 'any', ['*']),
      virtualService('base', 'svc', ['*.svc.cluster.local']),
      virtualService('base', 'in-base', ['*.base.svc.cluster.local']),
      virtualService('base', 'users', ['users']),
    ]);
    expect(config.meshVirtualService(USERS, 'base')?.name).toBe('users');
    expect(config.meshVirtualService('scores.base.svc.cluster.local', 'base')?.name).toBe('in-base');
    expect(config.meshVirtualService('scores.fox.svc.cluster.local', 'base')?.name).toBe('svc');
    expect(config.meshVirtualService('example.com', 'base')?.name).toBe('any');
  });

  it('is one exported to the caller: another exported elsewhere is passed over', () => {
    const config = new MeshConfig([
      virtualService('jason', 'jason-only', [USERS], { exportTo: ['.'] }),
      virtualService('base', 'everyone', [USERS], { exportTo: ['*'] }),
      virtualService('fox', 'fox-wild', ['*.base.svc.cluster.local'], { exportTo: ['fox'] }),
    ]);
    expect(config.meshVirtualService(USERS, 'jason')?.name).toBe('jason-only');
    expect(config.meshVirtualService(USERS, 'fox')?.name).toBe('everyone');
    expect(config.meshVirtualService('scores.base.svc.cluster.local', 'fox')?.name).toBe('fox-wild');
    expect(config.meshVirtualService('scores.base.svc.cluster.local', 'base')).toBeUndefined();
  });

  it('is the exact one even when a wildcard as long as the host comes first', () => {
    // Envoy takes an exact virtual host domain before any wildcard, whatever their lengths (the wildcard's `*` here
    // stands for the one-letter label `a`, so both names have the same length).
    const config = new MeshConfig([virtualService('base', 'wild', ['*.base.svc.cluster.local']), virtualService('base', 'exact', ['a'])]);
    expect(config.meshVirtualService('a.base.svc.cluster.local', 'base')?.name).toBe('exact');
    expect(config.meshVirtualService('b.base.svc.cluster.local', 'base')?.name).toBe('wild');
  });

  it('is never one bound only to gateways', () => {
    const config = new MeshConfig([virtualService('base', 'edge', ['users', '*.base.svc.cluster.local'], { gateways: ['mall-gateway'] })]);
    expect(config.meshVirtualService(USERS, 'base')).toBeUndefined();
    expect(config.meshVirtualService('scores.base.svc.cluster.local', 'base')).toBeUndefined();
  });
});

describe('the order of objects', () => {
  const manifest = (name: string, namespace: string) =>
    ({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name, namespace }, spec: { host: name, subsets: [] } }) as unknown as IstioManifests;

  it('is by creation second, then by name.namespace', () => {
    const manifests = [manifest('b', 'x'), manifest('a', 'y'), manifest('a', 'x'), manifest('z', 'old')];
    const created = (m: IstioManifests) => (m.metadata.name === 'z' ? 1 : 2);
    expect(MeshConfig.fromManifests(manifests, created).destinationRules.map((d) => `${d.name}.${d.namespace}`)).toEqual(['z.old', 'a.x', 'a.y', 'b.x']);
    expect(MeshConfig.fromManifests(manifests).destinationRules.map((d) => `${d.name}.${d.namespace}`)).toEqual(['a.x', 'a.y', 'b.x', 'z.old']);
    expect(MeshConfig.fromManifests([manifest('a', 'y'), manifest('a', 'y')]).destinationRules).toHaveLength(2);
  });
});

describe('the DestinationRule for a Service', () => {
  it('is the client namespace’s, else the Service’s, else the root namespace’s, never another namespace’s', () => {
    const rules = [destinationRule('istio-system', 'root', USERS), destinationRule('base', 'own', 'users'), destinationRule('jason', 'client', USERS), destinationRule('fox', 'other', USERS)];
    const config = new MeshConfig([], rules);
    expect(config.destinationRule(USERS, 'jason', 'base')?.name).toBe('client');
    expect(config.destinationRule(USERS, 'mall', 'base')?.name).toBe('own');
    expect(new MeshConfig([], [rules[0]!, rules[3]!]).destinationRule(USERS, 'mall', 'base')?.name).toBe('root');
    expect(new MeshConfig([], [rules[3]!]).destinationRule(USERS, 'mall', 'base')).toBeUndefined();
  });

  it('is one visible to the client', () => {
    const config = new MeshConfig([], [destinationRule('base', 'private', 'users', { exportTo: ['.'] }), destinationRule('istio-system', 'root', USERS)]);
    expect(config.destinationRule(USERS, 'base', 'base')?.name).toBe('private');
    expect(config.destinationRule(USERS, 'jason', 'base')?.name).toBe('root');
  });

  it('for the ingress (root namespace): the root’s private rules first, then the Service’s, then the root’s exported ones', () => {
    const privateRoot = destinationRule('istio-system', 'private', USERS, { exportTo: ['.'] });
    const privateByName = destinationRule('istio-system', 'private-named', USERS, { exportTo: ['istio-system'] });
    const own = destinationRule('base', 'own', 'users');
    const exported = destinationRule('istio-system', 'exported', USERS);
    expect(new MeshConfig([], [exported, own, privateRoot]).destinationRule(USERS, 'istio-system', 'base')?.name).toBe('private');
    expect(new MeshConfig([], [exported, own, privateByName]).destinationRule(USERS, 'istio-system', 'base')?.name).toBe('private-named');
    expect(new MeshConfig([], [exported, own]).destinationRule(USERS, 'istio-system', 'base')?.name).toBe('own');
    expect(new MeshConfig([], [exported]).destinationRule(USERS, 'istio-system', 'base')?.name).toBe('exported');
    const mixed = destinationRule('istio-system', 'mixed', USERS, { exportTo: ['.', 'jason'] });
    expect(new MeshConfig([], [own, mixed]).destinationRule(USERS, 'istio-system', 'base')?.name).toBe('own');
  });

  it('for the ingress: never another namespace’s, even one exported to the root namespace or to everyone', () => {
    const toIngress = destinationRule('fox', 'to-ingress', USERS, { exportTo: ['istio-system'] });
    const everywhere = destinationRule('fox', 'everywhere', USERS);
    expect(new MeshConfig([], [toIngress, destinationRule('base', 'own', 'users')]).destinationRule(USERS, 'istio-system', 'base')?.name).toBe('own');
    expect(new MeshConfig([], [toIngress, everywhere]).destinationRule(USERS, 'istio-system', 'base')).toBeUndefined();
    expect(new MeshConfig([], [everywhere, destinationRule('istio-system', 'exported', USERS)]).destinationRule(USERS, 'istio-system', 'base')?.name).toBe('exported');
  });

  it('is the most specific host in that namespace: exact, then the longest wildcard', () => {
    const wide = destinationRule('base', 'wide', '*.svc.cluster.local');
    const narrow = destinationRule('base', 'narrow', '*.base.svc.cluster.local');
    const exact = destinationRule('base', 'exact', 'users');
    expect(new MeshConfig([], [wide, narrow, exact]).destinationRule(USERS, 'base', 'base')?.name).toBe('exact');
    expect(new MeshConfig([], [wide, narrow]).destinationRule(USERS, 'base', 'base')?.name).toBe('narrow');
    expect(new MeshConfig([], [narrow, wide]).destinationRule(USERS, 'base', 'base')?.name).toBe('narrow');
    expect(new MeshConfig([], [wide]).destinationRule(USERS, 'base', 'base')?.name).toBe('wide');
    expect(new MeshConfig([], [narrow]).destinationRule('users.fox.svc.cluster.local', 'base', 'fox')).toBeUndefined();
    // An exact host beats a wildcard of the same length (`*` for the one-letter label `a`): the rules are not merged.
    const a = destinationRule('base', 'a', 'a', { trafficPolicy: { loadBalancer: { simple: 'RANDOM' } } });
    expect(new MeshConfig([], [narrow, a]).destinationRule('a.base.svc.cluster.local', 'base', 'base')).toBe(a);
  });

  it('merges several for one host, in order: subsets added (the first of a name kept), the first traffic policy', () => {
    const first = destinationRule('base', 'first', 'users', { subsets: [{ name: 'v1', labels: { version: 'v1' } }] });
    const second = destinationRule('base', 'second', 'users', {
      trafficPolicy: { loadBalancer: { simple: 'RANDOM' } },
      subsets: [
        { name: 'v1', labels: { version: 'other' } },
        { name: 'v2', labels: { version: 'v2' } },
      ],
    });
    const third = destinationRule('base', 'third', 'users', { trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } } });
    const merged = new MeshConfig([], [first, second, third]).destinationRule(USERS, 'base', 'base')!;
    expect(merged).toEqual({
      namespace: 'base',
      name: 'first',
      spec: {
        host: 'users',
        subsets: [
          { name: 'v1', labels: { version: 'v1' } },
          { name: 'v2', labels: { version: 'v2' } },
        ],
        trafficPolicy: { loadBalancer: { simple: 'RANDOM' } },
      },
    });
    expect(new MeshConfig([], [first, first]).destinationRule(USERS, 'base', 'base')!.spec).not.toHaveProperty('trafficPolicy');
    expect(new MeshConfig([], [first]).destinationRule(USERS, 'base', 'base')).toBe(first);
  });
});

describe('a subset’s traffic policy', () => {
  it('replaces the rule’s block by block', () => {
    const rule = destinationRule('base', 'users', 'users', {
      trafficPolicy: { loadBalancer: { simple: 'RANDOM' }, outlierDetection: { consecutive5xxErrors: 3 } },
      subsets: [{ name: 'v2', labels: {}, trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } } }, { name: 'v1', labels: {} }],
    });
    expect(effectivePolicy(rule, 'v2')).toEqual({ loadBalancer: { simple: 'ROUND_ROBIN' }, outlierDetection: { consecutive5xxErrors: 3 } });
    expect(effectivePolicy(rule, 'v1')).toEqual({ loadBalancer: { simple: 'RANDOM' }, outlierDetection: { consecutive5xxErrors: 3 } });
    expect(effectivePolicy(rule, undefined)).toEqual({ loadBalancer: { simple: 'RANDOM' }, outlierDetection: { consecutive5xxErrors: 3 } });
    expect(effectivePolicy(undefined, 'v1')).toEqual({});
  });
});

describe('the mTLS mode of a pod', () => {
  const users = { namespace: 'base', labels: { app: 'users' } };

  it('is PERMISSIVE without PeerAuthentication', () => {
    expect(new MeshConfig().mtlsMode(users)).toBe('PERMISSIVE');
  });

  it('is the policy selecting the pod, else its namespace’s, else the root namespace’s', () => {
    const selecting = peerAuthentication('base', 'users', 'DISABLE', { app: 'users' });
    const namespaceWide = peerAuthentication('base', 'all', 'STRICT');
    const root = peerAuthentication('istio-system', 'mesh', 'DISABLE');
    const config = (...policies: PeerAuthentication[]) => new MeshConfig([], [], [], [], policies);
    expect(config(root, namespaceWide, selecting).mtlsMode(users)).toBe('DISABLE');
    expect(config(root, namespaceWide).mtlsMode(users)).toBe('STRICT');
    expect(config(root).mtlsMode(users)).toBe('DISABLE');
    expect(config(namespaceWide, selecting).mtlsMode({ namespace: 'base', labels: { app: 'scores' } })).toBe('STRICT');
    expect(config(peerAuthentication('fox', 'all', 'DISABLE'), peerAuthentication('fox', 'root-like', 'DISABLE')).mtlsMode(users)).toBe('PERMISSIVE');
    // Only a namespace-wide policy of the root namespace counts mesh-wide.
    expect(config(peerAuthentication('istio-system', 'selecting', 'DISABLE', { app: 'users' })).mtlsMode(users)).toBe('PERMISSIVE');
  });

  it('inherits from the next level when a policy says UNSET or nothing; a selector without labels is namespace-wide', () => {
    const config = (...policies: PeerAuthentication[]) => new MeshConfig([], [], [], [], policies);
    expect(config(peerAuthentication('base', 'users', 'UNSET', { app: 'users' }), peerAuthentication('base', 'all', 'STRICT')).mtlsMode(users)).toBe('STRICT');
    expect(config(peerAuthentication('base', 'users', undefined, { app: 'users' }), peerAuthentication('istio-system', 'mesh', 'DISABLE')).mtlsMode(users)).toBe('DISABLE');
    expect(config(peerAuthentication('base', 'empty-selector', 'DISABLE', {})).mtlsMode(users)).toBe('DISABLE');
  });

  it('takes the oldest of several at one level', () => {
    const config = new MeshConfig([], [], [], [], [peerAuthentication('base', 'older', 'STRICT'), peerAuthentication('base', 'newer', 'DISABLE')]);
    expect(config.mtlsMode(users)).toBe('STRICT');
  });
});

describe('AuthorizationPolicies for a pod', () => {
  it('are those of its namespace selecting it (or selecting nothing) and the root namespace’s', () => {
    const policy = (namespace: string, name: string, matchLabels?: Record<string, string>) => ({ namespace, name, spec: { action: 'ALLOW', ...(matchLabels ? { selector: { matchLabels } } : {}) } }) as never;
    const config = new MeshConfig([], [], [], [policy('base', 'all'), policy('base', 'users', { app: 'users' }), policy('base', 'scores', { app: 'scores' }), policy('istio-system', 'mesh'), policy('fox', 'elsewhere')]);
    expect(config.policiesFor({ namespace: 'base', labels: { app: 'users' } }).map((p) => p.name)).toEqual(['all', 'users', 'mesh']);
  });
});

describe('the virtual hosts of an ingress listener', () => {
  const ingress = { istio: 'ingressgateway' };

  it('take, per server host, the VirtualServices of the namespace it names: ns/, ./ (the Gateway’s own), */', () => {
    const config = new MeshConfig(
      [
        virtualService('base', 'shop', ['shop.example.com'], { gateways: ['edge/mall'] }),
        virtualService('fox', 'api', ['api.example.com'], { gateways: ['edge/mall'] }),
        virtualService('edge', 'status', ['status.example.com'], { gateways: ['mall'] }),
      ],
      [],
      [gateway('edge', 'mall', ['base/shop.example.com', 'fox/shop.example.com', './status.example.com', '*/api.example.com', 'base/api.example.com'])],
    );
    expect(config.gatewayVirtualHosts(ingress, 80, 'istio-system').map((v) => [v.domain, v.bound.map((b) => `${b.vs.namespace}/${b.vs.name} via ${b.gateway}`)])).toEqual([
      ['shop.example.com', ['base/shop via edge/mall']],
      ['api.example.com', ['fox/api via edge/mall']],
      ['status.example.com', ['edge/status via edge/mall']],
    ]);
  });

  it('name each by the more specific of a server host and a VirtualService host, in lower case, once', () => {
    const config = new MeshConfig(
      [virtualService('base', 'a', ['*.Example.com', 'shop.example.com'], { gateways: ['mall'] })],
      [],
      [gateway('base', 'mall', ['*.example.com', 'SHOP.example.com', '*.org'])],
    );
    expect(config.gatewayVirtualHosts(ingress, 80, 'istio-system').map((v) => [v.domain, v.bound.length])).toEqual([
      ['*.example.com', 1],
      ['shop.example.com', 1],
    ]);
  });

  it('intersect wildcards by the narrower one, and names only when one covers the other', () => {
    const hosts = (server: string[], vs: string[]) =>
      new MeshConfig([virtualService('base', 'a', vs, { gateways: ['mall'] })], [], [gateway('base', 'mall', server)]).gatewayVirtualHosts(ingress, 80, 'istio-system').map((v) => v.domain);
    expect(hosts(['*'], ['*.com'])).toEqual(['*.com']);
    expect(hosts(['*.com'], ['*'])).toEqual(['*.com']);
    expect(hosts(['*.a.com'], ['*.com'])).toEqual(['*.a.com']);
    expect(hosts(['*.com'], ['x.a.com'])).toEqual(['x.a.com']);
    expect(hosts(['x.a.com'], ['*.com'])).toEqual(['x.a.com']);
    expect(hosts(['*.a.com'], ['*.b.com'])).toEqual([]);
    expect(hosts(['a.com'], ['b.com'])).toEqual([]);
    expect(hosts(['*.com'], ['com'])).toEqual([]);
    expect(hosts(['a.com'], ['a.com'])).toEqual(['a.com']);
    // A wildcard as long as a name it covers: the name is the narrower one.
    expect(hosts(['*.com'], ['x.com'])).toEqual(['x.com']);
    expect(hosts(['x.com'], ['*.com'])).toEqual(['x.com']);
  });

  it('come from Gateways that select the ingress, servers on that port, VirtualServices exported to the ingress', () => {
    const config = new MeshConfig(
      [
        virtualService('base', 'seen', ['*'], { gateways: ['mall'] }),
        virtualService('base', 'hidden', ['*'], { gateways: ['mall'], exportTo: ['.'] }),
        virtualService('base', 'mesh-only', ['*']),
      ],
      [],
      [gateway('base', 'mall', ['*']), gateway('base', 'tls', ['*'], 443), gateway('base', 'other', ['*'], 80, { istio: 'egressgateway' })],
    );
    expect(config.gatewayVirtualHosts(ingress, 80, 'istio-system').map((v) => v.bound.map((b) => b.vs.name))).toEqual([['seen']]);
    expect(config.gatewayVirtualHosts(ingress, 443, 'istio-system')).toEqual([]);
    expect(config.gatewayVirtualHosts(ingress, 80, 'base').map((v) => v.bound.map((b) => b.vs.name))).toEqual([['seen', 'hidden']]);
  });

  it('list a VirtualService once per Gateway it is bound through: two servers of one Gateway on the port add it once', () => {
    const twoServers = gateway('base', 'mall', ['*']);
    const mall = { ...twoServers, spec: { ...twoServers.spec, servers: [...twoServers.spec.servers, ...twoServers.spec.servers] } };
    const config = new MeshConfig([virtualService('base', 'a', ['*'], { gateways: ['mall', 'edge'] })], [], [mall, gateway('base', 'edge', ['*'])]);
    expect(config.gatewayVirtualHosts(ingress, 80, 'istio-system').map((v) => [v.domain, v.bound.map((b) => `${b.vs.name} via ${b.gateway}`)])).toEqual([
      ['*', ['a via base/mall', 'a via base/edge']],
    ]);
  });

  it('take nothing from a server host of another namespace, even for a VirtualService of every host', () => {
    const config = new MeshConfig([virtualService('base', 'all', ['*'], { gateways: ['edge/mall'] })], [], [gateway('edge', 'mall', ['fox/shop.example.com'])]);
    expect(config.gatewayVirtualHosts(ingress, 80, 'istio-system')).toEqual([]);
  });

  it('are none before any configuration is applied', () => {
    expect(new MeshConfig().gatewayVirtualHosts(ingress, 80, 'istio-system')).toEqual([]);
  });

  it('list a VirtualService bound through two servers of one Gateway once', () => {
    const config = new MeshConfig([virtualService('base', 'a', ['*'], { gateways: ['mall'] })], [], [gateway('base', 'mall', ['*', '*'])]);
    expect(config.gatewayVirtualHosts(ingress, 80, 'istio-system')).toEqual([{ domain: '*', bound: [{ vs: expect.objectContaining({ name: 'a' }), gateway: 'base/mall' }] }]);
  });
});

describe('objects read from YAML', () => {
  it('keep their namespace, name and spec', () => {
    const config = meshConfig(`apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: mall-gateway, namespace: base}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
`);
    expect(config.gateways).toEqual([{ namespace: 'base', name: 'mall-gateway', spec: expect.objectContaining({ selector: { istio: 'ingressgateway' } }) }]);
    expect([config.virtualServices, config.destinationRules, config.authorizationPolicies, config.peerAuthentications]).toEqual([[], [], [], []]);
  });
});
