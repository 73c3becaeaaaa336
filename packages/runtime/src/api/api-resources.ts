import * as appsV1 from 'kubernetes-models/apps/v1';
import * as coreV1 from 'kubernetes-models/v1';

/**
 * The kinds the API server itself serves in the groups the runtime reads (`kubectl api-resources` for the core group
 * and apps), from the official models. These sets are closed: any other kind there is refused by a cluster ("no
 * matches for kind"). Other groups may be CustomResourceDefinitions a cluster has, which the runtime cannot know.
 */
const BUILT_IN: Record<string, ReadonlySet<string>> = {
  v1: kindsOf(coreV1),
  'apps/v1': kindsOf(appsV1),
};

function kindsOf(models: Record<string, unknown>): ReadonlySet<string> {
  return new Set(Object.values(models).flatMap((model) => {
    const kind = (model as { kind?: unknown } | undefined)?.kind;
    return typeof kind === 'string' ? [kind] : [];
  }));
}

/** Why a cluster would refuse an object of this apiVersion and kind as unknown, if it would. */
export function unknownKind(apiVersion: string, kind: string): string | undefined {
  const served = BUILT_IN[apiVersion];
  return served && !served.has(kind) ? `no matches for kind ${JSON.stringify(kind)} in version ${JSON.stringify(apiVersion)}` : undefined;
}
