import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'packages/runtime/bin/mesh-mall.js');

export interface Hop {
  source_workload: string;
  destination_workload: string;
  destination_version: string;
  duration_ms: number;
  x_request_id: string;
  status: number;
}

/** A `mesh-mall up` of the bench's own, on free ports, with the time it took to serve its first page. */
export class BenchMesh {
  private constructor(
    readonly process: ChildProcess,
    readonly gateway: string,
    readonly control: string,
    readonly stateDir: string,
    readonly coldStartS: number,
  ) {}

  static async start(args: string[] = []): Promise<BenchMesh> {
    const stateDir = await mkdtemp(join(tmpdir(), 'mesh-mall-bench-'));
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, 'up', '--port', '0', '--control-port', '0', '--otlp-port', '0', '--ui-port', '0', '--state-dir', stateDir, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c));
    const urls = await new Promise<{ gateway: string; control: string }>((done, fail) => {
      child.stdout!.on('data', () => {
        const gateway = /mall\s+(http:\/\/localhost:\d+)\n/.exec(output)?.[1];
        const control = /control API\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
        if (gateway && control) done({ gateway, control });
      });
      child.once('exit', (code) => fail(new Error(`mesh-mall up exited with ${code}:\n${output}`)));
    });
    while ((await fetch(urls.gateway).then((r) => (r.body?.cancel(), r.status), () => 0)) !== 200);
    return new BenchMesh(child, urls.gateway, urls.control, stateDir, (performance.now() - started) / 1000);
  }

  async apply(...files: string[]): Promise<void> {
    for (const file of files) {
      const code = await new Promise<number | null>((done) =>
        spawn(process.execPath, [CLI, 'apply', '-f', join(ROOT, file), '--server', this.control], { stdio: 'ignore' }).once('exit', done),
      );
      if (code !== 0) throw new Error(`mesh-mall apply -f ${file} failed`);
    }
  }

  async pods(): Promise<{ workload: string; pid: number; port: number; sidecarPort: number }[]> {
    return ((await (await fetch(`${this.control}/pods`)).json()) as { objects: { workload: string; pid: number; port: number; sidecarPort: number }[] }).objects;
  }

  /** Resident memory of the runtime and every pod, in MB (Linux /proc). */
  async rssMb(): Promise<number> {
    let kb = 0;
    for (const pid of [this.process.pid!, ...(await this.pods()).map((p) => p.pid)]) {
      const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
      kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    }
    return kb / 1024;
  }

  /** The access log's hops of the requests whose id starts with `prefix`, once `expected` ingress hops are there. */
  async hops(prefix: string, expected: number): Promise<Hop[]> {
    for (let tries = 0; tries < 200; tries++) {
      const text = await readFile(join(this.stateDir, 'access.log'), 'utf8').catch(() => '');
      const hops = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Hop).filter((h) => String(h.x_request_id).startsWith(prefix));
      if (hops.filter((h) => h.source_workload === 'istio-ingressgateway').length >= expected) return hops;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the access log never showed ${expected} pages of ${prefix}`);
  }

  async stop(): Promise<void> {
    const exited = new Promise((done) => this.process.once('exit', done));
    this.process.kill('SIGINT');
    await exited;
  }
}
