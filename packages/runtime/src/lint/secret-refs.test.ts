import { describe, expect, it } from 'vitest';
import { checkSecretRefs } from './secret-refs.js';
import type { LintedObject } from './semantic.js';

const secret: LintedObject = {
  file: 'install/base_apps.yaml',
  object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'mongodb-root', namespace: 'base' }, data: { username: 'cm9vdA==' }, stringData: { password: 'pw' } },
};
const ref = (name: string, key: string, optional?: boolean) => ({ valueFrom: { secretKeyRef: { name, key, ...(optional === undefined ? {} : { optional }) } } });
const workload = (kind: string, env: unknown[]): LintedObject => ({
  file: 'install/base_apps.yaml',
  object: { apiVersion: 'apps/v1', kind, metadata: { name: 'users-v1', namespace: 'base' }, spec: { template: { spec: { containers: [{ name: 'users', env }] } } } },
});

describe('checkSecretRefs', () => {
  it('finds nothing when each ref names a key of a linted Secret (data or stringData)', () => {
    const users = workload('Deployment', [{ name: 'U', ...ref('mongodb-root', 'username') }, { name: 'P', ...ref('mongodb-root', 'password') }, { name: 'X', value: 'x' }]);
    expect(checkSecretRefs([users, secret])).toEqual([]);
  });

  it('is an error when the linted Secret lacks the key and the ref is not optional', () => {
    const users = workload('StatefulSet', [{ name: 'A', ...ref('mongodb-root', 'pass') }, { name: 'B', ...ref('mongodb-root', 'pass', true) }]);
    expect(checkSecretRefs([secret, users])).toEqual([
      {
        file: 'install/base_apps.yaml',
        subject: 'StatefulSet base/users-v1',
        path: 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key',
        message: "Secret base/mongodb-root has no key pass: the pod does not start (couldn't find key pass in Secret base/mongodb-root)",
      },
    ]);
  });

  it('is a warning when no linted file has the Secret (it may be created on the cluster); an optional ref needs none', () => {
    const users = workload('Deployment', [{ name: 'A', ...ref('mongodb', 'password') }, { name: 'B', ...ref('other', 'k', true) }]);
    expect(checkSecretRefs([users])).toEqual([
      {
        file: 'install/base_apps.yaml',
        subject: 'Deployment base/users-v1',
        path: 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name',
        message: 'no Secret base/mongodb in the linted files: unless it is created on the cluster, the pod does not start',
        severity: 'warning',
      },
    ]);
  });

  it("looks in the Secret of the pod's namespace, and in init containers, Pods and CronJobs", () => {
    const elsewhere = { ...secret, object: { ...secret.object, metadata: { name: 'mongodb-root', namespace: 'other' } } };
    const pod: LintedObject = { file: 'p.yaml', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { initContainers: [{ name: 'i', env: [{ name: 'A', ...ref('mongodb-root', 'username') }] }] } } };
    const job: LintedObject = {
      file: 'j.yaml',
      object: { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'j', namespace: 'other' }, spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', env: [{ name: 'A', ...ref('mongodb-root', 'nope') }] }] } } } } } },
    };
    expect(checkSecretRefs([elsewhere, pod, job]).map((f) => `${f.file} ${f.subject} ${f.path}: ${f.message}${f.severity ? ` (${f.severity})` : ''}`)).toEqual([
      'p.yaml Pod default/p spec.initContainers[0].env[0].valueFrom.secretKeyRef.name: no Secret default/mongodb-root in the linted files: unless it is created on the cluster, the pod does not start (warning)',
      "j.yaml CronJob other/j spec.jobTemplate.spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key: Secret other/mongodb-root has no key nope: the pod does not start (couldn't find key nope in Secret other/mongodb-root)",
    ]);
  });
});
