import { z } from 'zod';

/** The object metadata the runtime reads: name, namespace and labels. */

export const labels = z.record(z.string(), z.string());

/** An object's name (and a reference to one, like a secretKeyRef's). */
export const objectName = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS-1123 name');

export const metadata = z.object({
  name: objectName,
  namespace: z.string().optional(),
  labels: labels.optional(),
});

export type Metadata = z.infer<typeof metadata>;
