import { z } from 'zod';
import { parseQuantity } from './quantity.js';

/**
 * A container's `resources` as the local runtime honours them: `requests` place the pod on the local node (the
 * scheduler's NodeResourcesFit), `limits.memory` bounds its heap. Only cpu and memory: any other resource (GPUs,
 * ephemeral-storage, hugepages) would change where a pod can run and is refused rather than ignored.
 */
const RESOURCE_NAMES = ['cpu', 'memory'] as const;
type ResourceName = (typeof RESOURCE_NAMES)[number];

const resourceList = z.record(z.string(), z.union([z.string(), z.number()])).superRefine((list, ctx) => {
  for (const [name, quantity] of Object.entries(list)) {
    if (!(RESOURCE_NAMES as readonly string[]).includes(name)) {
      ctx.addIssue({ code: 'custom', path: [name], message: `resource ${name} is not supported by the local runtime (cpu and memory are; valid on a cluster)` });
      continue;
    }
    const value = parseQuantity(quantity);
    // validateResourceQuantityValue: a quantity the API server parses, and not negative.
    if (value === undefined) ctx.addIssue({ code: 'custom', path: [name], message: `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'` });
    else if (value < 0) ctx.addIssue({ code: 'custom', path: [name], message: 'must be greater than or equal to 0' });
  }
});

export const containerResources = z
  .strictObject({ requests: resourceList.optional(), limits: resourceList.optional() })
  .superRefine(({ requests = {}, limits = {} }, ctx) => {
    // ValidateResourceRequirements: a request may not exceed its limit.
    for (const name of RESOURCE_NAMES) {
      if (requests[name] === undefined || limits[name] === undefined) continue;
      if (parseQuantity(requests[name])! > parseQuantity(limits[name])!) {
        ctx.addIssue({ code: 'custom', path: ['requests', name], message: `must be less than or equal to ${name} limit of ${limits[name]}` });
      }
    }
  });

export type ContainerResources = z.infer<typeof containerResources>;

/** What a pod asks of its node, in cores and bytes. */
export interface Requests {
  cpu: number;
  memory: number;
}

/**
 * A pod's requests as the scheduler counts them (computePodResourceRequest): the sum over its containers, each
 * container's request defaulted to its limit when only the limit is set (SetDefaults_Pod in pkg/apis/core/v1).
 */
export function podRequests(containers: readonly { resources?: ContainerResources | undefined }[]): Requests {
  const total: Requests = { cpu: 0, memory: 0 };
  for (const { resources } of containers) {
    for (const name of RESOURCE_NAMES) total[name] += containerQuantity(resources, name);
  }
  return total;
}

/** The container's memory limit in bytes, if it has one. */
export function memoryLimit(resources: ContainerResources | undefined): number | undefined {
  const limit = resources?.limits?.memory;
  return limit === undefined ? undefined : parseQuantity(limit);
}

function containerQuantity(resources: ContainerResources | undefined, name: ResourceName): number {
  const quantity = resources?.requests?.[name] ?? resources?.limits?.[name];
  return quantity === undefined ? 0 : parseQuantity(quantity)!;
}
