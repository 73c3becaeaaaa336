import { describe, expect, it } from 'vitest';
import { outboundCluster, routeOperation, serviceOperation, unroutedOperation } from './envoy-names.js';
import type { ServiceTarget } from '../k8s/service-registry.js';

const target = (ports: number[]) =>
  ({ fqdn: 'recommend.base.svc.cluster.local', namespace: 'base', service: { metadata: { name: 'recommend' }, spec: { ports: ports.map((port) => ({ port })) } } }) as unknown as ServiceTarget;

describe("pilot's names for what it builds (route.go GetDestinationCluster, GetRouteOperation; telemetry.go TraceOperation)", () => {
  it('a cluster takes the destination port, else the Service’s only port, else the listener port', () => {
    expect(outboundCluster(target([7000]), 'v2', undefined, 80)).toEqual({ name: 'outbound|7000|v2|recommend.base.svc.cluster.local', port: 7000 });
    expect(outboundCluster(target([7000, 9000]), undefined, 9000, 7000)).toEqual({ name: 'outbound|9000||recommend.base.svc.cluster.local', port: 9000 });
    expect(outboundCluster(target([7000, 9000]), undefined, undefined, 7000)).toEqual({ name: 'outbound|7000||recommend.base.svc.cluster.local', port: 7000 });
    expect(outboundCluster(target([7000, 9000]), undefined, undefined, 9000)).toEqual({ name: 'outbound|9000||recommend.base.svc.cluster.local', port: 9000 });
  });

  it('a Service without a VirtualService: host:port/*', () => {
    expect(serviceOperation('recommend.base.svc.cluster.local', 7000)).toBe('recommend.base.svc.cluster.local:7000/*');
  });

  it('a route with one destination: its cluster host and port, then the matched path', () => {
    const single = { target: target([7000]), cluster: { name: 'outbound|7000|v2|recommend.base.svc.cluster.local', port: 7000 } };
    const route = { destinations: [{ destination: { host: 'recommend' } }], virtualService: 'recommend' };
    expect(routeOperation(route, undefined, single, 7000)).toBe('recommend.base.svc.cluster.local:7000/*');
    expect(routeOperation(route, { uri: { prefix: '/api' } }, single, 7000)).toBe('recommend.base.svc.cluster.local:7000/api*');
    expect(routeOperation(route, { uri: { exact: '/recommend' } }, single, 7000)).toBe('recommend.base.svc.cluster.local:7000/recommend');
    expect(routeOperation(route, { uri: { regex: '/r.*' } }, single, 7000)).toBe('recommend.base.svc.cluster.local:7000/r.*');
  });

  it('a weighted route: the VirtualService name and the listener port', () => {
    const route = { destinations: [{ destination: { host: 'mall', subset: 'v1' } }, { destination: { host: 'mall', subset: 'v2' } }], virtualService: 'mall' };
    const chosen = { target: target([7000]), cluster: { name: 'outbound|7000|v1|mall.base.svc.cluster.local', port: 7000 } };
    expect(routeOperation(route, undefined, chosen, 80)).toBe('mall:80/*');
  });

  it('no route: egress and the host, as Envoy names a span without a decorator', () => {
    expect(unroutedOperation('nowhere:7000')).toBe('egress nowhere:7000');
  });
});
