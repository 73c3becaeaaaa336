import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestError, parseManifests, readManifests, type WorkloadManifest } from './manifests.js';
import { REPO_ROOT } from '../lib/paths.js';

describe('manifests', () => {
  it('reads the base act: six v1 Deployments with app/version labels, their Services on 7000, and MongoDB', async () => {
    const { manifests, warnings } = await readManifests([join(REPO_ROOT, 'install/base_apps.yaml')]);
    const deployments = manifests.filter((m): m is WorkloadManifest => m.kind === 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(
      ['discount-v1', 'mall-v1', 'products-v1', 'recommend-v1', 'scores-v1', 'users-v1'],
    );
    for (const d of deployments) {
      expect(d.metadata.namespace).toBe('base');
      expect(d.spec.template.metadata.labels).toMatchObject({ app: d.metadata.name.replace('-v1', ''), version: 'v1' });
    }
    const services = manifests.filter((m) => m.kind === 'Service');
    expect(services.filter((s) => s.kind === 'Service' && s.spec.ports[0]!.port === 7000 && s.spec.ports[0]!.name === 'http')).toHaveLength(6);
    expect(manifests.some((m) => m.kind === 'StatefulSet' && m.metadata.name === 'mongodb')).toBe(true);
    expect(warnings).toEqual([]);
  });

  it('names the kinds it does not use instead of ignoring them', () => {
    const { warnings } = parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n', 'x.yaml');
    expect(warnings).toEqual(['x.yaml (document 1): ConfigMap x is not used by the local runtime']);
  });

  it('refuses kinds that would route or admit requests on a cluster (Gateway API, Ingress, NetworkPolicy): ignoring them would change outcomes', () => {
    for (const [apiVersion, kind] of [
      ['gateway.networking.k8s.io/v1', 'HTTPRoute'],
      ['networking.k8s.io/v1', 'NetworkPolicy'],
      ['networking.k8s.io/v1', 'Ingress'],
    ]) {
      expect(() => parseManifests(`apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: x}\n`, 'x.yaml')).toThrow(
        `x.yaml (document 1): ${kind} x: ${kind} is not supported by the local runtime (valid on a cluster)`,
      );
    }
  });

  it('reports an invalid object with file, document and field', () => {
    const text = 'kind: Namespace\napiVersion: v1\nmetadata: {name: ok}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {selector: {matchLabels: {}}, template: {metadata: {}, spec: {containers: []}}}\n';
    expect(() => parseManifests(text, 'apps.yaml')).toThrow(ManifestError);
    expect(() => parseManifests(text, 'apps.yaml')).toThrow(/apps.yaml \(document 2\): Deployment web: spec.template.spec.containers/);
  });

  it('reports broken YAML and missing files clearly', async () => {
    expect(() => parseManifests('a: [', 'bad.yaml')).toThrow(/bad.yaml \(document 1\): invalid YAML/);
    await expect(readManifests(['/nonexistent.yaml'])).rejects.toThrow('cannot read /nonexistent.yaml');
  });
});
