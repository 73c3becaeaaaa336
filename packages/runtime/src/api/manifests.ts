import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { unknownKind } from './api-resources.js';
import { labelErrors, objectMetaErrors } from './object-meta.js';
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
import { GATEWAY_GROUP, httpRouteSpecSchema, k8sGatewaySpecSchema, referenceGrantSpecSchema, type HttpRouteSpec, type K8sGatewaySpec, type ReferenceGrantSpec } from './gateway-api-schemas.js';
import { changesEnv, envVar, envVarErrors } from './container-env.js';
import { deploymentStrategy } from './deployment-strategy.js';
import { labels, metadata } from './metadata.js';
import { podAnnotationErrors } from './pod-annotations.js';
import { containerResources } from './resources.js';
import { readSecret, type SecretManifest } from './secret.js';

/** The Kubernetes objects the local runtime acts on, with only the fields it reads. */

/*
 * Workload and Service specs are strict: the fields listed are the ones the runtime uses; any other field is reported
 * (once, summed up) as cluster-only — securityContext, volumes and the like matter on a cluster only — except under a
 * container's env and envFrom, where an unknown field would change the environment: refused. A container's resources
 * and a Deployment's strategy are read: they decide where pods run, how big they may grow and how a rollout is paced.
 */

const container = z.strictObject({
  name: z.string(),
  image: z.string(),
  env: z.array(envVar).optional(),
  readinessProbe: z.object({ httpGet: z.object({ path: z.string().optional() }).optional() }).optional(),
  resources: containerResources.optional(),
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

const workloadSpec = {
  // An int32 in the apps API.
  replicas: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  selector: z.strictObject({ matchLabels: labels }),
  template: podTemplate,
};

export const deploymentSchema = z.object({
  apiVersion: z.literal('apps/v1'),
  kind: z.literal('Deployment'),
  metadata,
  spec: z.strictObject({ ...workloadSpec, strategy: deploymentStrategy.optional() }),
});

/** A StatefulSet's pods start and are replaced one at a time (OrderedReady, RollingUpdate): its other fields are cluster-only. */
export const statefulSetSchema = z.object({
  apiVersion: z.literal('apps/v1'),
  kind: z.literal('StatefulSet'),
  metadata,
  spec: z.strictObject(workloadSpec),
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
/** The Gateway API's served versions (v1.2 standard channel): Gateway and HTTPRoute are v1 (and v1beta1), ReferenceGrant v1beta1. */
const gatewayApi = z.enum([`${GATEWAY_GROUP}/v1`, `${GATEWAY_GROUP}/v1beta1`]);
const gatewayApiBeta = z.enum([`${GATEWAY_GROUP}/v1beta1`]);
export const serviceAccountSchema = z.object({ apiVersion: z.literal('v1'), kind: z.literal('ServiceAccount'), metadata });

export type DeploymentManifest = z.infer<typeof deploymentSchema>;
export type WorkloadManifest = DeploymentManifest | z.infer<typeof statefulSetSchema>;
export type ServiceManifest = z.infer<typeof serviceSchema>;
export type NamespaceManifest = z.infer<typeof namespaceSchema>;
export type ServiceAccountManifest = z.infer<typeof serviceAccountSchema>;
export type ContainerManifest = z.infer<typeof container>;

interface IstioManifest<Kind extends string, Spec, ApiVersion extends string = string> {
  apiVersion: ApiVersion;
  kind: Kind;
  metadata: z.infer<typeof metadata>;
  spec: Spec;
}
export type VirtualServiceManifest = IstioManifest<'VirtualService', VirtualServiceSpec>;
export type DestinationRuleManifest = IstioManifest<'DestinationRule', DestinationRuleSpec>;
export type GatewayManifest = IstioManifest<'Gateway', GatewaySpec>;
export type AuthorizationPolicyManifest = IstioManifest<'AuthorizationPolicy', AuthorizationPolicySpec>;
export type PeerAuthenticationManifest = IstioManifest<'PeerAuthentication', PeerAuthenticationSpec>;
/** The Gateway API's Gateway, which shares its kind with Istio's: its apiVersion tells them apart (isGatewayApi). */
export type K8sGatewayManifest = IstioManifest<'Gateway', K8sGatewaySpec, `${typeof GATEWAY_GROUP}/${string}`>;
export type HttpRouteManifest = IstioManifest<'HTTPRoute', HttpRouteSpec>;
export type ReferenceGrantManifest = IstioManifest<'ReferenceGrant', ReferenceGrantSpec>;
export type GatewayApiManifests = K8sGatewayManifest | HttpRouteManifest | ReferenceGrantManifest;
/** What istiod reads: Istio's own objects and the Gateway API's, which it translates into Istio's. */
export type IstioManifests =
  | VirtualServiceManifest
  | DestinationRuleManifest
  | GatewayManifest
  | AuthorizationPolicyManifest
  | PeerAuthenticationManifest
  | GatewayApiManifests;

export type { SecretManifest } from './secret.js';
export type Manifest = WorkloadManifest | ServiceManifest | NamespaceManifest | ServiceAccountManifest | SecretManifest | IstioManifests;

const SCHEMAS: Record<string, z.ZodType<Manifest>> = {
  Deployment: deploymentSchema,
  StatefulSet: statefulSetSchema,
  Service: serviceSchema,
  Namespace: namespaceSchema,
  ServiceAccount: serviceAccountSchema,
};
/** Kinds read by a function of their own rather than a schema: Secret (stringData merged, data decoded). */
const READERS: Record<string, (object: unknown) => Manifest> = { Secret: readSecret };

/** Istio's and the Gateway API's kinds, by `<group>/<kind>` (both have a Gateway). */
const ISTIO_SPECS: Record<string, { apiVersion: z.ZodType<string>; spec: z.ZodType<unknown> }> = {
  'networking.istio.io/VirtualService': { apiVersion: networking, spec: virtualServiceSpecSchema },
  'networking.istio.io/DestinationRule': { apiVersion: networking, spec: destinationRuleSpecSchema },
  'networking.istio.io/Gateway': { apiVersion: networking, spec: gatewaySpecSchema },
  'security.istio.io/AuthorizationPolicy': { apiVersion: security, spec: authorizationPolicySpecSchema },
  'security.istio.io/PeerAuthentication': { apiVersion: security, spec: peerAuthenticationSpecSchema },
  [`${GATEWAY_GROUP}/Gateway`]: { apiVersion: gatewayApi, spec: k8sGatewaySpecSchema },
  [`${GATEWAY_GROUP}/HTTPRoute`]: { apiVersion: gatewayApi, spec: httpRouteSpecSchema },
  [`${GATEWAY_GROUP}/ReferenceGrant`]: { apiVersion: gatewayApiBeta, spec: referenceGrantSpecSchema },
};

/** An apiVersion's group: `networking.istio.io` of `networking.istio.io/v1`, "" for the core group's `v1`. */
export function groupOf(apiVersion: unknown): string {
  const text = String(apiVersion);
  return text.includes('/') ? text.slice(0, text.lastIndexOf('/')) : '';
}

/** The spec of an Istio or Gateway API kind, by its apiVersion's group and its kind. */
function istioSpecOf(object: { apiVersion?: unknown; kind?: unknown }) {
  return ISTIO_SPECS[`${groupOf(object.apiVersion)}/${String(object.kind)}`];
}

const RESOURCE_NAMES: Record<Exclude<Manifest['kind'], 'Gateway'>, string> = {
  Namespace: 'namespace',
  Service: 'service',
  ServiceAccount: 'serviceaccount',
  Secret: 'secret',
  Deployment: 'deployment.apps',
  StatefulSet: 'statefulset.apps',
  VirtualService: 'virtualservice.networking.istio.io',
  DestinationRule: 'destinationrule.networking.istio.io',
  AuthorizationPolicy: 'authorizationpolicy.security.istio.io',
  PeerAuthentication: 'peerauthentication.security.istio.io',
  HTTPRoute: `httproute.${GATEWAY_GROUP}`,
  ReferenceGrant: `referencegrant.${GATEWAY_GROUP}`,
};

/** The resource name kubectl prints for an object's kind, e.g. `deployment.apps`, `gateway.networking.istio.io`. */
export function resourceName(manifest: Pick<Manifest, 'kind' | 'apiVersion'>): string {
  if (manifest.kind === 'Gateway') return `gateway.${groupOf(manifest.apiVersion)}`;
  return RESOURCE_NAMES[manifest.kind];
}

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
  let parsed: ReturnType<typeof parseAllDocuments>;
  try {
    parsed = parseAllDocuments(text);
  } catch (error) {
    throw new ManifestError(`${source}: invalid YAML: ${firstLine((error as Error).message)}`);
  }
  parsed.forEach((document, index) => {
    const where = `${source} (document ${index + 1})`;
    if (document.errors.length > 0) throw new ManifestError(`${where}: invalid YAML: ${firstLine(document.errors[0]!.message)}`);
    let object: unknown;
    try {
      // An alias bomb ("Excessive alias count…") or nesting too deep to build fails here, not in the parser.
      object = document.toJS() as unknown;
    } catch (error) {
      throw new ManifestError(`${where}: invalid YAML: ${firstLine((error as Error).message)}`);
    }
    if (object !== null && object !== undefined) documents.push({ source: where, object });
  });
  return documents;
}

/** The parser's message without the excerpt of the file it quotes below it: errors are one line. */
function firstLine(message: string): string {
  return message.split('\n', 1)[0]!.replace(/:$/, '');
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
    if (purpose === 'apply') {
      const refused = refusedAsAnyCluster(object);
      if (refused) throw new ManifestError(`${source}: ${refused}`);
    }
    const kind = (object as { kind?: unknown }).kind;
    const name = (object as { metadata?: { name?: unknown } }).metadata?.name;
    const label = `${source}: ${String(kind)} ${String(name)}`;
    // An Istio or Gateway API kind under another group's version is refused by its own envelope (no such version).
    const istio = istioSpecOf(object as { apiVersion?: unknown; kind?: unknown }) ?? Object.entries(ISTIO_SPECS).find(([key]) => key.endsWith(`/${String(kind)}`))?.[1];
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
    const reader = typeof kind === 'string' ? READERS[kind] : undefined;
    if (purpose === 'delete') {
      // Nothing of an unknown kind was applied, so there is nothing of it to delete.
      const named = z.object({ apiVersion: z.string(), kind: z.string(), metadata }).safeParse(object);
      if (!named.success) throw new ManifestError(`${label}: ${describeIssues(named.error)}`);
      if (schema || reader) result.manifests.push(named.data as Manifest);
      continue;
    }
    if (reader) {
      try {
        result.manifests.push(reader(object));
      } catch (error) {
        throw new ManifestError(`${label}: ${(error as Error).message}`);
      }
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
    const unsupported = checked.unknown.filter(changesEnv).map((p) => `${p} is not supported by the local runtime (valid on a cluster)`);
    const refused = unsupported.length > 0 ? unsupported : templateErrors(checked.value);
    if (refused.length > 0) throw new ManifestError(`${label}: ${refused.join('; ')}`);
    for (const path of checked.unknown) clusterOnly.add(path.replace(/\[\d+\]/g, '').split('.').pop()!);
    // Read, but only a cluster throttles a pod to it.
    if (isWorkload(checked.value) && checked.value.spec.template.spec.containers.some((c) => c.resources?.limits?.cpu !== undefined)) clusterOnly.add('resources.limits.cpu');
    result.manifests.push(checked.value);
  }
  result.clusterOnly = [...clusterOnly].sort();
  return result;
}

/**
 * Kinds a cluster acts on in ways the runtime does not model: pods it would run (bare Pods, ReplicaSets, DaemonSets,
 * Jobs…), replicas it would change (HorizontalPodAutoscaler), default requests and refused pods (LimitRange,
 * ResourceQuota). Ignoring them would change what runs, so they are refused.
 */
const OUTCOME_KINDS = new Set(['Pod', 'ReplicaSet', 'ReplicationController', 'DaemonSet', 'Job', 'CronJob', 'HorizontalPodAutoscaler', 'LimitRange', 'ResourceQuota']);

/**
 * Why the API server would refuse the document whatever its kind (an object with apiVersion, kind and valid
 * metadata, of a kind it serves), or why the runtime refuses a kind it would store; undefined if neither.
 */
function refusedAsAnyCluster(object: unknown): string | undefined {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) {
    return `a document must be an object with apiVersion, kind and metadata, not ${Array.isArray(object) ? 'a list' : `a ${typeof object}`}`;
  }
  const { apiVersion, kind, metadata: meta, spec } = object as { apiVersion?: unknown; kind?: unknown; metadata?: unknown; spec?: { template?: { metadata?: { labels?: unknown } } } };
  // kubectl's own check before it sends anything ("error validating data").
  const unset = [typeof apiVersion === 'string' && apiVersion ? [] : ['apiVersion not set'], typeof kind === 'string' && kind ? [] : ['kind not set']].flat();
  if (unset.length > 0) return unset.join('; ');
  const what = `${String(kind)} ${JSON.stringify((meta as { name?: unknown } | undefined)?.name ?? '')}`;
  const unknown = unknownKind(apiVersion as string, kind as string);
  if (unknown) return `${what}: ${unknown}`;
  const invalid = [...objectMetaErrors(kind as string, meta), ...labelErrors('spec.template.metadata.labels', spec?.template?.metadata?.labels)];
  if (invalid.length > 0) return `${what} is invalid: ${invalid.join('; ')}`;
  if ((kind as string).endsWith('List')) return `${what}: a ${String(kind)} is not supported by the local runtime: put its items in documents of their own`;
  if (OUTCOME_KINDS.has(kind as string)) return `${what}: ${String(kind)} is not supported by the local runtime (valid on a cluster)`;
  return undefined;
}

/**
 * What a workload's pod template has that the schema lets through but is refused: container env the API server
 * refuses, and Istio annotations the local runtime does not honour.
 */
function templateErrors(manifest: Manifest): string[] {
  if (!isWorkload(manifest)) return [];
  const template = manifest.spec.template;
  return [
    ...podAnnotationErrors(template.metadata.annotations, 'spec.template.metadata.annotations'),
    ...template.spec.containers.flatMap((container, c) =>
      (container.env ?? []).flatMap((variable, v) => envVarErrors(variable, `spec.template.spec.containers[${c}].env[${v}]`)),
    ),
  ];
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

/** Identifies an object within a cluster: group and kind, namespace (none for a Namespace) and name. */
export function objectKey(object: { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: string | undefined } | undefined }): string {
  return `${groupOf(object.apiVersion)}/${String(object.kind)}/${object.kind === 'Namespace' ? '' : namespaceOf(object)}/${String(object.metadata?.name)}`;
}

export const isWorkload = (m: Manifest): m is WorkloadManifest => m.kind === 'Deployment' || m.kind === 'StatefulSet';

export const isIstio = (m: Manifest): m is IstioManifests => istioSpecOf(m) !== undefined;

export const isGatewayApi = (m: Manifest): m is GatewayApiManifests => groupOf(m.apiVersion) === GATEWAY_GROUP;
