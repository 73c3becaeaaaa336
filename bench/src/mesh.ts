import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchMeshMall, runMeshMallCli, type JaegerTrace, type LaunchedMesh } from '@mesh-mall/runtime';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

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
    private readonly mesh: LaunchedMesh,
    readonly coldStartS: number,
  ) {}

  get gateway(): string {
    return this.mesh.gateway;
  }

  static async start(args: string[] = []): Promise<BenchMesh> {
    const started = performance.now();
    const mesh = await launchMeshMall({ args });
    while ((await fetch(mesh.gateway).then((r) => (r.body?.cancel(), r.status), () => 0)) !== 200);
    return new BenchMesh(mesh, (performance.now() - started) / 1000);
  }

  /**
   * Durations in ms of the `simulated work` spans of `service` at `version` in the newest `limit` traces, read from the
   * runtime's Jaeger API as any tool would.
   */
  async workSpansMs(service: string, version: string, limit: number): Promise<number[]> {
    const url = `${this.mesh.viewer}/api/traces?service=${service}&limit=${limit}&lookback=1h`;
    const { data } = (await (await fetch(url)).json()) as { data: JaegerTrace[] };
    return data.flatMap((trace) =>
      trace.spans
        .filter((span) => {
          const process = trace.processes[span.processID]!;
          return span.operationName === 'simulated work' && process.serviceName === service && process.tags.some((t) => t.key === 'service.version' && t.value === version);
        })
        .map((span) => span.duration / 1000),
    );
  }

  async apply(...files: string[]): Promise<void> {
    for (const file of files) {
      const { code, stderr } = await runMeshMallCli(['apply', '-f', join(ROOT, file), '--server', this.mesh.control]);
      if (code !== 0) throw new Error(`mesh-mall apply -f ${file} failed: ${stderr}`);
    }
  }

  async pods(): Promise<{ workload: string; pid: number; port: number; sidecarPort: number }[]> {
    return ((await (await fetch(`${this.mesh.control}/pods`)).json()) as { objects: { workload: string; pid: number; port: number; sidecarPort: number }[] }).objects;
  }

  /**
   * Memory of the runtime and every pod, in MB (Linux /proc): the sum of RSS (the target's measure), and the sum of
   * PSS, which counts pages the processes share (Node's own code) once rather than once per process.
   */
  async memoryMb(): Promise<{ rss: number; pss: number }> {
    let rssKb = 0;
    let pssKb = 0;
    for (const pid of [this.mesh.process.pid!, ...(await this.pods()).map((p) => p.pid)]) {
      rssKb += Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''))?.[1] ?? 0);
      pssKb += Number(/Pss:\s+(\d+)/.exec(await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => ''))?.[1] ?? 0);
    }
    return { rss: rssKb / 1024, pss: pssKb / 1024 };
  }

  /** The access log's hops of the requests whose id starts with `prefix`, once `expected` ingress hops are there. */
  async hops(prefix: string, expected: number): Promise<Hop[]> {
    for (let tries = 0; tries < 200; tries++) {
      const text = await readFile(join(this.mesh.stateDir, 'access.log'), 'utf8').catch(() => '');
      const hops = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Hop).filter((h) => String(h.x_request_id).startsWith(prefix));
      if (hops.filter((h) => h.source_workload === 'istio-ingressgateway').length >= expected) return hops;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the access log never showed ${expected} pages of ${prefix}`);
  }

  async stop(): Promise<void> {
    await this.mesh.stop();
  }
}
