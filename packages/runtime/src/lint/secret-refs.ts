import { namespaceOf } from '../api/manifests.js';
import { subjectOf, type Finding, type LintedObject } from './semantic.js';

/** Where a kind keeps its pod spec, as a path from the object. */
const POD_SPEC: Record<string, string[]> = {
  Pod: ['spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};
const TEMPLATE_SPEC = ['spec', 'template', 'spec'];

/**
 * Each env secretKeyRef against the Secrets in the linted files. The kubelet does not start a container whose Secret or
 * key is missing unless the ref is `optional` (makeEnvironmentVariables in pkg/kubelet/kubelet_pods.go): a key the
 * linted Secret lacks is an error; a Secret not in the files is a warning, since it may be created on the cluster
 * some other way.
 */
export function checkSecretRefs(objects: LintedObject[]): Finding[] {
  const keys = new Map<string, Set<string>>();
  for (const { object } of objects.filter((o) => o.object.kind === 'Secret' && o.object.apiVersion === 'v1')) {
    const id = `${namespaceOf(object)}/${object.metadata?.name}`;
    const known = keys.get(id) ?? new Set<string>();
    // Several files may hold versions of one Secret: a key in any of them counts.
    for (const key of [...Object.keys(object.data ?? {}), ...Object.keys(object.stringData ?? {})]) known.add(key);
    keys.set(id, known);
  }
  const findings: Finding[] = [];
  for (const item of objects) {
    const specPath = POD_SPEC[String(item.object.kind)] ?? TEMPLATE_SPEC;
    const spec = specPath.reduce<any>((node, key) => node?.[key], item.object);
    for (const list of ['initContainers', 'containers']) {
      (Array.isArray(spec?.[list]) ? spec[list] : []).forEach((container: any, c: number) => {
        (Array.isArray(container?.env) ? container.env : []).forEach((variable: any, v: number) => {
          const ref = variable?.valueFrom?.secretKeyRef;
          if (typeof ref?.name !== 'string' || typeof ref.key !== 'string' || ref.optional === true) return;
          const path = `${specPath.join('.')}.${list}[${c}].env[${v}].valueFrom.secretKeyRef`;
          const id = `${namespaceOf(item.object)}/${ref.name}`;
          const report = (at: string, message: string, severity?: 'warning') =>
            findings.push({ file: item.file, subject: subjectOf(item.object), path: `${path}.${at}`, message, ...(severity ? { severity } : {}) });
          const known = keys.get(id);
          if (!known) report('name', `no Secret ${id} in the linted files: unless it is created on the cluster, the pod does not start`, 'warning');
          else if (!known.has(ref.key)) report('key', `Secret ${id} has no key ${ref.key}: the pod does not start (couldn't find key ${ref.key} in Secret ${id})`);
        });
      });
    }
  }
  return findings;
}
