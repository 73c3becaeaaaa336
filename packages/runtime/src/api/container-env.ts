import { z } from 'zod';
import { configKeyErrors } from './config-key.js';
import { objectName } from './metadata.js';

/** A container's `env[]` with the sources the runtime resolves: literal values, the downward API and Secrets. */

/** secretKeyRef as the API server validates it (validateSecretKeySelector): a Secret's name and a valid key. */
const secretKeySelector = z.strictObject({
  name: objectName,
  key: z.string().superRefine((key, ctx) => {
    const messages = key === '' ? ['Required value'] : configKeyErrors(key).map((m) => `Invalid value: ${JSON.stringify(key)}: ${m}`);
    for (const message of messages) ctx.addIssue({ code: 'custom', message });
  }),
  optional: z.boolean().optional(),
});

export const envVar = z.strictObject({
  name: z.string(),
  value: z.string().optional(),
  valueFrom: z
    .strictObject({
      // apiVersion is defaulted to v1, the only version the API server converts Pod field paths of.
      fieldRef: z.strictObject({ apiVersion: z.literal('v1').optional(), fieldPath: z.string() }).optional(),
      secretKeyRef: secretKeySelector.optional(),
    })
    .optional(),
});

export type EnvVar = z.infer<typeof envVar>;

/**
 * An unknown field under a container's `env` or `envFrom` (configMapKeyRef, resourceFieldRef, envFrom…) would change
 * the environment: refused at apply instead of being summed up as cluster-only.
 */
export const changesEnv = (path: string): boolean => /\.containers\[\d+\]\.(env\[|envFrom($|\[))/.test(path);

/** What validateEnvVarValueFrom (pkg/apis/core/validation/validation.go) refuses of one variable, by path. */
export function envVarErrors(variable: EnvVar, path: string): string[] {
  const from = variable.valueFrom;
  if (!from) return [];
  const sources = [from.fieldRef, from.secretKeyRef].filter((s) => s !== undefined).length;
  const at = `${path}.valueFrom: Invalid value: ""`;
  if (sources === 0) return [`${at}: must specify one of: \`fieldRef\`, \`resourceFieldRef\`, \`configMapKeyRef\` or \`secretKeyRef\``];
  if (variable.value) return [`${at}: may not be specified when \`value\` is not empty`];
  if (sources > 1) return [`${at}: may not have more than one field specified at a time`];
  return [];
}

/** The Secrets a container's env reads (secretKeyRef names). */
export function secretNames(container: { env?: EnvVar[] | undefined }): string[] {
  return (container.env ?? []).flatMap((v) => (v.valueFrom?.secretKeyRef ? [v.valueFrom.secretKeyRef.name] : []));
}
