import { describe, expect, it } from 'vitest';
import { containerEnv } from './pod-env.js';

const pod = { name: 'recommend-v2-abc', namespace: 'jason', labels: { app: 'recommend', version: 'v2' }, serviceAccount: 'recommend', ip: '127.0.0.1' };

describe('containerEnv', () => {
  it('answers values and the downward API fields the manifests use', () => {
    const env = containerEnv(
      {
        name: 'c',
        image: 'i',
        env: [
          { name: 'A', value: 'literal' },
          { name: 'APP_VERSION', valueFrom: { fieldRef: { fieldPath: "metadata.labels['version']" } } },
          { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
        ],
      },
      pod,
    );
    expect(env).toEqual({ A: 'literal', APP_VERSION: 'v2', POD_NAMESPACE: 'jason', POD_NAME: 'recommend-v2-abc', SA: 'recommend' });
  });

  it('refuses what it cannot answer instead of leaving it empty', () => {
    const fieldRef = { name: 'c', image: 'i', env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }] };
    expect(() => containerEnv(fieldRef, pod)).toThrow('env NODE: fieldRef spec.nodeName is not supported');
    const secret = { name: 'c', image: 'i', env: [{ name: 'PW', valueFrom: {} }] };
    expect(() => containerEnv(secret, pod)).toThrow('only valueFrom.fieldRef');
  });
});
