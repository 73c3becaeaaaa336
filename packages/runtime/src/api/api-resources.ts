/**
 * The kinds the API server itself serves in the groups the runtime reads (`kubectl api-resources` for the core group
 * and apps; api-resources.test.ts holds them to the official kubernetes-models, which are too slow to load at every
 * start of the CLI). These sets are closed: any other kind there is refused by a cluster ("no matches for kind").
 * Other groups may be CustomResourceDefinitions a cluster has, which the runtime cannot know.
 */
// Binding is create-only: it has no list kind.
const CORE = ['ComponentStatus', 'ConfigMap', 'Endpoints', 'Event', 'LimitRange', 'Namespace', 'Node', 'PersistentVolume', 'PersistentVolumeClaim', 'Pod', 'PodTemplate', 'ReplicationController', 'ResourceQuota', 'Secret', 'Service', 'ServiceAccount'];
const APPS = ['ControllerRevision', 'DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet'];
const withLists = (kinds: string[]) => new Set(kinds.flatMap((kind) => [kind, `${kind}List`]));

export const BUILT_IN_KINDS: Readonly<Record<string, ReadonlySet<string>>> = { v1: new Set(['Binding', ...withLists(CORE)]), 'apps/v1': withLists(APPS) };

/** Why a cluster would refuse an object of this apiVersion and kind as unknown, if it would. */
export function unknownKind(apiVersion: string, kind: string): string | undefined {
  const served = BUILT_IN_KINDS[apiVersion];
  return served && !served.has(kind) ? `no matches for kind ${JSON.stringify(kind)} in version ${JSON.stringify(apiVersion)}` : undefined;
}
