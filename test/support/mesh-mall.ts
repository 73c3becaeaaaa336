import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(REPO_ROOT, 'packages/runtime/dist/cli.js');

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

export interface MeshMall {
  process: ChildProcess;
  gateway: string;
  control: string;
  /** The built-in trace viewer and Jaeger query API. */
  viewer: string;
  stateDir: string;
  output: () => string;
  pods(): Promise<PodInfo[]>;
  /** Runs `mesh-mall ARGS --server <this runtime>`. */
  cli(...args: string[]): Promise<CliResult>;
  accessLog(): Promise<Record<string, unknown>[]>;
  /** Ctrl-C, as a user would; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Runs `mesh-mall up` on free ports with its own state directory and waits until it prints its URLs. */
export async function startMeshMall(options: { stateDir?: string; args?: string[] } = {}): Promise<MeshMall> {
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'mesh-mall-e2e-')));
  const ports = ['--port', '0', '--control-port', '0', '--otlp-port', '0', '--ui-port', '0'];
  const child = spawn(process.execPath, [CLI, 'up', ...ports, '--state-dir', stateDir, ...(options.args ?? [])], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const started = await Promise.race([
    new Promise<{ gateway: string; control: string; viewer: string }>((resolveUrls) => {
      const check = () => {
        const gateway = /mall\s+(http:\/\/localhost:\d+)\n/.exec(output)?.[1];
        const control = /control API\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
        const viewer = /traces\s+(http:\/\/localhost:\d+)/.exec(output)?.[1];
        if (gateway && control && viewer) resolveUrls({ gateway, control, viewer });
      };
      child.stdout!.on('data', check);
    }),
    exited.then((code) => {
      throw new Error(`mesh-mall up exited with ${code}:\n${output}`);
    }),
  ]);
  return {
    process: child,
    ...started,
    stateDir,
    output: () => output,
    pods: async () => ((await (await fetch(`${started.control}/pods`)).json()) as { objects: PodInfo[] }).objects,
    cli: (...args: string[]) => runCli([...args, '--server', started.control]),
    accessLog: async () =>
      (await readFile(join(stateDir, 'access.log'), 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c));
    child.stderr!.on('data', (c: Buffer) => (stderr += c));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
