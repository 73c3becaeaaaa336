import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';

/** The Kubernetes objects the local runtime acts on, with only the fields it reads. */

const labels = z.record(z.string(), z.string());

const metadata = z.object({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS-1123 name'),
  namespace: z.string().optional(),
  labels: labels.optional(),
});

const envVar = z.object({
  name: z.string(),
  value: z.string().optional(),
  valueFrom: z.object({ fieldRef: z.object({ fieldPath: z.string() }).optional() }).optional(),
});

const container = z.object({
  name: z.string(),
  image: z.string(),
  env: z.array(envVar).optional(),
  readinessProbe: z.object({ httpGet: z.object({ path: z.string().optional() }).optional() }).optional(),
});

const podTemplate = z.object({
  metadata: z.object({ labels: labels.default({}) }),
  spec: z.object({
    serviceAccountName: z.string().optional(),
    terminationGracePeriodSeconds: z.number().int().min(0).optional(),
    containers: z.array(container).min(1),
  }),
});

const workloadSpec = z.object({
  replicas: z.number().int().min(0).default(1),
  selector: z.object({ matchLabels: labels }),
  template: podTemplate,
});

export const deploymentSchema = z.object({
  apiVersion: z.literal('apps/v1'),
  kind: z.enum(['Deployment', 'StatefulSet']),
  metadata,
  spec: workloadSpec,
});

export const serviceSchema = z.object({
  apiVersion: z.literal('v1'),
  kind: z.literal('Service'),
  metadata,
  spec: z.object({
    selector: labels.optional(),
    ports: z.array(
      z.object({
        name: z.string().optional(),
        port: z.number().int().min(1).max(65535),
        targetPort: z.union([z.number().int(), z.string()]).optional(),
      }),
    ),
  }),
});

export const namespaceSchema = z.object({ apiVersion: z.literal('v1'), kind: z.literal('Namespace'), metadata });
export const serviceAccountSchema = z.object({ apiVersion: z.literal('v1'), kind: z.literal('ServiceAccount'), metadata });

export type WorkloadManifest = z.infer<typeof deploymentSchema>;
export type ServiceManifest = z.infer<typeof serviceSchema>;
export type NamespaceManifest = z.infer<typeof namespaceSchema>;
export type ServiceAccountManifest = z.infer<typeof serviceAccountSchema>;
export type ContainerManifest = z.infer<typeof container>;

export type Manifest = WorkloadManifest | ServiceManifest | NamespaceManifest | ServiceAccountManifest;

const SCHEMAS: Record<string, z.ZodType<Manifest>> = {
  Deployment: deploymentSchema,
  StatefulSet: deploymentSchema,
  Service: serviceSchema,
  Namespace: namespaceSchema,
  ServiceAccount: serviceAccountSchema,
};

export interface ReadResult {
  manifests: Manifest[];
  /** Objects the runtime has no use for, named so nothing is silently ignored. */
  warnings: string[];
}

export class ManifestError extends Error {
  override name = 'ManifestError';
}

/** Reads FILE or every .yaml/.yml in DIR (sorted), all documents of each. */
export async function readManifests(paths: string[]): Promise<ReadResult> {
  const result: ReadResult = { manifests: [], warnings: [] };
  for (const file of await expandPaths(paths)) {
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new ManifestError(`cannot read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
    });
    const parsed = parseManifests(text, file);
    result.manifests.push(...parsed.manifests);
    result.warnings.push(...parsed.warnings);
  }
  return result;
}

export function parseManifests(text: string, source: string): ReadResult {
  const result: ReadResult = { manifests: [], warnings: [] };
  parseAllDocuments(text).forEach((document, index) => {
    const where = `${source} (document ${index + 1})`;
    if (document.errors.length > 0) throw new ManifestError(`${where}: invalid YAML: ${document.errors[0]!.message}`);
    const object = document.toJS() as unknown;
    if (object === null || object === undefined) return;
    const kind = (object as { kind?: unknown }).kind;
    const name = (object as { metadata?: { name?: unknown } }).metadata?.name;
    const schema = typeof kind === 'string' ? SCHEMAS[kind] : undefined;
    if (!schema) {
      result.warnings.push(`${where}: ${String(kind)} ${String(name)} is not used by the local runtime`);
      return;
    }
    const checked = schema.safeParse(object);
    if (!checked.success) {
      const issues = checked.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new ManifestError(`${where}: ${kind} ${String(name)}: ${issues}`);
    }
    result.manifests.push(checked.data);
  });
  return result;
}

async function expandPaths(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => {
      throw new ManifestError(`cannot read ${path}: no such file or directory`);
    });
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    const entries = (await readdir(path)).filter((f) => ['.yaml', '.yml'].includes(extname(f))).sort();
    files.push(...entries.map((f) => join(path, f)));
  }
  return files;
}

export function namespaceOf(manifest: { metadata: { namespace?: string | undefined } }): string {
  return manifest.metadata.namespace ?? 'default';
}
