import { describe, expect, it } from 'vitest';
import type { ContainerManifest } from '../api/manifests.js';
import { readSecret } from '../api/secret.js';
import { containerEnv, type SecretLookup } from './pod-env.js';

const pod = { name: 'recommend-v2-abc', namespace: 'jason', labels: { app: 'recommend', version: 'v2' }, serviceAccount: 'recommend', ip: '127.0.0.1' };
const mongodbRoot = readSecret({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'mongodb-root', namespace: 'jason' },
  stringData: { username: 'root', password: 'mesh-mall-demo-only' },
});
const asked: string[] = [];
const secrets: SecretLookup = (namespace, name) => {
  asked.push(`${namespace}/${name}`);
  return namespace === 'jason' && name === 'mongodb-root' ? mongodbRoot : undefined;
};
const container = (env: ContainerManifest['env']): ContainerManifest => ({ name: 'c', image: 'i', env });
const secretRef = (name: string, key: string, optional?: boolean) => ({ valueFrom: { secretKeyRef: { name, key, ...(optional === undefined ? {} : { optional }) } } });

/** The whole message the pod's start fails with. */
function failure(env: ContainerManifest['env']): string {
  try {
    containerEnv(container(env), pod, secrets);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('started');
}

describe('containerEnv', () => {
  it('answers values and the downward API fields the manifests use', () => {
    const env = containerEnv(
      container([
        { name: 'A', value: 'literal' },
        { name: 'E', value: '' },
        { name: 'APP_VERSION', valueFrom: { fieldRef: { fieldPath: "metadata.labels['version']" } } },
        { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
        { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
      ]),
      pod,
      secrets,
    );
    expect(env).toEqual({ A: 'literal', E: '', APP_VERSION: 'v2', POD_NAMESPACE: 'jason', POD_NAME: 'recommend-v2-abc', SA: 'recommend' });
  });

  it('refuses a fieldRef it cannot answer instead of leaving it empty', () => {
    expect(failure([{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }])).toBe('env NODE: fieldRef spec.nodeName is not supported by the local runtime');
  });

  it("reads a secretKeyRef from the pod's namespace", () => {
    asked.length = 0;
    const env = containerEnv(container([{ name: 'MONGO_USERNAME', ...secretRef('mongodb-root', 'username') }]), pod, secrets);
    expect(env).toEqual({ MONGO_USERNAME: 'root' });
    expect(asked).toEqual(['jason/mongodb-root']);
  });

  it("fails the start with the kubelet's message when the Secret or the key is missing", () => {
    expect(failure([{ name: 'PW', ...secretRef('mongodb', 'password') }])).toBe('secret "mongodb" not found');
    expect(failure([{ name: 'PW', ...secretRef('mongodb-root', 'pass') }])).toBe("couldn't find key pass in Secret jason/mongodb-root");
    expect(failure([{ name: 'PW', ...secretRef('mongodb-root', 'pass', false) }])).toBe("couldn't find key pass in Secret jason/mongodb-root");
  });

  it('leaves the variable unset when an optional ref finds no Secret or key, keeping an earlier value of the same name', () => {
    const env = containerEnv(
      container([
        { name: 'A', ...secretRef('absent', 'x', true) },
        { name: 'B', value: 'before' },
        { name: 'B', ...secretRef('mongodb-root', 'absent', true) },
        { name: 'C', value: '[$(A)]' },
      ]),
      pod,
      secrets,
    );
    expect(env).toEqual({ B: 'before', C: '[$(A)]' });
  });

  it('expands $(VAR) in a value from the variables defined before it, whatever their source, and only those', () => {
    const env = containerEnv(
      container([
        { name: 'MONGO_URL_EARLY', value: 'mongodb://$(MONGO_USERNAME)@db' },
        { name: 'MONGO_USERNAME', ...secretRef('mongodb-root', 'username') },
        { name: 'MONGO_PASSWORD', ...secretRef('mongodb-root', 'password') },
        { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'MONGO_URL', value: 'mongodb://$(MONGO_USERNAME):$(MONGO_PASSWORD)@mongodb.$(POD_NAMESPACE).svc.cluster.local:27017/mesh-mall?authSource=admin' },
        { name: 'LITERAL', value: '$$(MONGO_PASSWORD) costs $5' },
        { name: 'HOME_DIR', value: '$(HOME)' },
      ]),
      pod,
      secrets,
    );
    expect(env).toEqual({
      MONGO_URL_EARLY: 'mongodb://$(MONGO_USERNAME)@db',
      MONGO_USERNAME: 'root',
      MONGO_PASSWORD: 'mesh-mall-demo-only',
      POD_NAMESPACE: 'jason',
      MONGO_URL: 'mongodb://root:mesh-mall-demo-only@mongodb.jason.svc.cluster.local:27017/mesh-mall?authSource=admin',
      LITERAL: '$(MONGO_PASSWORD) costs $5',
      HOME_DIR: '$(HOME)',
    });
  });

  it('does not expand values that come from a Secret or the downward API', () => {
    const tricky = readSecret({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { k: '$(A)' } });
    const env = containerEnv(container([{ name: 'A', value: 'a' }, { name: 'B', ...secretRef('s', 'k') }]), pod, () => tricky);
    expect(env).toEqual({ A: 'a', B: '$(A)' });
  });
});
