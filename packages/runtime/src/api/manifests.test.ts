import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestError, parseDocuments, parseManifests, readManifests, toObjectNames, type WorkloadManifest } from './manifests.js';
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

  it('refuses kinds that would route or admit requests on a cluster (Gateway API kinds other than Gateway, HTTPRoute and ReferenceGrant, Ingress, NetworkPolicy): ignoring them would change outcomes', () => {
    for (const [apiVersion, kind] of [
      ['gateway.networking.k8s.io/v1', 'GRPCRoute'],
      ['networking.k8s.io/v1', 'NetworkPolicy'],
      ['networking.k8s.io/v1', 'Ingress'],
    ]) {
      expect(() => parseManifests(`apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: x}\n`, 'x.yaml')).toThrow(
        `x.yaml (document 1): ${kind} x: ${kind} is not supported by the local runtime (valid on a cluster)`,
      );
    }
  });

  it("refuses an Istio or Gateway API kind under a version its group does not serve, rather than ignore it", () => {
    for (const [apiVersion, kind] of [
      ['apps/v2', 'VirtualService'],
      ['gateway.networking.k8s.io/v1', 'VirtualService'],
      ['networking.istio.io/v1', 'HTTPRoute'],
      ['gateway.networking.k8s.io/v1', 'ReferenceGrant'],
    ]) {
      expect(() => parseManifests(`apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: x}\nspec: {}\n`, 'x.yaml'), `${apiVersion} ${kind}`).toThrow(/apiVersion: Invalid (option|input)/);
    }
  });

  it('refuses what the API server refuses whatever the kind: no apiVersion or kind, not an object, a kind its groups do not serve, invalid names and labels', () => {
    const refusal = (yaml: string) => {
      try {
        parseManifests(yaml, 'x.yaml');
      } catch (error) {
        return (error as Error).message;
      }
      return 'applied';
    };
    expect(refusal('metadata: {name: x}\n')).toBe('x.yaml (document 1): apiVersion not set; kind not set');
    expect(refusal('apiVersion: v1\nkind: 42\nmetadata: {name: x}\n')).toBe('x.yaml (document 1): kind not set');
    expect(refusal('just a string\n')).toBe('x.yaml (document 1): a document must be an object with apiVersion, kind and metadata, not a string');
    expect(refusal('- a\n- b\n')).toBe('x.yaml (document 1): a document must be an object with apiVersion, kind and metadata, not a list');
    expect(refusal('apiVersion: v1\nkind: Widget\nmetadata: {name: x}\n')).toBe('x.yaml (document 1): Widget "x": no matches for kind "Widget" in version "v1"');
    expect(refusal('apiVersion: apps/v1\nkind: Deployments\nmetadata: {name: x}\n')).toBe('x.yaml (document 1): Deployments "x": no matches for kind "Deployments" in version "apps/v1"');
    expect(refusal('apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n')).toBe('x.yaml (document 1): ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required');
    const service = (name: string) => refusal(`apiVersion: v1\nkind: Service\nmetadata: {name: "${name}"}\nspec: {ports: [{port: 80}]}\n`);
    const dns1035 = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
    expect(service('1abc')).toBe(`x.yaml (document 1): Service "1abc" is invalid: metadata.name: Invalid value: "1abc": ${dns1035}`);
    expect(service('a.b')).toBe(`x.yaml (document 1): Service "a.b" is invalid: metadata.name: Invalid value: "a.b": ${dns1035}`);
    const long = 'a'.repeat(64);
    expect(service(long)).toBe(`x.yaml (document 1): Service "${long}" is invalid: metadata.name: Invalid value: "${long}": must be no more than 63 characters`);
    const subdomain = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    expect(refusal('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a..b}\n')).toBe(`x.yaml (document 1): ConfigMap "a..b" is invalid: metadata.name: Invalid value: "a..b": ${subdomain}`);
    expect(refusal(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${'a'.repeat(253)}}\n`)).toBe('applied');
    expect(refusal('apiVersion: v1\nkind: Namespace\nmetadata: {name: a.b}\n')).toBe(
      `x.yaml (document 1): Namespace "a.b" is invalid: metadata.name: Invalid value: "a.b": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    );
    expect(refusal(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, labels: {"Bad Key!": "v", "example.com/ok": ${'x'.repeat(64)}}}\n`)).toBe(
      `x.yaml (document 1): ConfigMap "x" is invalid: metadata.labels: Invalid value: "Bad Key!": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'); metadata.labels: Invalid value: "${'x'.repeat(64)}": must be no more than 63 characters`,
    );
    expect(refusal('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {template: {metadata: {labels: {app: "-x"}}}}\n')).toBe(
      `x.yaml (document 1): Deployment "x" is invalid: spec.template.metadata.labels: Invalid value: "-x": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    );
  });

  it('refuses kinds a cluster acts on that the runtime does not model (pods it would run, replicas it would change, defaults and quotas), and Lists to unpack', () => {
    for (const [apiVersion, kind] of [
      ['v1', 'Pod'],
      ['apps/v1', 'ReplicaSet'],
      ['v1', 'ReplicationController'],
      ['apps/v1', 'DaemonSet'],
      ['batch/v1', 'Job'],
      ['batch/v1', 'CronJob'],
      ['autoscaling/v2', 'HorizontalPodAutoscaler'],
      ['v1', 'LimitRange'],
      ['v1', 'ResourceQuota'],
      ['v1', 'ConfigMapList'],
    ] as const) {
      expect(() => parseManifests(`apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: x}\n`, 'x.yaml')).toThrow(
        kind.endsWith('List')
          ? `x.yaml (document 1): ${kind} "x": a ${kind} is not supported by the local runtime: put its items in documents of their own`
          : `x.yaml (document 1): ${kind} "x": ${kind} is not supported by the local runtime (valid on a cluster)`,
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

  it('reads a Secret as the API server stores it, and names it for delete', () => {
    const text = 'apiVersion: v1\nkind: Secret\nmetadata: {name: mongodb-root, namespace: base}\nstringData: {username: root}\ndata: {username: YWRtaW4=, password: cHc=}\n';
    expect(parseManifests(text, 's.yaml')).toEqual({
      manifests: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'mongodb-root', namespace: 'base' }, type: 'Opaque', data: { password: 'cHc=', username: 'cm9vdA==' } }],
      warnings: [],
      clusterOnly: [],
    });
    expect(toObjectNames(parseDocuments('apiVersion: v1\nkind: Secret\nmetadata: {name: x}\ndata: {k: "!"}\n', 's.yaml'))).toEqual([
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } },
    ]);
    expect(() => parseManifests('apiVersion: v1\nkind: Secret\nmetadata: {name: x}\ndata: {password: not-base64}\n', 's.yaml')).toThrow(
      new ManifestError('s.yaml (document 1): Secret x: data[password]: illegal base64 data at input byte 3'),
    );
  });

  const deployment = (container: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      volumes: [{name: data, emptyDir: {}}]\n      containers:\n        - name: web\n          image: mesh-mall/mall:v1\n${container}`;

  it('accepts secretKeyRef env, and still sums up the fields only a cluster uses (preStop, volumes) in one note', () => {
    const { manifests, clusterOnly } = parseManifests(
      deployment(
        '          env:\n            - {name: U, valueFrom: {secretKeyRef: {name: mongodb-root, key: username, optional: false}}}\n          lifecycle: {preStop: {exec: {command: [sleep, "5"]}}}\n          volumeMounts: [{name: data, mountPath: /data}]\n',
      ),
      'd.yaml',
    );
    expect((manifests[0] as WorkloadManifest).spec.template.spec.containers[0]!.env).toEqual([{ name: 'U', valueFrom: { secretKeyRef: { name: 'mongodb-root', key: 'username', optional: false } } }]);
    expect(clusterOnly).toEqual(['lifecycle', 'volumeMounts', 'volumes']);
  });

  it("takes a ProxyConfig's terminationDrainDuration annotation (cluster-only) and refuses other Istio annotations", () => {
    const withAnnotations = (annotations: string) =>
      deployment('').replace('    metadata: {labels: {app: web}}\n', `    metadata:\n      labels: {app: web}\n      annotations:\n${annotations}`);
    const taken = parseManifests(withAnnotations(`        proxy.istio.io/config: '{"terminationDrainDuration": "19s"}'\n`), 'd.yaml');
    expect((taken.manifests[0] as WorkloadManifest).spec.template.metadata.annotations).toEqual({ 'proxy.istio.io/config': '{"terminationDrainDuration": "19s"}' });
    const refusal = (annotations: string) => {
      try {
        parseManifests(withAnnotations(annotations), 'd.yaml');
      } catch (error) {
        return (error as Error).message.replace('d.yaml (document 1): Deployment web: spec.template.metadata.annotations', '');
      }
      throw new Error('accepted');
    };
    expect(refusal(`        sidecar.istio.io/inject: "false"\n`)).toBe('[sidecar.istio.io/inject] is not supported by the local runtime (valid on a cluster)');
    expect(refusal(`        proxy.istio.io/config: |\n          terminationDrainDuration: 19s\n          tracing: {sampling: 1}\n`)).toBe(
      '[proxy.istio.io/config]: tracing is not supported by the local runtime (valid on a cluster)',
    );
    expect(refusal(`        proxy.istio.io/config: '{"terminationDrainDuration": "soon"}'\n`)).toBe('[proxy.istio.io/config]: terminationDrainDuration: must be a duration such as 19s');
    expect(refusal(`        proxy.istio.io/config: '[1]'\n`)).toBe('[proxy.istio.io/config]: not a ProxyConfig in YAML or JSON: not an object');
    expect(parseManifests(withAnnotations(`        kubectl.kubernetes.io/restartedAt: "2026-11-23T00:00:00Z"\n`), 'd.yaml').manifests).toHaveLength(1);
  });

  it('reads cpu and memory requests and limits, refusing what the API server refuses and resources it cannot place', () => {
    const refusal = (resources: string) => {
      try {
        parseManifests(deployment(`          resources: ${resources}\n`), 'd.yaml');
      } catch (error) {
        return (error as Error).message.replace('d.yaml (document 1): Deployment web: spec.template.spec.containers[0].resources.', '');
      }
      throw new Error('accepted');
    };
    const { manifests } = parseManifests(deployment('          resources: {requests: {cpu: 50m, memory: 96Mi}, limits: {cpu: 1, memory: 256Mi}}\n'), 'd.yaml');
    expect((manifests[0] as WorkloadManifest).spec.template.spec.containers[0]!.resources).toEqual({ requests: { cpu: '50m', memory: '96Mi' }, limits: { cpu: 1, memory: '256Mi' } });
    expect(refusal('{requests: {memory: 512Mi}, limits: {memory: 256Mi}}')).toBe('requests.memory: must be less than or equal to memory limit of 256Mi');
    expect(refusal('{requests: {memory: lots}}')).toBe("requests.memory: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    expect(refusal('{limits: {nvidia.com/gpu: 1}}')).toBe('limits.nvidia.com/gpu: resource nvidia.com/gpu is not supported by the local runtime (cpu and memory are; valid on a cluster)');
  });

  it("reads a Deployment's strategy as the API server validates it", () => {
    const withStrategy = (strategy: string) => deployment('').replace('spec:\n  selector', `spec:\n  strategy: ${strategy}\n  selector`);
    const taken = parseManifests(withStrategy('{type: RollingUpdate, rollingUpdate: {maxSurge: 2, maxUnavailable: "50%"}}'), 'd.yaml').manifests[0] as WorkloadManifest;
    expect(taken.kind === 'Deployment' && taken.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 2, maxUnavailable: '50%' } });
    expect(() => parseManifests(withStrategy('{rollingUpdate: {maxSurge: 0, maxUnavailable: "0%"}}'), 'd.yaml')).toThrow('spec.strategy.rollingUpdate.maxUnavailable: may not be 0 when `maxSurge` is 0');
    expect(() => parseManifests(withStrategy('{type: Recreate, rollingUpdate: {maxSurge: 1}}'), 'd.yaml')).toThrow("spec.strategy.rollingUpdate: may not be specified when strategy `type` is 'Recreate'");
    expect(() => parseManifests(withStrategy('{rollingUpdate: {maxSurge: "1.5"}}'), 'd.yaml')).toThrow('must be an integer or a percentage');
  });

  it('refuses a YAML alias bomb and replicas beyond an int32 in one line each', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]`)].join('\n');
    expect(() => parseManifests(bomb, 'bomb.yaml')).toThrow(/^bomb\.yaml \(document 1\): invalid YAML: Excessive alias count/);
    expect(() => parseManifests(deployment('').replace('spec:\n  selector', 'spec:\n  replicas: 4294967296\n  selector'), 'd.yaml')).toThrow('spec.replicas');
  });

  it('refuses env it cannot resolve (other valueFrom sources, envFrom) instead of calling it cluster-only', () => {
    expect(() => parseManifests(deployment('          envFrom: [{secretRef: {name: s}}]\n          env:\n            - {name: A, valueFrom: {configMapKeyRef: {name: c, key: k}}}\n'), 'd.yaml')).toThrow(
      new ManifestError(
        'd.yaml (document 1): Deployment web: spec.template.spec.containers[0].env[0].valueFrom.configMapKeyRef is not supported by the local runtime (valid on a cluster); spec.template.spec.containers[0].envFrom is not supported by the local runtime (valid on a cluster)',
      ),
    );
  });

  it('refuses env the API server refuses: a bad secretKeyRef key, value and valueFrom together, two sources', () => {
    const refusal = (env: string) => {
      try {
        parseManifests(deployment(`          env:\n            - ${env}\n`), 'd.yaml');
      } catch (error) {
        return (error as Error).message.replace('d.yaml (document 1): Deployment web: spec.template.spec.containers[0].env[0].', '');
      }
      throw new Error('accepted');
    };
    expect(refusal('{name: A, valueFrom: {secretKeyRef: {name: s, key: "a b"}}}')).toBe(
      `valueFrom.secretKeyRef.key: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    );
    expect(refusal('{name: A, valueFrom: {secretKeyRef: {name: s, key: ""}}}')).toBe('valueFrom.secretKeyRef.key: Required value');
    expect(refusal('{name: A, value: x, valueFrom: {secretKeyRef: {name: s, key: k}}}')).toBe('valueFrom: Invalid value: "": may not be specified when `value` is not empty');
    expect(refusal('{name: A, valueFrom: {secretKeyRef: {name: s, key: k}, fieldRef: {fieldPath: metadata.name}}}')).toBe(
      'valueFrom: Invalid value: "": may not have more than one field specified at a time',
    );
    expect(refusal('{name: A, valueFrom: {}}')).toBe('valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`');
  });
});
