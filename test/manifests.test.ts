import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { baseConfigShape, exitDeadlineMs } from '@mesh-mall/kit';
import { formatFinding, lint, SERVICES_DIR } from '@mesh-mall/runtime';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from './support/mesh-mall.js';

const run = promisify(execFile);

/** A copy of install/ and istio/ to break. */
async function copy(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-mall-lint-'));
  await cp(join(REPO_ROOT, 'install'), join(dir, 'install'), { recursive: true });
  await cp(join(REPO_ROOT, 'istio'), join(dir, 'istio'), { recursive: true });
  return dir;
}

async function edit(dir: string, file: string, change: (text: string) => string): Promise<void> {
  const path = join(dir, file);
  const before = await readFile(path, 'utf8');
  const after = change(before);
  expect(after, `the edit of ${file} changed nothing`).not.toBe(before);
  await writeFile(path, after);
}

const lintDir = async (dir: string) => (await lint([join(dir, 'install'), join(dir, 'istio')], SERVICES_DIR, dir)).map(formatFinding);

describe('manifest lint', () => {
  it('passes on every YAML file in install/ and istio/', async () => {
    const findings = await lint([join(REPO_ROOT, 'install'), join(REPO_ROOT, 'istio')], SERVICES_DIR, REPO_ROOT);
    expect(findings.map(formatFinding)).toEqual([]);
  });

  it.each([
    [
      'a misspelled key',
      'istio/mall-canary-50.yaml',
      (t: string) => t.replace('          weight: 50', '          wieght: 50'),
      'istio/mall-canary-50.yaml: VirtualService base/mall: spec.http[0].route[0].wieght: unknown field',
    ],
    [
      'a missing subset',
      'istio/mall-v2-100.yaml',
      (t: string) => t.replace('subset: v2', 'subset: v3'),
      'istio/mall-v2-100.yaml: VirtualService base/mall: spec.http[0].route[0].destination.subset: no DestinationRule defines subset v3 for mall.base.svc.cluster.local',
    ],
    [
      'a second VirtualService for a host',
      'istio/faults/scores-delay-jason.yaml',
      (t: string) => t.replace('  name: scores\n', '  name: scores-fault\n') + '---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: scores\n  namespace: base\nspec:\n  hosts: [scores]\n  http:\n    - route:\n        - destination:\n            host: scores\n',
      'istio/faults/scores-delay-jason.yaml: VirtualService base/scores: spec.hosts[0]: scores.base.svc.cluster.local is also routed by VirtualService base/scores-fault (istio/faults/scores-delay-jason.yaml); Istio needs one VirtualService per host',
    ],
    [
      'a Service selector matching nothing',
      'install/fox-apps.yaml',
      (t: string) => t.replace('  selector:\n    app: favorites', '  selector:\n    app: favourites'),
      'install/fox-apps.yaml: Service fox/favorites: spec.selector: selects no Deployment or StatefulSet in namespace fox',
    ],
    [
      'a wrong type',
      'install/jason-apps.yaml',
      (t: string) => t.replace('  replicas: 1', '  replicas: one'),
      'install/jason-apps.yaml: Deployment jason/recommend-v2: spec.replicas: must be integer',
    ],
    [
      'a destination that is not a Service',
      'istio/jason-routing.yaml',
      (t: string) => t.replace('host: recommend.jason.svc.cluster.local', 'host: recommend.jasn.svc.cluster.local'),
      'istio/jason-routing.yaml: VirtualService jason/recommend: spec.http[0].route[0].destination.host: recommend.jasn.svc.cluster.local is not a Service in the linted files',
    ],
    [
      'a port not named by protocol',
      'install/jason-apps.yaml',
      (t: string) => t.replace('    - name: http\n      port: 7000', '    - name: web\n      port: 7000'),
      'install/jason-apps.yaml: Service jason/recommend: spec.ports[0].name: name the port by protocol (http, grpc, tcp, mongo… or http-<suffix>) so Istio can route it (warning)',
    ],
    [
      'an image with no package',
      'install/mall-v2-apps.yaml',
      (t: string) => t.replace('image: mesh-mall/mall:v2', 'image: mesh-mall/mal:v2'),
      'install/mall-v2-apps.yaml: Deployment base/mall-v2: spec.template.spec.containers[0].image: mesh-mall/mal:v2 names no package in services/',
    ],
    [
      'a lane namespace without sidecar injection',
      'install/jason-apps.yaml',
      (t: string) => t.replace('    istio-injection: enabled', '    team: jason'),
      'install/jason-apps.yaml: Namespace jason: metadata.labels: namespaces of the mall need istio-injection: enabled (no sidecar, no routing) (warning)',
    ],
    [
      'a Deployment without a version label',
      'install/jason-apps.yaml',
      (t: string) => t.replace('        version: v2\n    spec:', '        track: v2\n    spec:'),
      [
        'install/jason-apps.yaml: Deployment jason/recommend-v2: spec.template.metadata.labels.version: pods need the label version (Istio routing and telemetry use it)',
        // The selector asks for version too, and the API server refuses a template its selector does not match.
        'install/jason-apps.yaml: Deployment jason/recommend-v2: spec.selector.matchLabels: does not match the pod template labels (the API server refuses it)',
      ],
    ],
    [
      'a duration Istio refuses (an error)',
      'istio/mall-v2-100.yaml',
      (t: string) => t.replace('    - name: mall-v2\n', '    - name: mall-v2\n      timeout: 0s\n'),
      'istio/mall-v2-100.yaml: VirtualService base/mall: (local runtime): spec.http[0].timeout: must be at least 1ms (Istio refuses shorter durations)',
    ],
    [
      'a field only the local runtime lacks (a warning: the file is valid for a cluster)',
      'istio/mall-v2-100.yaml',
      (t: string) => t.replace('    - name: mall-v2\n', '    - name: mall-v2\n      corsPolicy:\n        allowOrigins:\n          - exact: https://example.com\n'),
      'istio/mall-v2-100.yaml: VirtualService base/mall: (local runtime): spec.http[0].corsPolicy is not supported by the local runtime (valid on a cluster; README "What the local mesh implements") (warning)',
    ],
  ])('reports %s with file and path, and nothing else', async (_, file, change, expected) => {
    const dir = await copy();
    await edit(dir, file, change);
    expect(await lintDir(dir)).toEqual(typeof expected === 'string' ? [expected] : expected);
  });

  it('fails on errors only: a field only the local runtime lacks is reported as a warning', async () => {
    const dir = await copy();
    await edit(dir, 'istio/mall-v2-100.yaml', (t) => t.replace('    - name: mall-v2\n', '    - name: mall-v2\n      corsPolicy:\n        allowOrigins:\n          - exact: https://example.com\n'));
    const findings = await lint([join(dir, 'install'), join(dir, 'istio')], SERVICES_DIR, dir);
    expect(findings.map((f) => [f.path, f.severity])).toEqual([['(local runtime)', 'warning']]);
    expect(formatFinding(findings[0]!)).toMatch(/\(warning\)$/);
    const cli = await run(process.execPath, [join(REPO_ROOT, 'packages/runtime/bin/mesh-mall.js'), 'lint', join(dir, 'install'), join(dir, 'istio')]);
    expect(cli.stdout.trimEnd().split('\n').at(-1)).toBe('mesh-mall lint: no problems, 1 warning');
  });

  it('kubectl kustomize renders install/ offline: a placeholder registry until npm run images names one, then those images', async () => {
    const placeholder = await run('kubectl', ['kustomize', join(REPO_ROOT, 'install')], { maxBuffer: 16 * 1024 * 1024 });
    expect(placeholder.stdout).toContain('image: registry.example.invalid/mesh-mall/users:v1');
    expect(placeholder.stdout).not.toMatch(/image: mesh-mall\//);

    const copy = await mkdtemp(join(tmpdir(), 'mesh-mall-images-'));
    await cp(join(REPO_ROOT, 'install'), join(copy, 'install'), { recursive: true });
    const services = ['mall', 'users', 'recommend', 'scores', 'products', 'discount', 'favorites'];
    // What `npm run images -- --push registry.example.com/team --tag 1.2.3` writes (scripts/images.sh).
    await writeFile(
      join(copy, 'install/images/kustomization.yaml'),
      `apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nimages:\n${services.map((s) => `  - name: mesh-mall/${s}\n    newName: registry.example.com/team/mesh-mall/${s}\n    newTag: "1.2.3"\n`).join('')}`,
    );
    const { stdout } = await run('kubectl', ['kustomize', join(copy, 'install')], { maxBuffer: 16 * 1024 * 1024 });
    expect(stdout).toContain('image: registry.example.com/team/mesh-mall/users:1.2.3');
    expect(stdout).toContain('image: mongo:8.0.12@sha256:95a98776f273721a295b03098578b06bc10281bb56aa828c77e9f60ecc70b150');
    const rendered = join(copy, 'rendered.yaml');
    await writeFile(rendered, stdout);
    expect((await lint([rendered], SERVICES_DIR, copy)).map(formatFinding)).toEqual([]);
  });

  it('kubectl kustomize renders each act', async () => {
    for (const act of ['jason', 'fox', 'mall-v2', 'recommend-v3']) {
      const { stdout } = await run('kubectl', ['kustomize', '--load-restrictor', 'LoadRestrictionsNone', join(REPO_ROOT, 'install/acts', act)]);
      expect(stdout, act).toMatch(/kind: Deployment/);
    }
  });

  it('every mesh-mall pod stops inside its grace period with its sidecar outlasting it, and pulls its tag once', async () => {
    const checked: string[] = [];
    for (const file of ['base_apps', 'jason-apps', 'fox-apps', 'mall-v2-apps', 'recommend-v3-apps']) {
      const documents = parseAllDocuments(await readFile(join(REPO_ROOT, 'install', `${file}.yaml`), 'utf8')).map((d) => d.toJS());
      for (const workload of documents.filter((d) => d?.kind === 'Deployment')) {
        const pod = workload.spec.template;
        const [container] = pod.spec.containers;
        if (!container.image.startsWith('mesh-mall/')) continue;
        const env = Object.fromEntries(container.env.filter((e: { value?: string }) => e.value !== undefined).map((e: { name: string; value: string }) => [e.name, e.value]));
        // As the kit reads them: the manifest's value, or the kit's default.
        const settings = { SHUTDOWN_DELAY_MS: baseConfigShape.SHUTDOWN_DELAY_MS.parse(env.SHUTDOWN_DELAY_MS), DRAIN_TIMEOUT_MS: baseConfigShape.DRAIN_TIMEOUT_MS.parse(env.DRAIN_TIMEOUT_MS) };
        const preStopMs = Number(/^sleep (\d+)$/.exec(container.lifecycle.preStop.exec.command.join(' '))![1]) * 1000;
        // The kubelet's grace period starts with preStop; SIGTERM follows it, and the kit exits by its deadline.
        const stopMs = preStopMs + exitDeadlineMs(settings);
        const drainMs = Number(/^(\d+)s$/.exec(JSON.parse(pod.metadata.annotations['proxy.istio.io/config']).terminationDrainDuration)![1]) * 1000;
        const name = `${file}: ${workload.metadata.name}`;
        expect(stopMs, name).toBeLessThanOrEqual(pod.spec.terminationGracePeriodSeconds * 1000);
        expect(drainMs, `${name}: the sidecar drains while its container still serves`).toBeGreaterThanOrEqual(stopMs);
        expect(container.imagePullPolicy, name).toBe('IfNotPresent');
        checked.push(`${workload.metadata.name} ${stopMs}/${drainMs}/${pod.spec.terminationGracePeriodSeconds * 1000}`);
      }
    }
    expect(checked).toEqual([
      ...['mall-v1', 'users-v1', 'recommend-v1', 'scores-v1', 'products-v1', 'discount-v1'].map((name) => `${name} 19000/19000/20000`),
      'recommend-v2 19000/19000/20000',
      ...['discount-v2', 'products-v2', 'favorites-v1'].map((name) => `${name} 19000/19000/20000`),
      'mall-v2 19000/19000/20000',
      'recommend-v3 19000/19000/20000',
    ]);
  });
});
