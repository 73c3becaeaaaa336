import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../lib/paths.js';
import { BANNER_END } from './up.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), 'main.js');

/** A `mesh-mall up` run as a child process, for tests and benchmarks. */
export interface LaunchedMesh {
  process: ChildProcess;
  gateway: string;
  control: string;
  /** The built-in trace viewer and Jaeger query API. */
  viewer: string;
  stateDir: string;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Ctrl-C, as a user would; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts `mesh-mall up` on free ports with a state directory of its own (or the one given, to restart on it) and
 * resolves once it has printed its whole banner (URLs, capacity); fails with its output if it exits first.
 */
export async function launchMeshMall(options: { stateDir?: string; args?: string[] } = {}): Promise<LaunchedMesh> {
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'mesh-mall-')));
  const ports = ['--port', '0', '--control-port', '0', '--otlp-port', '0', '--ui-port', '0'];
  const child = spawn(process.execPath, [CLI, 'up', ...ports, '--state-dir', stateDir, ...(options.args ?? [])], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const urls = await Promise.race([
    new Promise<{ gateway: string; control: string; viewer: string }>((resolve) => {
      child.stdout!.on('data', () => {
        // The banner may arrive in several chunks: read the URLs once its last line is in.
        if (!output.includes(BANNER_END)) return;
        const gateway = /mall\s+(http:\/\/localhost:\d+)\n/.exec(output)?.[1];
        const control = /control API\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
        const viewer = /traces\s+(http:\/\/localhost:\d+)/.exec(output)?.[1];
        if (gateway && control && viewer) resolve({ gateway, control, viewer });
      });
    }),
    exited.then((code) => {
      throw new Error(`mesh-mall up exited with ${code}:\n${output}`);
    }),
  ]);
  return {
    process: child,
    ...urls,
    stateDir,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}

/** Runs `mesh-mall ARGS` to completion. */
export function runMeshMallCli(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c));
    child.stderr!.on('data', (c: Buffer) => (stderr += c));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
