import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoDeployment } from './support/echo.js';
import { startMeshMall, type MeshMall } from './support/mesh-mall.js';

// An echo pod whose APP_LABEL is built from a Secret by $(VAR) expansion: it answers servedBy `vault/<APP_LABEL>@v1`.
const NAMESPACE = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: vault, labels: {istio-injection: enabled}}\n';
const DEPLOYMENT = echoDeployment(
  'vault',
  1,
  `          env:
            - name: LABEL_PART
              valueFrom: {secretKeyRef: {name: echo-label, key: part}}
            - name: OPTIONAL_PART
              valueFrom: {secretKeyRef: {name: echo-label, key: absent, optional: true}}
            - {name: APP_LABEL, value: "$(LABEL_PART)-$(OPTIONAL_PART)-$$(LABEL_PART)"}
            - name: APP_VERSION
              valueFrom: {fieldRef: {fieldPath: "metadata.labels['version']"}}
            - name: POD_NAMESPACE
              valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
`,
);
const secret = (fields: string) => `apiVersion: v1\nkind: Secret\nmetadata: {name: echo-label, namespace: vault}\n${fields}`;

let mesh: MeshMall;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mesh-mall-secrets-'));
  await writeFile(join(dir, 'namespace.yaml'), NAMESPACE);
  mesh = await startMeshMall({ args: ['-f', join(dir, 'namespace.yaml')] });
});
afterAll(async () => {
  await mesh?.stop();
});

async function applyText(name: string, text: string) {
  await writeFile(join(dir, name), text);
  return mesh.cli('apply', '-f', join(dir, name));
}

async function servedBy(): Promise<string> {
  const pod = (await mesh.pods()).find((p) => p.namespace === 'vault' && p.ready);
  expect(pod, 'a ready echo pod').toBeDefined();
  return ((await (await fetch(`http://127.0.0.1:${pod!.port}/`)).json()) as { servedBy: string }).servedBy;
}

describe('Secrets and secretKeyRef through mesh-mall up', () => {
  it('does not start a pod whose Secret or key is missing, with the kubelet message; starts it once the Secret has the key', async () => {
    const missing = await applyText('deployment.yaml', DEPLOYMENT);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('mesh-mall: rollout failed: vault/echo-v1: secret "echo-label" not found\n');
    expect((await mesh.pods()).filter((p) => p.namespace === 'vault')).toEqual([]);

    // Applying the Secret retries the pod, as the kubelet keeps retrying it; without the key it still cannot start.
    const noKey = await applyText('secret.yaml', secret('stringData: {other: x}\n'));
    expect(noKey.stderr).toBe("mesh-mall: rollout failed: vault/echo-v1: couldn't find key part in Secret vault/echo-label\n");

    const withKey = await applyText('secret.yaml', secret('data: {part: czNjcjN0LXBhcnQ=}\n'));
    expect(withKey).toEqual({ code: 0, stdout: 'secret/echo-label configured\n', stderr: '' });
    expect(await servedBy()).toBe('vault/s3cr3t-part-$(OPTIONAL_PART)-$(LABEL_PART)@v1');
  });

  it('lists Secrets as kubectl does (NAME TYPE DATA AGE), never their values', async () => {
    const table = await mesh.cli('get', 'secrets');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAMESPACE {3}NAME {9}TYPE {5}DATA {3}AGE\nvault {7}echo-label {3}Opaque {3}1 {6}\d+s\n$/);
    const json = await mesh.cli('get', 'secrets', '-o', 'json');
    const [shown] = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect({ ...shown, creationTimestamp: undefined }).toEqual({ namespace: 'vault', name: 'echo-label', type: 'Opaque', data: { part: '11 bytes' }, creationTimestamp: undefined });
    expect(shown!.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    for (const output of [table.stdout, json.stdout, (await mesh.cli('get', 'secrets', '-o', 'yaml')).stdout]) {
      expect(output).not.toContain('s3cr3t');
      expect(output).not.toContain('czNjcjN0LXBhcnQ');
    }
  });

  it('refuses what the API server refuses, keeps running pods as they are when the Secret changes or goes', async () => {
    const badKey = await applyText('bad.yaml', secret('type: Opaque\nstringData: {"a b": x}\n'));
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toContain(`Secret echo-label: data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters`);
    const retyped = await applyText('retyped.yaml', secret('type: example.com/other\ndata: {part: czNjcjN0LXBhcnQ=}\n'));
    expect(retyped.stderr).toBe('mesh-mall: secret/echo-label: type: Invalid value: "example.com/other": field is immutable\n');

    expect((await applyText('secret.yaml', secret('stringData: {part: changed}\n'))).stdout).toBe('secret/echo-label configured\n');
    expect((await mesh.cli('delete', '-f', join(dir, 'secret.yaml'))).stdout).toBe('secret/echo-label deleted\n');
    expect(await servedBy()).toBe('vault/s3cr3t-part-$(OPTIONAL_PART)-$(LABEL_PART)@v1');
  });
});
