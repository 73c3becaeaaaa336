import { describe, expect, it, vi } from 'vitest';
import { ManifestError, parseManifests, type Manifest } from '../api/manifests.js';
import { readSecret } from '../api/secret.js';
import { ObjectStore } from './object-store.js';

const secret = (fields: Record<string, unknown>) => readSecret({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'mongodb-root', namespace: 'base' }, ...fields });

describe('ObjectStore and Secrets', () => {
  it('finds a stored Secret by namespace and name, and nothing of another kind or namespace', () => {
    const store = new ObjectStore();
    const stored = secret({ stringData: { username: 'root' } });
    const sa: Manifest = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'mongodb-root', namespace: 'other' } };
    expect(store.put(stored)).toBe('created');
    expect(store.put(sa)).toBe('created');
    expect(store.secret('base', 'mongodb-root')).toBe(stored);
    expect(store.secret('other', 'mongodb-root')).toBeUndefined();
    expect(store.put(secret({ data: { username: 'cm9vdA==' } }))).toBe('unchanged');
  });

  it('refuses an update the API server refuses, naming the Secret', () => {
    const store = new ObjectStore();
    store.put(secret({ stringData: { a: 'x' }, immutable: true }));
    expect(() => store.checkUpdates([secret({ stringData: { a: 'x' }, immutable: true })])).not.toThrow();
    expect(() => store.checkUpdates([secret({ type: 'example.com/x', stringData: { a: 'y' }, immutable: true })])).toThrow(
      new ManifestError('secret/mongodb-root: type: Invalid value: "example.com/x": field is immutable; data: Forbidden: field is immutable when `immutable` is set'),
    );
  });
});

const objects = (yaml: string) => parseManifests(yaml, 'objects.yaml').manifests;

const LANE = objects(`
apiVersion: v1
kind: Namespace
metadata: {name: jason}
---
apiVersion: v1
kind: Service
metadata: {name: recommend, namespace: jason}
spec: {selector: {app: recommend}, ports: [{name: http, port: 7000}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: recommend-v2, namespace: jason}
spec:
  replicas: 1
  selector: {matchLabels: {app: recommend}}
  template:
    metadata: {labels: {app: recommend, version: v2}}
    spec: {containers: [{name: recommend, image: mesh-mall/recommend:v2}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: recommend, namespace: jason}
spec:
  hosts: [recommend.base.svc.cluster.local]
  http: [{route: [{destination: {host: recommend.jason.svc.cluster.local}}]}]
---
apiVersion: v1
kind: Service
metadata: {name: recommend, namespace: base}
spec: {selector: {app: recommend}, ports: [{name: http, port: 7000}]}
`);

describe('ObjectStore', () => {
  it('says created, configured or unchanged, as kubectl apply does', () => {
    const store = new ObjectStore();
    const [namespace, service] = LANE;
    expect(store.put(namespace!)).toBe('created');
    expect(store.put(service!)).toBe('created');
    expect(store.put(structuredClone(service!))).toBe('unchanged');
    const changed = structuredClone(service!) as Extract<Manifest, { kind: 'Service' }>;
    changed.spec.ports[0]!.port = 8080;
    expect(store.put(changed)).toBe('configured');
    expect(store.get(service!)).toBe(changed);
    expect(store.list()).toEqual([namespace, changed]);
  });

  it("deletes a Namespace with everything in it, and nothing of another namespace's", () => {
    const store = new ObjectStore();
    for (const object of LANE) store.put(object);
    const [namespace, service, deployment, virtualService, baseService] = LANE;
    expect(store.workloads()).toEqual([deployment]);
    expect(store.remove(namespace!)).toEqual([service, deployment, virtualService, namespace]);
    expect(store.list()).toEqual([baseService]);
    expect(store.remove(namespace!)).toEqual([]);
    expect(store.remove(baseService!)).toEqual([baseService]);
    expect(store.list()).toEqual([]);
  });

  it('keeps creationTimestamp in whole seconds across updates, until the object is deleted', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2025-06-01T12:00:00.900Z') });
    try {
      const store = new ObjectStore();
      const [namespace] = LANE;
      store.put(namespace!);
      const created = Date.parse('2025-06-01T12:00:00Z') / 1000;
      vi.setSystemTime(Date.parse('2025-06-01T12:05:00Z'));
      // One not stored would be created now.
      expect(store.createdAt(LANE[1]!)).toBe(created + 300);
      store.put({ ...namespace!, metadata: { ...namespace!.metadata, labels: { 'istio-injection': 'enabled' } } } as Manifest);
      expect(store.createdAt(namespace!)).toBe(created);
      store.remove(namespace!);
      store.put(namespace!);
      expect(store.createdAt(namespace!)).toBe(created + 300);
    } finally {
      vi.useRealTimers();
    }
  });

  it('lets an object into a namespace that exists, is built in, or comes in the same apply', () => {
    const store = new ObjectStore();
    const [namespace, service, , , baseService] = LANE;
    expect(() => store.checkNamespaces([service!])).toThrow(new ManifestError('service/recommend: namespace "jason" not found (apply its Namespace first)'));
    expect(() => store.checkNamespaces([service!, namespace!])).not.toThrow();
    store.put(namespace!);
    expect(() => store.checkNamespaces([service!])).not.toThrow();
    expect(() => store.checkNamespaces([baseService!])).toThrow(new ManifestError('service/recommend: namespace "base" not found (apply its Namespace first)'));
    const builtIn = objects(`
apiVersion: v1
kind: ServiceAccount
metadata: {name: a}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: g, namespace: istio-system}
spec: {selector: {istio: ingressgateway}, servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]}
`);
    expect(() => new ObjectStore().checkNamespaces(builtIn)).not.toThrow();
  });

  it('gives the Istio objects as an apply would make them: the stored ones, those applied replacing theirs', () => {
    const store = new ObjectStore();
    for (const object of LANE) store.put(object);
    const stored = LANE[3]!;
    expect(store.istio()).toEqual([stored]);
    const replacement = { ...stored, spec: { ...(stored as { spec: object }).spec, exportTo: ['.'] } } as Manifest;
    const added = objects(`
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: recommend, namespace: jason}
spec: {host: recommend}
`)[0]!;
    expect(store.istio([replacement as never, added as never])).toEqual([replacement, added]);
    expect(store.istio()).toEqual([stored]);
  });
});
