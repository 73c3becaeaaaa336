import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { launchMeshMall, runMeshMallCli, type CliResult, type LaunchedMesh } from '@mesh-mall/runtime';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export { runMeshMallCli as runCli, type CliResult };

export interface PodInfo {
  namespace: string;
  name: string;
  workload: string;
  ready: boolean;
  port: number;
  sidecarPort: number;
  pid: number;
  restarts: number;
}

/** A launched mesh plus what the tests read from it. */
export interface MeshMall extends LaunchedMesh {
  pods(): Promise<PodInfo[]>;
  /** Runs `mesh-mall ARGS --server <this runtime>`. */
  cli(...args: string[]): Promise<CliResult>;
  /**
   * `mesh-mall apply -f` the files (paths relative to the repository, or absolute), expecting success with nothing on
   * stderr but the one note on cluster-only fields; resolves with what it printed.
   */
  apply(...files: string[]): Promise<string>;
  accessLog(): Promise<Record<string, unknown>[]>;
}

/**
 * `mesh-mall up` for one test file. Its stop() fails the file, with the runtime's last output, if the runtime died
 * during the tests without being signalled: a crash must not pass as a few failed requests.
 */
export async function startMeshMall(options: { stateDir?: string; args?: string[] } = {}): Promise<MeshMall> {
  const mesh = await launchMeshMall(options);
  return {
    ...mesh,
    stop: async () => {
      const { exitCode, signalCode, killed } = mesh.process;
      const code = await mesh.stop();
      if ((exitCode !== null || signalCode !== null) && !killed) throw new Error(`mesh-mall up died during the tests (${signalCode ?? `exit ${exitCode}`}):\n${mesh.output().slice(-4000)}`);
      return code;
    },
    pods: async () => ((await (await fetch(`${mesh.control}/pods`)).json()) as { objects: PodInfo[] }).objects,
    cli: (...args: string[]) => runMeshMallCli([...args, '--server', mesh.control]),
    apply: async (...files: string[]) => {
      const result = await runMeshMallCli(['apply', ...files.flatMap((f) => ['-f', resolve(REPO_ROOT, f)]), '--server', mesh.control]);
      // The hardened manifests' cluster-only fields are summed up in one note; anything else on stderr is a problem.
      expect(result.stderr.split('\n').filter((line) => line && !line.startsWith('note: cluster-only fields')), files.join(' ')).toEqual([]);
      expect(result.code, files.join(' ')).toBe(0);
      return result.stdout;
    },
    accessLog: async () =>
      (await readFile(join(mesh.stateDir, 'access.log'), 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
