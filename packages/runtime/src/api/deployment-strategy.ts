import { z } from 'zod';

/** An IntOrString of the apps API: a count, or a percentage of the replicas such as "25%". */
const intOrPercent = z.union([z.number().int().min(0), z.string().regex(/^\d+%$/, 'must be an integer or a percentage, e.g. "25%"')]);

/**
 * Deployment `spec.strategy` as the API server validates it (ValidateDeploymentStrategy, ValidateRollingUpdateDeployment
 * in pkg/apis/apps/validation): RollingUpdate (the default) or Recreate, which takes no rollingUpdate; maxUnavailable
 * may not be 0 when maxSurge is 0, and a percentage of maxUnavailable may not exceed 100%.
 */
export const deploymentStrategy = z
  .strictObject({
    type: z.enum(['RollingUpdate', 'Recreate']).optional(),
    rollingUpdate: z.strictObject({ maxSurge: intOrPercent.optional(), maxUnavailable: intOrPercent.optional() }).optional(),
  })
  .superRefine((strategy, ctx) => {
    if (strategy.type === 'Recreate' && strategy.rollingUpdate) {
      ctx.addIssue({ code: 'custom', path: ['rollingUpdate'], message: "may not be specified when strategy `type` is 'Recreate'" });
    }
    const { maxSurge, maxUnavailable } = strategy.rollingUpdate ?? {};
    const isZero = (value: number | string | undefined) => value === 0 || value === '0%';
    if (isZero(maxSurge) && isZero(maxUnavailable)) ctx.addIssue({ code: 'custom', path: ['rollingUpdate', 'maxUnavailable'], message: 'may not be 0 when `maxSurge` is 0' });
    if (typeof maxUnavailable === 'string' && Number.parseInt(maxUnavailable, 10) > 100) {
      ctx.addIssue({ code: 'custom', path: ['rollingUpdate', 'maxUnavailable'], message: 'must not be greater than 100%' });
    }
  });

export type DeploymentStrategy = z.infer<typeof deploymentStrategy>;
