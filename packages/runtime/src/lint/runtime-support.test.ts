import { describe, expect, it } from 'vitest';
import { checkRuntimeSupport } from './runtime-support.js';
import type { LintedObject } from './semantic.js';

const item = (object: Record<string, unknown>): LintedObject => ({ file: 'x.yaml', object });
const deployment = (env: unknown[]) =>
  item({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'base' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'mesh-mall/mall:v1', env }] } } },
  });

describe('checkRuntimeSupport of Gateway API objects', () => {
  it('warns of a listener the local runtime does not serve (HTTPS), valid for a cluster', () => {
    const gateway = item({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'web', namespace: 'base' }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'https', port: 443, protocol: 'HTTPS' }] } });
    expect(checkRuntimeSupport([gateway], new Set())).toEqual([
      {
        file: 'x.yaml',
        subject: 'Gateway base/web',
        path: '(local runtime)',
        message: 'spec.listeners[0].protocol: the local runtime serves HTTP listeners only (HTTPS, TLS, TCP and UDP are cluster-only)',
        severity: 'warning',
      },
    ]);
  });
});

describe('checkRuntimeSupport of Secrets and workloads (what mesh-mall apply would say)', () => {
  it('passes a Secret and secretKeyRef env the runtime reads', () => {
    const secret = item({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'base' }, stringData: { k: 'v' } });
    expect(checkRuntimeSupport([secret, deployment([{ name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }])], new Set())).toEqual([]);
  });

  it('reports what the API server refuses as an error, and what only the local runtime lacks as a warning', () => {
    const badKey = item({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { '..k': 'v' } });
    const tls = item({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 't' }, type: 'kubernetes.io/tls', data: {} });
    const configMapRef = deployment([{ name: 'A', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } }]);
    expect(checkRuntimeSupport([badKey, tls, configMapRef], new Set())).toEqual([
      { file: 'x.yaml', subject: 'Secret default/s', path: '(local runtime)', message: `data[..k]: Invalid value: "..k": must not start with '..'` },
      { file: 'x.yaml', subject: 'Secret default/t', path: '(local runtime)', message: 'type: kubernetes.io/tls is not supported by the local runtime (valid on a cluster)', severity: 'warning' },
      {
        file: 'x.yaml',
        subject: 'Deployment base/web',
        path: '(local runtime)',
        message: 'spec.template.spec.containers[0].env[0].valueFrom.configMapKeyRef is not supported by the local runtime (valid on a cluster)',
        severity: 'warning',
      },
    ]);
  });

  it('leaves objects the API schema already faulted to that finding', () => {
    const badKey = item({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { '..k': 'v' } });
    expect(checkRuntimeSupport([badKey], new Set([badKey.object]))).toEqual([]);
  });
});

describe('checkRuntimeSupport of Istio objects', () => {
  const vs = (name: string, http: unknown[]) =>
    item({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: 'base' }, spec: { hosts: ['users.base.svc.cluster.local'], http } });

  it('leaves one VirtualService per host to the checks across files (the canary has several versions of one)', () => {
    const route = [{ route: [{ destination: { host: 'users.base.svc.cluster.local' } }] }];
    expect(checkRuntimeSupport([vs('a', route), vs('b', route)], new Set())).toEqual([]);
  });

  it('names the object of a refusal Istio shares, as an error', () => {
    const zero = [{ route: [{ destination: { host: 'users.base.svc.cluster.local' }, weight: 0 }, { destination: { host: 'users.jason.svc.cluster.local' }, weight: 0 }] }];
    expect(checkRuntimeSupport([vs('zero', zero)], new Set())).toEqual([
      {
        file: 'x.yaml',
        subject: 'VirtualService base/zero',
        path: '(local runtime)',
        message: 'http[0] route weights add up to 0: with several destinations, give at least one a weight',
      },
    ]);
  });
});
