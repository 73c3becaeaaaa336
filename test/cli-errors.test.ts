import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from './support/mesh-mall.js';

/** Every error of the CLI is one line naming the file or object and the cause, and a non-zero exit. */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mesh-mall-cli-'));
});

/** A billion laughs in YAML: nine aliases of nine aliases of … */
const ALIAS_BOMB = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]`)].join('\n');

async function fileWith(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('one line for a bad file, no stack trace', () => {
  it('an alias bomb: the parser refuses it, and the CLI says so in one line', async () => {
    const file = await fileWith('bomb.yaml', ALIAS_BOMB);
    const result = await runCli(['apply', '-f', file, '--server', 'http://127.0.0.1:1']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^mesh-mall: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(document 1\\): invalid YAML: Excessive alias count[^\\n]*\\n$`));
  });

  it('nesting deeper than the parser goes, a file that is not YAML, a file that is not there', async () => {
    const deep = await fileWith('deep.yaml', `${'['.repeat(20_000)}${']'.repeat(20_000)}`);
    const notYaml = await fileWith('not.yaml', 'kind: [unclosed\n  - :\n');
    for (const file of [deep, notYaml, join(dir, 'absent.yaml')]) {
      const result = await runCli(['apply', '-f', file, '--server', 'http://127.0.0.1:1']);
      expect(result.code, file).toBe(1);
      expect(result.stderr.split('\n'), file).toHaveLength(2);
      expect(result.stderr, file).toMatch(/^mesh-mall: /);
      expect(result.stderr, file).toContain(file);
      expect(result.stderr, file).not.toMatch(/\n\s+at /);
    }
  });

  it('a bad --capacity is one line naming the flag', async () => {
    const result = await runCli(['up', '--capacity', 'memory=lots', '--port', '0', '--control-port', '0', '--otlp-port', '0', '--ui-port', '0']);
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'mesh-mall: --capacity/MESH_MALL_CAPACITY: memory=lots is not a Kubernetes quantity\n' });
  });

  it('on a Node older than 22, the CLI (and npm start) stop at once naming the version needed', async () => {
    // Node 20 as the process sees itself; the check runs before anything else is imported.
    const asNode20 = `data:text/javascript,Object.defineProperty(process,'versions',{value:{...process.versions,node:'20.20.2'}});Object.defineProperty(process,'version',{value:'v20.20.2'})`;
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ['--import', asNode20, join(REPO_ROOT, 'packages/runtime/bin/mesh-mall.js'), 'get', 'pods'], (_error, stdout, stderr) =>
        resolve({ code: child.exitCode, stdout, stderr }),
      );
    });
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'mesh-mall needs Node 22 or newer (24 recommended, see .nvmrc); this is v20.20.2\n' });
  });
});
