import { describe, expect, it } from 'vitest';
import { sampleRegistry } from './test-fixtures.js';

describe('cluster DNS', () => {
  it.each([
    ['users', 'base'],
    ['users:7000', 'base'],
    ['users.base', 'jason'],
    ['users.base.svc', 'jason'],
    ['users.base.svc.cluster.local:7000', 'jason'],
    ['USERS.BASE.SVC.CLUSTER.LOCAL', 'fox'],
  ])('%s from namespace %s resolves to users.base', (host, from) => {
    expect(sampleRegistry().resolveHost(host, from)?.fqdn).toBe('users.base.svc.cluster.local');
  });

  it.each([
    ['users', 'jason'],
    ['users.base.svc.cluster', 'base'],
    ['users.base.example.com', 'base'],
    ['nobody.base', 'base'],
  ])('%s from namespace %s does not resolve', (host, from) => {
    expect(sampleRegistry().resolveHost(host, from)).toBeUndefined();
  });

  it('lists only ready pods matching the selector as endpoints', () => {
    const registry = sampleRegistry();
    expect(registry.endpoints(registry.resolveHost('users', 'base')!).map((p) => p.port)).toEqual([1001, 1002]);
  });
});
