import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, SERVICES_DIR } from '../lib/paths.js';
import { formatFinding, lint } from './lint.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mesh-mall-lint-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function files(tree: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(dir, 'case-'));
  for (const [path, text] of Object.entries(tree)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

/** A billion laughs in YAML: nine aliases of nine aliases of … */
const ALIAS_BOMB = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]`)].join('\n');

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web-v1, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, version: v1}}
    spec:
      containers:
      - name: web
        image: mesh-mall/mall:v1
        env: [{name: T, valueFrom: {secretKeyRef: {name: creds, key: t}}}]
`;

const ROUTES = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: [web]
  http:
  - corsPolicy: {allowOrigins: [{exact: "https://example.com"}]}
    route: [{destination: {host: web}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: other, namespace: shop}
spec:
  hosts: [web.shop.svc.cluster.local]
  gateways: [shop/gateway]
  http:
  - match: [{uri: {regex: "(?<=x)y"}}]
    route: [{destination: {host: web}}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{name: http, port: 7000}]}
`;

describe('mesh-mall lint', () => {
  it("finds nothing in the project's own manifests", async () => {
    expect(await lint([join(REPO_ROOT, 'install'), join(REPO_ROOT, 'istio')], SERVICES_DIR)).toEqual([]);
  });

  it('reads directories recursively in name order (.yaml and .yml, not Kustomize files) and files as given; findings are one line each', async () => {
    const root = await files({
      'a.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {istio-injection: enabled}}\n---\n---\njust text\n---\n- a list\n---\nkey: [unclosed\n',
      'kustomization.yaml': 'not: [yaml',
      'notes.txt': 'not: [yaml',
      'nested/b.yml': `${DEPLOYMENT.replace('image: mesh-mall/mall:v1', 'image: mesh-mall/mall:v1\n        colour: red')}`,
      'z/bomb.yaml': ALIAS_BOMB,
    });
    const routes = await files({ 'routes.yaml': ROUTES });
    const findings = await lint([root, join(routes, 'routes.yaml')], SERVICES_DIR, root);
    expect(findings.map(formatFinding)).toEqual([
      'a.yaml: document 3: (root): not a Kubernetes object',
      'a.yaml: document 4: (root): not a Kubernetes object',
      'a.yaml: document 5: (root): invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 11, column 1',
      'nested/b.yml: Deployment shop/web-v1: spec.template.spec.containers[0].colour: unknown field',
      'z/bomb.yaml: document 1: (root): invalid YAML: Excessive alias count indicates a resource exhaustion attack',
      `${join('..', routes.slice(dir.length + 1), 'routes.yaml')}: VirtualService shop/other: spec.gateways[0]: no Gateway shop/gateway in the linted files`,
      'nested/b.yml: Deployment shop/web-v1: spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name: no Secret shop/creds in the linted files: unless it is created on the cluster, the pod does not start (warning)',
      `${join('..', routes.slice(dir.length + 1), 'routes.yaml')}: VirtualService shop/web: (local runtime): spec.http[0].corsPolicy is not supported by the local runtime (valid on a cluster; README "What the local mesh implements") (warning)`,
      `${join('..', routes.slice(dir.length + 1), 'routes.yaml')}: VirtualService shop/other: (local runtime): http[0] regex "(?<=x)y": error parsing regexp: invalid named capture: \`(?<=x)y\``,
    ]);
    expect(findings.filter((f) => f.severity === 'warning')).toHaveLength(2);
  });

  it('shows a file by its absolute path when it is the working directory itself, and stops at a path that is not there', async () => {
    const root = await files({ 'web.yaml': 'just text\n' });
    expect(await lint([join(root, 'web.yaml')], SERVICES_DIR, join(root, 'web.yaml'))).toEqual([
      { file: join(root, 'web.yaml'), subject: 'document 1', path: '(root)', message: 'not a Kubernetes object' },
    ]);
    await expect(lint([join(root, 'absent.yaml')], SERVICES_DIR)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
