import { isIstio, ManifestError, toManifests, type IstioManifests } from '../api/manifests.js';
import { MeshConfig } from '../istio/mesh-config.js';
import { validateMeshConfig } from '../istio/validate.js';
import { subjectOf, type Finding, type LintedObject } from './semantic.js';

const LOCALLY_UNSUPPORTED = /local runtime/;

/** The API groups istiod reads: Istio's own and the Gateway API's. */
const ISTIO_READ = /^([a-z.]*\.istio\.io|gateway\.networking\.k8s\.io)\//;

/** Kubernetes kinds whose reading at apply can refuse what the API schema lets through (Secret keys, container env). */
const READ_KINDS = new Set(['Secret', 'Deployment', 'StatefulSet']);

/**
 * What `mesh-mall apply` would say of the Istio and Gateway API objects (and of Secrets and workloads): a refusal that Istio shares (a duration under 1ms, several
 * destinations all of weight 0, a regex RE2 cannot compile) is an error; one that is the local runtime's alone (a
 * field or kind it does not implement, a host Istio takes but that names no Service) is a warning — the file is
 * valid for a cluster. Objects the API schema already faulted are left to that finding.
 */
export function checkRuntimeSupport(objects: LintedObject[], faulted: ReadonlySet<Record<string, unknown>>): Finding[] {
  const findings: Finding[] = [];
  const admitted: IstioManifests[] = [];
  for (const item of objects) {
    if (faulted.has(item.object) || !(ISTIO_READ.test(String(item.object.apiVersion)) || READ_KINDS.has(String(item.object.kind)))) continue;
    const subject = subjectOf(item.object);
    try {
      admitted.push(...toManifests([{ source: 'lint', object: item.object }]).manifests.filter(isIstio));
    } catch (error) {
      if (!(error instanceof ManifestError)) throw error;
      // The reader names `lint: <Kind> <name>: ` first; what follows is the path and the reason.
      const said = error.message.replace(/^lint: [^:]*: /, '');
      findings.push({ file: item.file, subject, path: '(local runtime)', message: said, ...(LOCALLY_UNSUPPORTED.test(said) ? { severity: 'warning' as const } : {}) });
    }
  }
  for (const problem of validateMeshConfig(MeshConfig.fromManifests(admitted))) {
    // One VirtualService per host is checked across files by the semantic checks, which know the canary's versions.
    if (/already has VirtualService/.test(problem)) continue;
    const [subject, ...rest] = problem.split(': ');
    const item = objects.find((o) => subjectOf(o.object) === subject);
    findings.push({
      file: item?.file ?? '(linted files)',
      subject: subject ?? '',
      path: '(local runtime)',
      message: rest.join(': '),
      ...(LOCALLY_UNSUPPORTED.test(problem) ? { severity: 'warning' as const } : {}),
    });
  }
  return findings;
}
