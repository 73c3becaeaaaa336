import { formatPath } from '../api/strict.js';
import { modelFor, KNOWN_API_VERSIONS } from './models.js';

/** One problem in one object: where (a path in the object) and what. */
export interface Problem {
  path: string;
  message: string;
}

type Reads = Map<string, Set<string> | 'all'>;

/**
 * Validates an object against its API's schema, and finds the keys the schema does not know. The official schemas
 * let unknown keys through (`wieght:` would pass), so the object is wrapped in a proxy that records which keys the
 * generated validator looks at; a key it never looks at is not part of the API. Maps whose keys the validator
 * enumerates (labels, annotations) count as fully known.
 */
export function checkSchema(object: Record<string, unknown>): Problem[] {
  const { apiVersion, kind } = object as { apiVersion?: unknown; kind?: unknown };
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return [{ path: '(root)', message: 'apiVersion and kind are required' }];
  }
  const model = modelFor(apiVersion, kind);
  if (!model) {
    const hint = KNOWN_API_VERSIONS.includes(apiVersion) ? `no kind ${kind} in ${apiVersion}` : `unknown apiVersion ${apiVersion}`;
    return [{ path: 'kind', message: hint }];
  }
  const reads: Reads = new Map();
  const problems: Problem[] = [];
  try {
    model.prototype.validate.call(track(object, '', reads));
  } catch (error) {
    const errors = (error as { errors?: { instancePath: string; message?: string }[] }).errors;
    if (!errors) throw error;
    for (const e of errors) problems.push({ path: pointerToPath(e.instancePath), message: e.message ?? 'invalid' });
  }
  for (const [path, key] of unknownKeys(object, '', reads)) problems.push({ path: path ? `${path}.${key}` : key, message: 'unknown field' });
  return problems;
}

function track(value: unknown, path: string, reads: Reads): unknown {
  if (value === null || typeof value !== 'object') return value;
  const record = (key: string) => {
    const seen = reads.get(path);
    if (seen === 'all') return;
    if (seen) seen.add(key);
    else reads.set(path, new Set([key]));
  };
  return new Proxy(value, {
    get(target, key) {
      const child = (target as Record<PropertyKey, unknown>)[key];
      if (typeof key !== 'string') return child;
      record(key);
      return track(child, Array.isArray(target) ? `${path}[${key}]` : path ? `${path}.${key}` : key, reads);
    },
    has(target, key) {
      if (typeof key === 'string') record(key);
      return key in target;
    },
    ownKeys(target) {
      reads.set(path, 'all');
      return Reflect.ownKeys(target);
    },
  });
}

/** Keys of objects the validator entered but never asked about. Objects it never entered are not judged. */
function* unknownKeys(value: unknown, path: string, reads: Reads): Generator<[string, string]> {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* unknownKeys(item, `${path}[${i}]`, reads);
    return;
  }
  const seen = reads.get(path);
  for (const [key, child] of Object.entries(value)) {
    if (seen instanceof Set && !seen.has(key)) yield [path, key];
    else yield* unknownKeys(child, path ? `${path}.${key}` : key, reads);
  }
}

/** `/spec/http/0/route` → `spec.http[0].route` */
function pointerToPath(pointer: string): string {
  const parts = pointer.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p.replace(/~1/g, '/').replace(/~0/g, '~')));
  return formatPath('', parts) || '(root)';
}
