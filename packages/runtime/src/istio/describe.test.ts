import { describe, expect, it } from 'vitest';
import { describeDestination, describeMatch } from './describe.js';

describe('describeMatch: one match condition in a line, as get routes and proxy-config show it', () => {
  it('shows a match that takes everything as *', () => {
    expect(describeMatch({})).toBe('*');
    expect(describeMatch({ headers: {}, sourceLabels: {} })).toBe('*');
  });

  it('writes exact as =, prefix as ^=, regex as ~ and a bare condition as present', () => {
    expect(describeMatch({ uri: { exact: '/api/mall' } })).toBe('uri=/api/mall');
    expect(describeMatch({ uri: { prefix: '/api' } })).toBe('uri^=/api');
    expect(describeMatch({ uri: { regex: '/api/.*' } })).toBe('uri~/api/.*');
    expect(describeMatch({ headers: { 'end-user': {} } })).toBe('end-user present');
    // An empty exact is still an exact match (of the empty string), not presence.
    expect(describeMatch({ headers: { 'end-user': { exact: '' } } })).toBe('end-user=');
  });

  it('lists every condition of one match in a fixed order, joined by commas', () => {
    expect(
      describeMatch({
        sourceLabels: { app: 'mall', version: 'v2' },
        sourceNamespace: 'fox',
        queryParams: { debug: { exact: '1' } },
        withoutHeaders: { 'x-canary': { prefix: 'no' } },
        headers: { 'end-user': { exact: 'jason' }, cookie: { regex: '.*user=jason.*' } },
        method: { exact: 'GET' },
        uri: { prefix: '/api' },
      }),
    ).toBe('uri^=/api,method=GET,end-user=jason,cookie~.*user=jason.*,!x-canary^=no,?debug=1,from ns fox,from app=mall,from version=v2');
  });
});

describe('describeDestination: a route destination as written', () => {
  it('shows host, subset and weight when given', () => {
    expect(describeDestination({ destination: { host: 'mall' } })).toBe('mall');
    expect(describeDestination({ destination: { host: 'mall.base.svc.cluster.local', subset: 'v2' } })).toBe('mall.base.svc.cluster.local/v2');
    expect(describeDestination({ destination: { host: 'mall', subset: 'v1' }, weight: 50 })).toBe('mall/v1 50%');
    // Weight 0 is written, and shown: the destination gets nothing.
    expect(describeDestination({ destination: { host: 'mall' }, weight: 0 })).toBe('mall 0%');
  });
});
