import { describe, expect, it } from 'vitest';
import { boundGateways, hostMatches, qualifyGateway, qualifyHost, visibleFrom } from './hosts.js';

describe('hosts named in Istio objects', () => {
  it('complete a bare name to a Service of the object’s namespace, in lower case', () => {
    expect(qualifyHost('reviews', 'bookinfo')).toBe('reviews.bookinfo.svc.cluster.local');
    expect(qualifyHost('Reviews', 'bookinfo')).toBe('reviews.bookinfo.svc.cluster.local');
  });

  it('keep any other name as written, in lower case: FQDNs, wildcards, external names, and name.namespace', () => {
    expect(qualifyHost('Reviews.Other.svc.cluster.local', 'bookinfo')).toBe('reviews.other.svc.cluster.local');
    expect(qualifyHost('reviews.other', 'bookinfo')).toBe('reviews.other');
    expect(qualifyHost('*.Example.com', 'bookinfo')).toBe('*.example.com');
    expect(qualifyHost('*', 'bookinfo')).toBe('*');
  });

  it('match as Istio matches hosts: * anything, *.suffix any name under it, else the same name', () => {
    expect(hostMatches('*', 'anything.at.all')).toBe(true);
    expect(hostMatches('*.example.com', 'shop.example.com')).toBe(true);
    expect(hostMatches('*.example.com', 'a.shop.example.com')).toBe(true);
    expect(hostMatches('*.example.com', 'example.com')).toBe(false);
    expect(hostMatches('*.example.com', 'shopexample.com')).toBe(false);
    expect(hostMatches('shop.example.com', 'shop.example.com')).toBe(true);
    expect(hostMatches('shop.example.com', 'api.example.com')).toBe(false);
    expect(hostMatches('*example.com', 'example.com')).toBe(false);
  });
});

describe('gateway references', () => {
  it('qualify a short name with the object’s namespace, and keep namespace/name and mesh', () => {
    expect(qualifyGateway('mall-gateway', 'base')).toBe('base/mall-gateway');
    expect(qualifyGateway('istio-system/ingress', 'base')).toBe('istio-system/ingress');
    expect(qualifyGateway('mesh', 'base')).toBe('mesh');
  });

  it('bind a VirtualService to the mesh when it names none, else to exactly what it names', () => {
    expect(boundGateways({}, 'base')).toEqual(new Set(['mesh']));
    expect(boundGateways({ gateways: [] }, 'base')).toEqual(new Set(['mesh']));
    expect(boundGateways({ gateways: ['mall-gateway'] }, 'base')).toEqual(new Set(['base/mall-gateway']));
    expect(boundGateways({ gateways: ['mall-gateway', 'mesh', 'other/gw'] }, 'base')).toEqual(new Set(['base/mall-gateway', 'mesh', 'other/gw']));
  });
});

describe('exportTo', () => {
  it('makes an object visible everywhere when absent, empty or *', () => {
    expect(visibleFrom(undefined, 'base', 'fox')).toBe(true);
    expect(visibleFrom([], 'base', 'fox')).toBe(true);
    expect(visibleFrom(['*'], 'base', 'fox')).toBe(true);
  });

  it('limits it to its own namespace with ".", and to the namespaces it names', () => {
    expect(visibleFrom(['.'], 'base', 'base')).toBe(true);
    expect(visibleFrom(['.'], 'base', 'fox')).toBe(false);
    expect(visibleFrom(['fox'], 'base', 'fox')).toBe(true);
    expect(visibleFrom(['fox'], 'base', 'base')).toBe(false);
    expect(visibleFrom(['jason', '.'], 'base', 'base')).toBe(true);
    expect(visibleFrom(['jason', 'fox'], 'base', 'fox')).toBe(true);
  });
});
