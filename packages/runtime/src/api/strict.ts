import type { z } from 'zod';

export interface ParsedStrict<T> {
  value: T;
  /** Field paths present in the input that the schema does not know, e.g. `spec.http[0].corsPolicy`. */
  unknown: string[];
}

/**
 * Parses against a schema of strict objects. Unknown fields are collected by path and dropped (then the rest is
 * parsed again), so the caller can report them; any other problem is an error naming its path.
 */
export function parseStrict<T>(schema: z.ZodType<T>, input: unknown, prefix = 'spec'): ParsedStrict<T> | { error: string } {
  // Copied only along the paths whose keys are dropped, so the caller's object stays as it was, and a value nesting
  // deeper than any copy could recurse is never walked.
  const copies = new WeakSet<object>();
  const copyOf = <V>(value: V): V => {
    if (value === null || typeof value !== 'object' || copies.has(value)) return value;
    const copy = (Array.isArray(value) ? [...value] : { ...value }) as V & object;
    copies.add(copy);
    return copy;
  };
  const working = copyOf((input ?? {}) as Record<string, unknown>);
  const unknown: string[] = [];
  for (;;) {
    const parsed = schema.safeParse(working);
    if (parsed.success) return { value: parsed.data, unknown };
    const unknownKeys = parsed.error.issues.filter((i) => i.code === 'unrecognized_keys');
    const others = parsed.error.issues.filter((i) => i.code !== 'unrecognized_keys');
    if (others.length > 0 || unknownKeys.length === 0) {
      return { error: others.map((i) => `${formatPath(prefix, i.path)}: ${i.message}`).join('; ') };
    }
    for (const issue of unknownKeys) {
      const parent = issue.path.reduce<Record<PropertyKey, unknown>>((node, key) => (node[key] = copyOf(node[key])) as Record<PropertyKey, unknown>, working);
      for (const key of (issue as { keys: string[] }).keys) {
        unknown.push(formatPath(prefix, [...issue.path, key]));
        delete parent[key];
      }
    }
  }
}

export function formatPath(prefix: string, path: PropertyKey[]): string {
  return path.reduce<string>((out, p) => (typeof p === 'number' ? `${out}[${p}]` : out ? `${out}.${String(p)}` : String(p)), prefix);
}
