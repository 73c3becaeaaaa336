import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Measures, in one run of the base act with the services' default simulated latencies:
 * - cold start: `mesh-mall up` to the first 200 of the page, and the resident memory of the runtime and its pods;
 * - serial fan-out: mall v1's page time over the sum of its three calls (≈1 means latency = sum).
 * Prints a table with the targets beside the figures and writes bench/results.json.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'packages/runtime/dist/cli.js');
const PAGES = 200;

interface Hop {
  source_workload: string;
  destination_workload: string;
  duration_ms: number;
  x_request_id: string;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function rssMb(pids: number[]): Promise<number> {
  let kb = 0;
  for (const pid of pids) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }
  return kb / 1024;
}

async function main(): Promise<void> {
  const stateDir = await mkdtemp(join(tmpdir(), 'mesh-mall-bench-'));
  const started = performance.now();
  const runtime = spawn(process.execPath, [CLI, 'up', '--port', '0', '--control-port', '0', '--state-dir', stateDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  runtime.stdout!.on('data', (c: Buffer) => (output += c));
  const urls = await new Promise<{ gateway: string; control: string }>((done, fail) => {
    runtime.stdout!.on('data', () => {
      const gateway = /mall\s+(http:\/\/localhost:\d+)\n/.exec(output)?.[1];
      const control = /control API\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (gateway && control) done({ gateway, control });
    });
    runtime.once('exit', (code) => fail(new Error(`mesh-mall up exited with ${code}:\n${output}`)));
  });
  try {
    while ((await fetch(urls.gateway).then((r) => r.status, () => 0)) !== 200);
    const coldStartS = (performance.now() - started) / 1000;

    const ids: string[] = [];
    for (let i = 0; i < PAGES; i++) {
      const id = `bench-${i}`;
      ids.push(id);
      await (await fetch(`${urls.gateway}/api/mall`, { headers: { 'x-request-id': id, 'end-user': 'bench' } })).arrayBuffer();
    }
    const { objects: pods } = (await (await fetch(`${urls.control}/pods`)).json()) as { objects: { pid: number }[] };
    const memoryMb = await rssMb([runtime.pid!, ...pods.map((p) => p.pid)]);

    // The access log is written asynchronously: wait until every page's last hop is there.
    let hops: Hop[] = [];
    for (let tries = 0; tries < 100; tries++) {
      const text = await readFile(join(stateDir, 'access.log'), 'utf8');
      hops = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Hop);
      if (hops.filter((h) => h.source_workload === 'istio-ingressgateway').length >= PAGES) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const ratios = ids.map((id) => {
      const mine = hops.filter((h) => h.x_request_id === id);
      const page = mine.find((h) => h.source_workload === 'istio-ingressgateway')!.duration_ms;
      const calls = mine.filter((h) => h.source_workload === 'mall-v1').reduce((sum, h) => sum + h.duration_ms, 0);
      return page / calls;
    });

    const results = {
      date: new Date().toISOString(),
      machine: { cores: availableParallelism(), node: process.version, platform: `${process.platform}-${process.arch}` },
      p2_v1_over_sum: Number(median(ratios).toFixed(3)),
      p4_cold_start_s: Number(coldStartS.toFixed(2)),
      p4_rss_mb: Math.round(memoryMb),
    };
    const rows: [string, string, string][] = [
      ['P2 mall v1 page p50 / sum of its calls', String(results.p2_v1_over_sum), '≥ 0.95'],
      ['P4 cold start (up → first page 200)', `${results.p4_cold_start_s} s`, '≤ 3 s'],
      ['P4 resident memory, runtime + pods (base act)', `${results.p4_rss_mb} MB`, '≤ 800 MB'],
    ];
    console.log(`\nmesh-mall bench — ${results.machine.cores} cores, node ${results.machine.node}\n`);
    for (const [what, figure, target] of rows) console.log(`  ${what.padEnd(48)} ${figure.padStart(10)}   target ${target}`);
    await writeFile(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log('\nwrote bench/results.json');
  } finally {
    runtime.kill('SIGINT');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
