import { describe, expect, it } from 'vitest';
import { Cluster, type Pod } from './cluster.js';
import { parseManifests, type ServiceManifest } from './manifests.js';
import { Router } from './router.js';

function service(name: string, namespace: string): ServiceManifest {
  const yaml = `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec:\n  selector: {app: ${name}}\n  ports: [{name: http, port: 7000}]\n`;
  return parseManifests(yaml, 't').manifests[0] as ServiceManifest;
}

function pod(name: string, namespace: string, labels: Record<string, string>, port: number, ready = true): Pod {
  return { name, namespace, workload: name.replace(/-\d+$/, ''), labels, serviceAccount: 'default', port, ready };
}

const caller = (namespace: string) => ({ namespace, workload: 'mall-v1', labels: {}, serviceAccount: 'mall' });

function cluster(): Cluster {
  const c = new Cluster();
  c.putService(service('users', 'base'));
  c.putService(service('products', 'fox'));
  c.addPod(pod('users-v1-1', 'base', { app: 'users', version: 'v1' }, 1001));
  c.addPod(pod('users-v1-2', 'base', { app: 'users', version: 'v1' }, 1002));
  c.addPod(pod('users-v1-3', 'base', { app: 'users', version: 'v1' }, 1003, false));
  c.addPod(pod('other', 'base', { app: 'other' }, 1004));
  return c;
}

describe('cluster DNS', () => {
  it.each([
    ['users', 'base'],
    ['users:7000', 'base'],
    ['users.base', 'jason'],
    ['users.base.svc', 'jason'],
    ['users.base.svc.cluster.local:7000', 'jason'],
    ['USERS.BASE.SVC.CLUSTER.LOCAL', 'fox'],
  ])('%s from namespace %s resolves to users.base', (host, from) => {
    expect(cluster().resolveHost(host, from)?.fqdn).toBe('users.base.svc.cluster.local');
  });

  it.each([
    ['users', 'jason'],
    ['users.base.svc.cluster', 'base'],
    ['users.base.example.com', 'base'],
    ['nobody.base', 'base'],
  ])('%s from namespace %s does not resolve', (host, from) => {
    expect(cluster().resolveHost(host, from)).toBeUndefined();
  });

  it('lists only ready pods matching the selector as endpoints', () => {
    const c = cluster();
    expect(c.endpoints(c.resolveHost('users', 'base')!).map((p) => p.port)).toEqual([1001, 1002]);
  });
});

describe('router without Istio objects (kube-proxy behaviour)', () => {
  const request = (authority: string) => ({ authority, method: 'GET', url: '/', headers: {} });

  it('takes the ready endpoints in turn', () => {
    const router = new Router(cluster());
    const ports = Array.from({ length: 4 }, () => {
      const decision = router.decide(request('users.base.svc.cluster.local:7000'), caller('base'));
      if (decision.kind !== 'route') throw new Error(decision.reason);
      return router.pickEndpoint(decision.upstream)?.port;
    });
    expect(ports).toEqual([1001, 1002, 1001, 1002]);
  });

  it('answers 503 for an unknown host or a port the Service lacks, and finds no endpoint when none is ready', () => {
    const router = new Router(cluster());
    expect(router.decide(request('nobody:7000'), caller('base'))).toMatchObject({ kind: 'reject', status: 503, reason: expect.stringContaining('no Service') });
    expect(router.decide(request('users:8080'), caller('base'))).toMatchObject({ kind: 'reject', status: 503, reason: expect.stringContaining('no port 8080') });
    const decision = router.decide(request('products.fox:7000'), caller('base'));
    expect(decision.kind === 'route' && router.pickEndpoint(decision.upstream)).toBeUndefined();
  });
});
