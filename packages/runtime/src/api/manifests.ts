import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { formatPath, parseStrict } from './strict.js';
import { z } from 'zod';
import {
  authorizationPolicySpecSchema,
  destinationRuleSpecSchema,
  gatewaySpecSchema,
  peerAuthenticationSpecSchema,
  virtualServiceSpecSchema,
  type AuthorizationPolicySpec,
  type PeerAuthenticationSpec,
  type DestinationRuleSpec,
  type GatewaySpec,
  type VirtualServiceSpec,
} from './istio-schemas.js';

/** The Kubernetes objects the local runtime acts on, with only the fields it reads. */

const labels = z.record(z.string(), z.string());

const metadata = z.object({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS-1123 name'),
  namespace: z.string().optional(),
  labels: labels.optional(),
});

/*
 * Workload and Service specs are strict: the fields listed are the ones the runtime uses; any other field is reported
 * (once, summed up) as cluster-only — resources, securityContext, volumes and the like matter on a cluster only.
 */

const envVar = z.strictObject({
  name: z.string(),
  value: z.string().optional(),
  valueFrom: z.strictObject({ fieldRef: z.strictObject({ fieldPath: z.string() }).optional() }).optional(),
});

const container = z.strictObject({
  name: z.string(),
  image: z.string(),
  env: z.array(envVar).optional(),
  readinessProbe: z.object({ httpGet: z.object({ path: z.string().optional() }).optional() }).optional(),
});

const podTemplate = z.strictObject({
  // Annotations are kept because changing one is a rollout (`kubectl rollout restart` sets restartedAt).
  metadata: z.object({ labels: labels.default({}), annotations: labels.optional() }),
  spec: z.strictObject({
    serviceAccountName: z.string().optional(),
    terminationGracePeriodSeconds: z.number().int().min(0).optional(),
    containers: z.array(container).min(1),
  }),
});

const workloadSpec = z.strictObject({
  replicas: z.number().int().min(0).default(1),
  selector: z.strictObject({ matchLabels: labels }),
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
  spec: z.strictObject({
    selector: labels.optional(),
    ports: z.array(
      z.strictObject({
        name: z.string().optional(),
        port: z.number().int().min(1).max(65535),
        targetPort: z.union([z.number().int(), z.string()]).optional(),
      }),
    ),
  }),
});

export const namespaceSchema = z.object({ apiVersion: z.literal('v1'), kind: z.literal('Namespace'), metadata });
const networking = z.enum(['networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3']);
const security = z.enum(['security.istio.io/v1', 'security.istio.io/v1beta1']);
export const serviceAccountSchema = z.object({ apiVersion: z.literal('v1'), kind: z.literal('ServiceAccount'), metadata });

export type WorkloadManifest = z.infer<typeof deploymentSchema>;
export type ServiceManifest = z.infer<typeof serviceSchema>;
export type NamespaceManifest = z.infer<typeof namespaceSchema>;
export type ServiceAccountManifest = z.infer<typeof serviceAccountSchema>;
export type ContainerManifest = z.infer<typeof container>;

interface IstioManifest<Kind extends string, Spec> {
  apiVersion: string;
  kind: Kind;
  metadata: z.infer<typeof metadata>;
  spec: Spec;
}
export type VirtualServiceManifest = IstioManifest<'VirtualService', VirtualServiceSpec>;
export type DestinationRuleManifest = IstioManifest<'DestinationRule', DestinationRuleSpec>;
export type GatewayManifest = IstioManifest<'Gateway', GatewaySpec>;
export type AuthorizationPolicyManifest = IstioManifest<'AuthorizationPolicy', AuthorizationPolicySpec>;
export type PeerAuthenticationManifest = IstioManifest<'PeerAuthentication', PeerAuthenticationSpec>;
export type IstioManifests =
  | VirtualServiceManifest
  | DestinationRuleManifest
  | GatewayManifest
  | AuthorizationPolicyManifest
  | PeerAuthenticationManifest;

export type Manifest = WorkloadManifest | ServiceManifest | NamespaceManifest | ServiceAccountManifest | IstioManifests;

const SCHEMAS: Record<string, z.ZodType<Manifest>> = {
  Deployment: deploymentSchema,
  StatefulSet: deploymentSchema,
  Service: serviceSchema,
  Namespace: namespaceSchema,
  ServiceAccount: serviceAccountSchema,
};

const ISTIO_SPECS: Record<string, { apiVersion: z.ZodType<string>; spec: z.ZodType<unknown> }> = {
  VirtualService: { apiVersion: networking, spec: virtualServiceSpecSchema },
  DestinationRule: { apiVersion: networking, spec: destinationRuleSpecSchema },
  Gateway: { apiVersion: networking, spec: gatewaySpecSchema },
  AuthorizationPolicy: { apiVersion: security, spec: authorizationPolicySpecSchema },
  PeerAuthentication: { apiVersion: security, spec: peerAuthenticationSpecSchema },
};

/** The resource name kubectl prints for a kind, e.g. `deployment.apps`. */
export const RESOURCE_NAMES: Record<Manifest['kind'], string> = {
  Namespace: 'namespace',
  Service: 'service',
  ServiceAccount: 'serviceaccount',
  Deployment: 'deployment.apps',
  StatefulSet: 'statefulset.apps',
  VirtualService: 'virtualservice.networking.istio.io',
  DestinationRule: 'destinationrule.networking.istio.io',
  Gateway: 'gateway.networking.istio.io',
  AuthorizationPolicy: 'authorizationpolicy.security.istio.io',
  PeerAuthentication: 'peerauthentication.security.istio.io',
};

export interface ReadResult {
  manifests: Manifest[];
  /** Kubernetes objects the runtime has no use for (ConfigMap…), named so nothing is silently ignored. */
  warnings: string[];
  /** Kubernetes fields that only matter on a cluster (resources, securityContext…), by name, each once. */
  clusterOnly: string[];
}

export class ManifestError extends Error {
  override name = 'ManifestError';
}

/** One YAML document as read, before validation. */
export interface Document {
  source: string;
  object: unknown;
}

/** Reads FILE or every .yaml/.yml in DIR (sorted), all documents of each. */
export async function readDocuments(paths: string[]): Promise<Document[]> {
  const documents: Document[] = [];
  for (const file of await expandPaths(paths)) {
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new ManifestError(`cannot read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
    });
    documents.push(...parseDocuments(text, file));
  }
  return documents;
}

export function parseDocuments(text: string, source: string): Document[] {
  const documents: Document[] = [];
  parseAllDocuments(text).forEach((document, index) => {
    const where = `${source} (document ${index + 1})`;
    if (document.errors.length > 0) throw new ManifestError(`${where}: invalid YAML: ${document.errors[0]!.message}`);
    const object = document.toJS() as unknown;
    if (object !== null && object !== undefined) documents.push({ source: where, object });
  });
  return documents;
}

/**
 * Validates documents into the objects the runtime acts on. An Istio field or kind the runtime does not implement is
 * refused (a ManifestError naming it), since ignoring it would change what requests get (design.md "Fidelity");
 * Kubernetes kinds it has no use for come back as warnings; anything malformed is a ManifestError naming file,
 * object and field.
 */
export function toManifests(documents: Document[]): ReadResult {
  return readObjects(documents, 'apply');
}

/**
 * What `delete` needs of documents: which objects they name (kind, namespace, name). As with kubectl, an object is
 * deleted by its name whatever its spec says, so specs are not validated here.
 */
export function toObjectNames(documents: Document[]): Manifest[] {
  return readObjects(documents, 'delete').manifests;
}

/** API groups whose objects change routing or admission of requests. */
const ROUTING_API = /^([a-z.]*\.istio\.io|gateway\.networking\.k8s\.io|networking\.k8s\.io)\//;

function readObjects(documents: Document[], purpose: 'apply' | 'delete'): ReadResult {
  const result: ReadResult = { manifests: [], warnings: [], clusterOnly: [] };
  const clusterOnly = new Set<string>();
  for (const { source, object } of documents) {
    const kind = (object as { kind?: unknown }).kind;
    const name = (object as { metadata?: { name?: unknown } }).metadata?.name;
    const label = `${source}: ${String(kind)} ${String(name)}`;
    const istio = typeof kind === 'string' ? ISTIO_SPECS[kind] : undefined;
    if (istio) {
      const envelope = z.object({ apiVersion: istio.apiVersion, kind: z.literal(kind as string), metadata, spec: z.unknown() }).safeParse(object);
      if (!envelope.success) throw new ManifestError(`${label}: ${describeIssues(envelope.error)}`);
      if (purpose === 'delete') {
        result.manifests.push(envelope.data as Manifest);
        continue;
      }
      const parsed = parseStrict(istio.spec, envelope.data.spec);
      if ('error' in parsed) throw new ManifestError(`${label}: ${parsed.error}`);
      if (parsed.unknown.length > 0) {
        const fields = parsed.unknown.join(', ');
        throw new ManifestError(`${label}: ${fields} ${parsed.unknown.length === 1 ? 'is' : 'are'} not supported by the local runtime (valid on a cluster; README "What the local mesh implements")`);
      }
      result.manifests.push({ ...envelope.data, spec: parsed.value } as Manifest);
      continue;
    }
    const schema = typeof kind === 'string' ? SCHEMAS[kind] : undefined;
    if (purpose === 'delete') {
      // Nothing of an unknown kind was applied, so there is nothing of it to delete.
      const named = z.object({ apiVersion: z.string(), kind: z.string(), metadata }).safeParse(object);
      if (!named.success) throw new ManifestError(`${label}: ${describeIssues(named.error)}`);
      if (schema) result.manifests.push(named.data as Manifest);
      continue;
    }
    // Kinds that decide where requests go or whether they are let through (Istio's, the Gateway API's, Kubernetes'
    // Ingress and NetworkPolicy) would change outcomes if ignored: refused. Others (ConfigMap…) only get a warning.
    if (!schema && ROUTING_API.test(String((object as { apiVersion?: unknown }).apiVersion))) {
      throw new ManifestError(`${label}: ${String(kind)} is not supported by the local runtime (valid on a cluster)`);
    }
    if (!schema) {
      result.warnings.push(`${label} is not used by the local runtime`);
      continue;
    }
    const checked = parseStrict(schema, object, '');
    if ('error' in checked) throw new ManifestError(`${label}: ${checked.error}`);
    for (const path of checked.unknown) clusterOnly.add(path.replace(/\[\d+\]/g, '').split('.').pop()!);
    result.manifests.push(checked.value);
  }
  result.clusterOnly = [...clusterOnly].sort();
  return result;
}

/** Reads and validates in one step. */
export async function readManifests(paths: string[]): Promise<ReadResult> {
  return toManifests(await readDocuments(paths));
}

export function parseManifests(text: string, source: string): ReadResult {
  return toManifests(parseDocuments(text, source));
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${formatPath('', i.path) || '(root)'}: ${i.message}`).join('; ');
}

/** Kustomize's own files sit beside the manifests but are not objects to apply. */
export function isKustomization(file: string): boolean {
  return /^kustomization\.ya?ml$/.test(basename(file));
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
    const entries = (await readdir(path)).filter((f) => ['.yaml', '.yml'].includes(extname(f)) && !isKustomization(f)).sort();
    files.push(...entries.map((f) => join(path, f)));
  }
  return files;
}

/** An object's namespace; a namespaced object without one goes to `default`, as kubectl sends it. */
export function namespaceOf(object: { metadata?: { namespace?: string | undefined } | undefined }): string {
  return object.metadata?.namespace ?? 'default';
}

/** Identifies an object within a cluster: kind, namespace (none for a Namespace) and name. */
export function objectKey(object: { kind?: unknown; metadata?: { name?: unknown; namespace?: string | undefined } | undefined }): string {
  return `${String(object.kind)}/${object.kind === 'Namespace' ? '' : namespaceOf(object)}/${String(object.metadata?.name)}`;
}

export const isWorkload = (m: Manifest): m is WorkloadManifest => m.kind === 'Deployment' || m.kind === 'StatefulSet';

export const isIstio = (m: Manifest): m is IstioManifests => m.kind in ISTIO_SPECS;
