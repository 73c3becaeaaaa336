import { isDeepStrictEqual } from 'node:util';
import { isIstio, isWorkload, ManifestError, namespaceOf, objectKey, resourceName, type IstioManifests, type Manifest, type SecretManifest, type WorkloadManifest } from '../api/manifests.js';
import { secretUpdateErrors } from '../api/secret.js';
import { ROOT_NAMESPACE } from '../istio/mesh-config.js';

/** Namespaces a cluster with Istio has before anything is applied. */
const BUILT_IN_NAMESPACES = ['default', ROOT_NAMESPACE];

/** What kubectl prints for an object it applied. */
export type ApplyVerdict = 'created' | 'configured' | 'unchanged';

/** The applied objects, by kind, namespace and name: what the API server stores. */
export class ObjectStore {
  private readonly objects = new Map<string, Manifest>();
  /** metadata.creationTimestamp, in whole seconds as the API server stores it. */
  private readonly created = new Map<string, number>();

  get(manifest: Manifest): Manifest | undefined {
    return this.objects.get(objectKey(manifest));
  }

  /** Stores an object (replacing its previous version) and says what that was. */
  put(manifest: Manifest): ApplyVerdict {
    const key = objectKey(manifest);
    const previous = this.objects.get(key);
    if (previous && isDeepStrictEqual(previous, manifest)) return 'unchanged';
    this.objects.set(key, manifest);
    if (!previous) this.created.set(key, nowInSeconds());
    return previous ? 'configured' : 'created';
  }

  /** Removes an object, and for a Namespace everything in it; returns what was removed (nothing if it was not there). */
  remove(manifest: Manifest): Manifest[] {
    const stored = this.get(manifest);
    if (!stored) return [];
    const contents = manifest.kind === 'Namespace' ? this.list().filter((o) => o.kind !== 'Namespace' && namespaceOf(o) === manifest.metadata.name) : [];
    const removed = [...contents, stored];
    for (const object of removed) {
      this.objects.delete(objectKey(object));
      this.created.delete(objectKey(object));
    }
    return removed;
  }

  list(): Manifest[] {
    return [...this.objects.values()];
  }

  workloads(): WorkloadManifest[] {
    return this.list().filter(isWorkload);
  }

  /** The Secret `namespace/name`, as a kubelet fetches it when a pod starts. */
  secret(namespace: string, name: string): SecretManifest | undefined {
    const stored = this.objects.get(objectKey({ kind: 'Secret', metadata: { name, namespace } }));
    return stored?.kind === 'Secret' ? stored : undefined;
  }

  /** The stored Istio objects, with `added` put in (replacing stored versions) as an apply would make them. */
  istio(added: readonly IstioManifests[] = []): IstioManifests[] {
    const byKey = new Map<string, IstioManifests>();
    for (const object of this.objects.values()) if (isIstio(object)) byKey.set(objectKey(object), object);
    for (const object of added) byKey.set(objectKey(object), object);
    return [...byKey.values()];
  }

  /** When an object was created, in whole seconds; one not stored yet would be created now. */
  createdAt(manifest: Manifest): number {
    return this.created.get(objectKey(manifest)) ?? nowInSeconds();
  }

  /** As the API server does: an object may only go into a namespace that exists (or comes in the same apply). */
  checkNamespaces(batch: readonly Manifest[]): void {
    const declared = [...this.objects.values(), ...batch].filter((m) => m.kind === 'Namespace').map((m) => m.metadata.name);
    const known = new Set([...BUILT_IN_NAMESPACES, ...declared]);
    for (const manifest of batch) {
      if (manifest.kind !== 'Namespace' && !known.has(namespaceOf(manifest))) {
        throw new ManifestError(`${resourceName(manifest)}/${manifest.metadata.name}: namespace "${namespaceOf(manifest)}" not found (apply its Namespace first)`);
      }
    }
  }

  /** As the API server does: updates a stored object refuses (a Secret's type; its data once immutable). */
  checkUpdates(batch: readonly Manifest[]): void {
    for (const manifest of batch) {
      const previous = this.get(manifest);
      if (manifest.kind !== 'Secret' || previous?.kind !== 'Secret') continue;
      const errors = secretUpdateErrors(manifest, previous);
      if (errors.length > 0) throw new ManifestError(`${resourceName(manifest)}/${manifest.metadata.name}: ${errors.join('; ')}`);
    }
  }
}

function nowInSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
