import { describe, expect, it } from 'vitest';
import { ManifestError, type Manifest } from '../api/manifests.js';
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
