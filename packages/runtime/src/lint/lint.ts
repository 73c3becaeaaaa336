import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { isKustomization } from '../api/manifests.js';
import { parseAllDocuments } from 'yaml';
import { checkRuntimeSupport } from './runtime-support.js';
import { checkSchema } from './schema-check.js';
import { checkSecretRefs } from './secret-refs.js';
import { checkSemantics, subjectOf, type Finding, type LintedObject } from './semantic.js';


/**
 * Lints every YAML document under `paths` (directories recursively, Kustomize's own files aside: `kubectl kustomize`
 * checks those): the API schema with unknown keys refused, the checks across objects, and what the local runtime
 * would refuse. Findings name file, object and path; warnings do not fail.
 */
export async function lint(paths: string[], servicesDir: string, cwd = process.cwd()): Promise<Finding[]> {
  const findings: Finding[] = [];
  const objects: LintedObject[] = [];
  const faulted = new Set<Record<string, unknown>>();
  for (const file of await yamlFiles(paths)) {
    const shown = relative(cwd, file) || file;
    const documents = parseAllDocuments(await readFile(file, 'utf8'));
    documents.forEach((document, index) => {
      const invalid = (message: string): void => void findings.push({ file: shown, subject: `document ${index + 1}`, path: '(root)', message: `invalid YAML: ${firstLine(message)}` });
      if (document.errors.length > 0) {
        invalid(document.errors[0]!.message);
        return;
      }
      let object: unknown;
      try {
        // An alias bomb or nesting too deep to build fails here, not in the parser (as apply reads it, manifests.ts).
        object = document.toJS() as unknown;
      } catch (error) {
        invalid((error as Error).message);
        return;
      }
      if (object === null || object === undefined) return;
      if (typeof object !== 'object' || Array.isArray(object)) {
        findings.push({ file: shown, subject: `document ${index + 1}`, path: '(root)', message: 'not a Kubernetes object' });
        return;
      }
      const item = { file: shown, object: object as Record<string, unknown> };
      for (const problem of checkSchema(item.object)) {
        findings.push({ file: shown, subject: subjectOf(item.object), ...problem });
        faulted.add(item.object);
      }
      objects.push(item);
    });
  }
  findings.push(...checkSemantics(objects, servicesDir));
  findings.push(...checkSecretRefs(objects));
  findings.push(...checkRuntimeSupport(objects, faulted));
  return findings;
}

/** The parser's message without the excerpt of the file it quotes below it: a finding is one line. */
function firstLine(message: string): string {
  return message.split('\n', 1)[0]!.replace(/:$/, '');
}

export function formatFinding(finding: Finding): string {
  return `${finding.file}: ${finding.subject}: ${finding.path}: ${finding.message}${finding.severity === 'warning' ? ' (warning)' : ''}`;
}

async function yamlFiles(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path);
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    for (const entry of (await readdir(path)).sort()) {
      const full = join(path, entry);
      if ((await stat(full)).isDirectory()) files.push(...(await yamlFiles([full])));
      else if (['.yaml', '.yml'].includes(extname(entry)) && !isKustomization(entry)) files.push(full);
    }
  }
  return files;
}
