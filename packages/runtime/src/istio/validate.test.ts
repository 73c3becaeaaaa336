import { describe, expect, it } from 'vitest';
import { meshConfig } from './test-fixtures.js';
import { validateMeshConfig } from './validate.js';

/** A VirtualService `name` in `namespace` for `hosts`, with `http` written as YAML flow. */
const vs = (name: string, namespace: string, hosts: string, http: string, extra = '') => `---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  hosts: ${hosts}
${extra}  http: ${http}
`;
const errors = (yaml: string) => validateMeshConfig(meshConfig(yaml));

describe('what apply refuses in Istio objects', () => {
  it('accepts the talk’s kind of routing', () => {
    expect(errors(vs('users', 'jason', '[users.base.svc.cluster.local]', '[{match: [{headers: {end-user: {exact: jason}}}], route: [{destination: {host: users.jason.svc.cluster.local}}]}, {route: [{destination: {host: users}}]}]'))).toEqual([]);
  });

  it('refuses a second VirtualService for a host on the mesh, naming both, the later one refused', () => {
    const yaml = vs('a', 'base', '[users]', '[{route: [{destination: {host: users}}]}]') + vs('b', 'fox', '[users.base.svc.cluster.local, other]', '[{route: [{destination: {host: users.base.svc.cluster.local}}]}]');
    expect(errors(yaml)).toEqual(['VirtualService fox/b: host users.base.svc.cluster.local already has VirtualService base/a; use one VirtualService per host']);
  });

  it('refuses a regex RE2 cannot compile, naming the route, the pattern and why', () => {
    const found = errors(vs('a', 'base', '[users]', '[{route: [{destination: {host: users}}]}, {match: [{uri: {prefix: /x}}, {headers: {h: {regex: "(?<=x)"}}}], route: [{destination: {host: users}}]}]'));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^VirtualService base\/a: http\[1\] regex "\(\?<=x\)": .+/);
  });

  it('refuses a withoutHeaders regex RE2 cannot compile, but takes regex "*" there as Istio’s "present"', () => {
    const found = errors(vs('a', 'base', '[users]', '[{match: [{withoutHeaders: {h: {regex: "(?<=x)"}}}], route: [{destination: {host: users}}]}]'));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^VirtualService base\/a: http\[0\] regex "\(\?<=x\)": .+/);
    expect(errors(vs('a', 'base', '[users]', '[{match: [{withoutHeaders: {h: {regex: "*"}}}], route: [{destination: {host: users}}]}]'))).toEqual([]);
  });

  it('refuses several destinations whose weights are all 0, and nothing else about weights', () => {
    const route = (weights: string) => `[{route: [${weights}]}]`;
    expect(errors(vs('a', 'base', '[users]', route('{destination: {host: users}, weight: 0}, {destination: {host: users}, weight: 0}')))).toEqual([
      'VirtualService base/a: http[0] route weights add up to 0: with several destinations, give at least one a weight',
    ]);
    expect(errors(vs('a', 'base', '[users]', route('{destination: {host: users}}, {destination: {host: users}}')))).toHaveLength(1);
    expect(errors(vs('a', 'base', '[users]', route('{destination: {host: users}, weight: 0}')))).toEqual([]);
    expect(errors(vs('a', 'base', '[users]', route('{destination: {host: users}, weight: 0}, {destination: {host: users}, weight: 100}')))).toEqual([]);
  });

  it('refuses destination, mirror and DestinationRule hosts written name.namespace or name.namespace.svc', () => {
    const yaml =
      vs('a', 'base', '[users]', '[{route: [{destination: {host: users.base}}, {destination: {host: Users.Fox.SVC}, weight: 1}], mirror: {host: users.jason}}]') +
      `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: users, namespace: base}
spec: {host: users.base.svc}
`;
    const hint = (host: string, ns: string) =>
      `${host} names no Service: Istio completes only a bare name (for users.${ns}.svc.cluster.local write that; an external host needs a ServiceEntry, not supported by the local runtime)`;
    expect(errors(yaml)).toEqual([
      `VirtualService base/a: http[0].route[0].destination.host: ${hint('users.base', 'base')}`,
      `VirtualService base/a: http[0].route[1].destination.host: ${hint('Users.Fox.SVC', 'fox')}`,
      `VirtualService base/a: http[0].mirror.host: ${hint('users.jason', 'jason')}`,
      `DestinationRule base/users: host: ${hint('users.base.svc', 'base')}`,
    ]);
  });

  it('accepts bare names, full names, wildcards and other names with more parts', () => {
    const yaml =
      vs('a', 'base', '[users]', '[{route: [{destination: {host: users}}, {destination: {host: users.base.svc.cluster.local}, weight: 1}, {destination: {host: "*.base"}, weight: 1}, {destination: {host: api.example.com}, weight: 1}, {destination: {host: a.b.c.d}, weight: 1}]}]') +
      `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: all, namespace: base}
spec: {host: "*.base.svc"}
`;
    expect(errors(yaml)).toEqual([]);
  });
});
