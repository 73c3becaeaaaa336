import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { configKeyErrors } from './config-key.js';
import { CorruptInputError, decodeStdBase64 } from './go-base64.js';
import { metadata, type Metadata } from './metadata.js';

/**
 * A v1 Secret as the API server stores it: `stringData` merged over `data` (the stringData entry wins,
 * Convert_v1_Secret_To_core_Secret), values as base64 of their bytes, `type` defaulted to Opaque (SetDefaults_Secret).
 */
export interface SecretManifest {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: Metadata;
  type: string;
  data: Record<string, string>;
  immutable?: boolean;
}

/** Every field of a v1 Secret: an unknown one is refused, as the API server's strict field validation does. */
const secretSchema = z.strictObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('Secret'),
  metadata,
  type: z.string().nullish(),
  // null is Go's zero value: a key with no bytes.
  data: z.record(z.string(), z.string().nullable()).nullish(),
  stringData: z.record(z.string(), z.string().nullable()).nullish(),
  immutable: z.boolean().nullish(),
});

/** The API server's limit on a Secret's data, all values together (core.MaxSecretSize). */
const MAX_SECRET_SIZE = 1024 * 1024;

/**
 * The built-in types the API server validates beyond Opaque (ValidateSecret in pkg/apis/core/validation), or whose
 * data a controller fills in (service-account-token): refused here rather than half-honoured.
 */
const BUILT_IN_TYPES = [
  'kubernetes.io/service-account-token',
  'kubernetes.io/dockercfg',
  'kubernetes.io/dockerconfigjson',
  'kubernetes.io/basic-auth',
  'kubernetes.io/ssh-auth',
  'kubernetes.io/tls',
];

/** Reads a Secret as `kubectl apply` sends it; throws an Error naming the field (and key) the API server would refuse. */
export function readSecret(object: unknown): SecretManifest {
  const parsed = secretSchema.safeParse(object);
  if (!parsed.success) throw new Error(parsed.error.issues.map(describeIssue).join('; '));
  const { metadata: meta, type, data, stringData, immutable } = parsed.data;
  const bytes = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(data ?? {})) {
    try {
      bytes.set(key, decodeStdBase64(value ?? ''));
    } catch (error) {
      if (error instanceof CorruptInputError) throw new Error(`data[${key}]: ${error.message}`);
      throw error;
    }
  }
  for (const [key, value] of Object.entries(stringData ?? {})) bytes.set(key, Buffer.from(value ?? '', 'utf8'));

  const secretType = type || 'Opaque';
  const errors: string[] = [];
  const keys = [...bytes.keys()].sort();
  for (const key of keys) for (const message of configKeyErrors(key)) errors.push(`data[${key}]: Invalid value: ${JSON.stringify(key)}: ${message}`);
  if (keys.reduce((size, key) => size + bytes.get(key)!.length, 0) > MAX_SECRET_SIZE) errors.push(`data: Too long: must have at most ${MAX_SECRET_SIZE} bytes`);
  if (BUILT_IN_TYPES.includes(secretType)) errors.push(`type: ${secretType} is not supported by the local runtime (valid on a cluster)`);
  if (errors.length > 0) throw new Error(errors.join('; '));

  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta,
    type: secretType,
    data: Object.fromEntries(keys.map((key) => [key, bytes.get(key)!.toString('base64')])),
    ...(typeof immutable === 'boolean' ? { immutable } : {}),
  };
}

/**
 * What the API server refuses in an update of a stored Secret (ValidateSecretUpdate): a changed type, and once
 * `immutable` is set, any change of it or of the data.
 */
export function secretUpdateErrors(next: SecretManifest, previous: SecretManifest): string[] {
  const errors: string[] = [];
  if (next.type !== previous.type) errors.push(`type: Invalid value: ${JSON.stringify(next.type)}: field is immutable`);
  if (previous.immutable === true) {
    if (next.immutable !== true) errors.push('immutable: Forbidden: field is immutable when `immutable` is set');
    if (!isDeepStrictEqual(next.data, previous.data)) errors.push('data: Forbidden: field is immutable when `immutable` is set');
  }
  return errors;
}

/** The value of one key as a container sees it (Go's string of the bytes), or undefined if the Secret lacks the key. */
export function secretValue(secret: SecretManifest, key: string): string | undefined {
  const encoded = Object.hasOwn(secret.data, key) ? secret.data[key] : undefined;
  return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
}

function describeIssue(issue: z.ZodError['issues'][number]): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `unknown field "${path ? `${path}.` : ''}${key}"`).join('; ');
  return `${path || '(root)'}: ${issue.message}`;
}
