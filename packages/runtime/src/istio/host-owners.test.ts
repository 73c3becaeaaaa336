import { describe, expect, it } from 'vitest';
import { meshHostConflicts, type HostClaimant } from './host-owners.js';

const claim = (key: string, namespace: string, hosts: string[], more: Partial<HostClaimant> = {}): HostClaimant => ({ key, namespace, hosts, ...more });
const conflicts = (...claimants: HostClaimant[]) => [...meshHostConflicts(claimants, (c) => c)].map(({ host, index, claimant, owner }) => ({ host, index, claimant: claimant.key, owner: owner.key }));

describe('one VirtualService per mesh host', () => {
  it('gives a host to the first VirtualService, and names the host (fully qualified) and its index in the second', () => {
    expect(conflicts(claim('base/a', 'base', ['users']), claim('fox/b', 'fox', ['other', 'users.base.svc.cluster.local']))).toEqual([
      { host: 'users.base.svc.cluster.local', index: 1, claimant: 'fox/b', owner: 'base/a' },
    ]);
  });

  it('lets two versions of one VirtualService (the canary’s two files) claim the same host', () => {
    expect(conflicts(claim('base/mall', 'base', ['mall']), claim('base/mall', 'base', ['mall']))).toEqual([]);
  });

  it('keeps the first owner when a third claims the host too', () => {
    expect(conflicts(claim('base/a', 'base', ['users']), claim('base/a', 'base', ['users']), claim('fox/b', 'fox', ['users.base.svc.cluster.local']))).toEqual([
      { host: 'users.base.svc.cluster.local', index: 0, claimant: 'fox/b', owner: 'base/a' },
    ]);
  });

  it('keeps the first version of one VirtualService as its claim: a later version’s wider exportTo claims nothing more', () => {
    const host = ['users.base.svc.cluster.local'];
    expect(conflicts(claim('base/a', 'base', host, { exportTo: ['.'] }), claim('base/a', 'base', host, { exportTo: ['*'] }), claim('fox/b', 'fox', host, { exportTo: ['.'] }))).toEqual([]);
  });

  it('records every VirtualService that claims a host for callers apart: a third one meeting the second conflicts with it', () => {
    const host = ['users.base.svc.cluster.local'];
    expect(conflicts(claim('base/a', 'base', host, { exportTo: ['.'] }), claim('fox/b', 'fox', host, { exportTo: ['.'] }), claim('fox/c', 'fox', host, { exportTo: ['.'] }))).toEqual([
      { host: 'users.base.svc.cluster.local', index: 0, claimant: 'fox/c', owner: 'fox/b' },
    ]);
  });

  it('ignores VirtualServices bound only to gateways', () => {
    expect(conflicts(claim('base/a', 'base', ['mall'], { gateways: ['mall-gateway'] }), claim('base/b', 'base', ['mall']))).toEqual([]);
    expect(conflicts(claim('base/a', 'base', ['mall'], { gateways: ['mall-gateway', 'mesh'] }), claim('base/b', 'base', ['mall']))).toHaveLength(1);
  });

  it('allows one host twice when exportTo keeps every caller from seeing both', () => {
    const host = ['users.base.svc.cluster.local'];
    expect(conflicts(claim('base/a', 'base', host, { exportTo: ['.'] }), claim('fox/b', 'fox', host, { exportTo: ['.'] }))).toEqual([]);
    expect(conflicts(claim('base/a', 'base', host, { exportTo: ['jason'] }), claim('fox/b', 'fox', host, { exportTo: ['fox'] }))).toEqual([]);
  });

  it('refuses it when some caller sees both: everywhere (no exportTo, [] or *), or one namespace in common', () => {
    const host = ['users.base.svc.cluster.local'];
    for (const [first, second] of [[undefined, ['.']], [[], ['.']], [['*'], ['fox']], [['fox'], ['.']], [['jason', 'fox'], ['fox']], [['.'], ['*']]] as const) {
      const found = conflicts(claim('base/a', 'base', host, first ? { exportTo: [...first] } : {}), claim('fox/b', 'fox', host, { exportTo: [...second] }));
      expect(found, JSON.stringify([first, second])).toHaveLength(1);
    }
  });
});
