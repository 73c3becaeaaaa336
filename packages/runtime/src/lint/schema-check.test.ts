import { describe, expect, it } from 'vitest';
import { checkSchema } from './schema-check.js';

const deployment = (container: Record<string, unknown>, replicas: unknown = 1) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { 'app.kubernetes.io/name': 'web' } },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'mesh-mall/mall:v1', ...container }] } } },
});

describe('checkSchema: the API schema of each object, unknown keys refused', () => {
  it('passes a valid object, labels and annotations of any name included', () => {
    expect(checkSchema(deployment({ env: [{ name: 'A', value: 'b' }] }))).toEqual([]);
    expect(checkSchema({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', annotations: { 'example.com/any': 'x' } }, spec: { ports: [{ name: 'http', port: 80 }] } })).toEqual([]);
  });

  it('needs apiVersion and kind, of an API group it knows', () => {
    expect(checkSchema({ kind: 'Service' })).toEqual([{ path: '(root)', message: 'apiVersion and kind are required' }]);
    expect(checkSchema({ apiVersion: 'v1', kind: 5 })).toEqual([{ path: '(root)', message: 'apiVersion and kind are required' }]);
    expect(checkSchema({ apiVersion: 'example.com/v1', kind: 'Service' })).toEqual([{ path: 'kind', message: 'unknown apiVersion example.com/v1' }]);
    expect(checkSchema({ apiVersion: 'v1', kind: 'Deployment' })).toEqual([{ path: 'kind', message: 'no kind Deployment in v1' }]);
  });

  it("reports the schema's errors at their path, and keys the schema never reads as unknown fields", () => {
    expect(checkSchema(deployment({ imagePullPolicy: 'Sometimes', colour: 'red' }, 'two'))).toEqual([
      { path: 'spec.replicas', message: 'must be integer' },
      { path: 'spec.template.spec.containers[0].imagePullPolicy', message: 'must be equal to one of the allowed values' },
      { path: 'spec.template.spec.containers[0].colour', message: 'unknown field' },
    ]);
    expect(checkSchema({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] }, extra: 1 })).toEqual([{ path: 'extra', message: 'unknown field' }]);
  });

  it('knows the Istio and Gateway API schemas, a typo in a weight included', () => {
    expect(
      checkSchema({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'vs' }, spec: { hosts: ['a'], http: [{ route: [{ destination: { host: 'a' }, wieght: 50 }] }] } }),
    ).toEqual([{ path: 'spec.http[0].route[0].wieght', message: 'unknown field' }]);
    expect(checkSchema({ apiVersion: 'security.istio.io/v1beta1', kind: 'AuthorizationPolicy', metadata: { name: 'ap' }, spec: { action: 'MAYBE' } })).toEqual([
      { path: 'spec.action', message: 'must be equal to one of the allowed values' },
    ]);
    expect(checkSchema({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r' } })).toEqual([{ path: '(root)', message: 'must have required property spec' }]);
    expect(
      checkSchema({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r' }, spec: { parentRefs: [{ name: 'g' }], rules: [{ backendRefs: [{ name: 's', port: 80, weigth: 1 }] }] } }),
    ).toEqual([{ path: 'spec.rules[0].backendRefs[0].weigth', message: 'unknown field' }]);
  });

  it('writes a JSON pointer\'s escaped keys back as they are', () => {
    expect(checkSchema({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { 'app.kubernetes.io/name': 5, 'a~b': 6 } } })).toEqual([
      { path: 'metadata.labels.app.kubernetes.io/name', message: 'must be string' },
      { path: 'metadata.labels.a~b', message: 'must be string' },
    ]);
  });
});
