import { describe, expect, it } from 'vitest';
import type { HttpMatch, HttpRoute } from '../api/istio-schemas.js';
import { compileMatch, type RequestFacts } from './match.js';
import { chooseRoute, noRouteFor, type CompiledRoute, type Resolution, type RouteChoice, type VirtualHost } from './route-table.js';
import { source } from './test-fixtures.js';

const facts = (overrides: Partial<RequestFacts> = {}): RequestFacts => ({
  method: 'GET',
  url: '/',
  headers: {},
  port: 7000,
  source: source('base', { app: 'mall', version: 'v1' }),
  gateways: new Set(['mesh']),
  ...overrides,
});

/** A route of `matches` to destinations `hosts`, the picker taking them in turn. */
function route(name: string, matches: HttpMatch[], hosts: string[] = [name]): { route: CompiledRoute; destinations: Resolution[]; mirror: Resolution | undefined } {
  let turn = 0;
  const spec = { route: hosts.map((host) => ({ destination: { host } })) } as HttpRoute;
  return {
    route: { name, spec, matches: matches.map((match) => ({ match, test: compileMatch(match) })), retry: { attempts: 2, retryOn: new Set(), statusCodes: new Set() }, gatewaySemantics: false, pickDestination: () => turn++ % hosts.length },
    destinations: hosts.map((host) => ({ reason: `upstream ${host}` })),
    mirror: { reason: 'mirror' },
  };
}
const host = (...routes: ReturnType<typeof route>[]): VirtualHost => ({ target: undefined, virtualService: { namespace: 'base', name: 'vs' }, routes, passthrough: undefined });

describe('choosing a route (Istio: the first whose match list matches)', () => {
  const jason = { headers: { 'end-user': { exact: 'jason' } } };
  const fox = { headers: { 'end-user': { exact: 'fox' } } };

  it('takes the first route one of whose matches holds, and reports that match', () => {
    const lanes = host(route('lanes', [jason, fox]), route('rest', []));
    const choice = chooseRoute(lanes, facts({ headers: { 'end-user': 'fox' } })) as RouteChoice;
    expect(choice.route.name).toBe('lanes');
    expect(choice.matched).toBe(fox);
    expect(choice.destination).toEqual({ destination: { host: 'lanes' } });
    expect(choice.upstream).toEqual({ reason: 'upstream lanes' });
    expect(choice.mirror).toEqual({ reason: 'mirror' });
  });

  it('falls through to a route without matches, which takes everything and reports no match', () => {
    const choice = chooseRoute(host(route('jason', [jason]), route('rest', [])), facts())!;
    expect(choice.route.name).toBe('rest');
    expect(choice.matched).toBeUndefined();
  });

  it('gives the destination its weights pick, and the upstream resolved for it', () => {
    const split = host(route('split', [], ['v1', 'v2']));
    const picked = [chooseRoute(split, facts()) as RouteChoice, chooseRoute(split, facts()) as RouteChoice];
    expect(picked.map((c) => [c.destination.destination.host, (c.upstream as { reason: string }).reason])).toEqual([
      ['v1', 'upstream v1'],
      ['v2', 'upstream v2'],
    ]);
  });

  it('has nothing when no route matches', () => {
    expect(chooseRoute(host(route('jason', [jason])), facts())).toBeUndefined();
    expect(chooseRoute(host(), facts())).toBeUndefined();
  });
});

describe('a caller none of whose routes pilot would have kept', () => {
  const caller = facts({ source: source('base', { app: 'mall', version: 'v1' }), port: 7000 });

  it('is one whose every match names other source labels, another source namespace or another port', () => {
    expect(noRouteFor(host(route('r', [{ sourceLabels: { app: 'recommend' } }, { sourceNamespace: 'fox' }, { port: 9080 }])), caller)).toBe(true);
    expect(noRouteFor(host(route('a', [{ sourceLabels: { version: 'v2' } }]), route('b', [{ sourceNamespace: 'jason' }])), caller)).toBe(true);
    // sourceLabels must all be the caller's: one of two in common is not enough (pilot sourceMatchHTTP).
    expect(noRouteFor(host(route('r', [{ sourceLabels: { app: 'mall', version: 'v2' } }])), caller)).toBe(true);
  });

  it('is not one that some match fits, or a route without matches takes', () => {
    expect(noRouteFor(host(route('r', [{ sourceLabels: { app: 'mall' } }])), caller)).toBe(false);
    expect(noRouteFor(host(route('r', [{ sourceNamespace: 'base' }])), caller)).toBe(false);
    expect(noRouteFor(host(route('r', [{ port: 7000 }])), caller)).toBe(false);
    expect(noRouteFor(host(route('r', [{ headers: { 'end-user': { exact: 'jason' } } }])), caller)).toBe(false);
    expect(noRouteFor(host(route('a', [{ sourceNamespace: 'fox' }]), route('b', [])), caller)).toBe(false);
    expect(noRouteFor(host(route('a', [{ sourceNamespace: 'fox' }, {}])), caller)).toBe(false);
  });

  it('ignores source conditions in a match that names gateways (they apply at the gateway), but not its port', () => {
    expect(noRouteFor(host(route('r', [{ gateways: ['mesh'], sourceLabels: { app: 'recommend' }, sourceNamespace: 'fox' }])), caller)).toBe(false);
    expect(noRouteFor(host(route('r', [{ gateways: ['mesh'], port: 9080 }])), caller)).toBe(true);
  });

  it('needs routes to drop: a host without any is not such a host', () => {
    expect(noRouteFor(host(), caller)).toBe(false);
  });
});
