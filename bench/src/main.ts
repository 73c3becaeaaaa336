import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { BenchMesh, ROOT, type Hop } from './mesh.js';
import { closedLoop, median } from './measure.js';

/**
 * npm run bench: the project's performance figures, each measured once on this machine and printed beside its
 * target (goals, not test assertions), written to bench/results.json.
 *   P1 sidecar hop overhead: one upstream (scores) called directly and through a sidecar with the talk's routing.
 *   P2 fan-out: mall v1's page over the sum of its three calls, v2's over the slowest (and over the slowest plus the
 *      mall's own work, its `simulated work` spans from the traces: what a parallel page cannot go below); recommend
 *      v3 over v1.
 *   P3 throughput: pages per second through the gateway with LATENCY_MS=0, every hop real.
 *   P4 cold start (`mesh-mall up` to the first page) and resident memory in the full talk state.
 */

const PAGES = 100;

async function pages(mesh: BenchMesh, prefix: string, user?: string): Promise<Hop[]> {
  for (let i = 0; i < PAGES; i++) {
    const headers: Record<string, string> = { 'x-request-id': `${prefix}-${i}` };
    if (user) headers.cookie = `user=${user}`;
    const response = await fetch(`${mesh.gateway}/api/mall`, { headers });
    await response.arrayBuffer();
  }
  return mesh.hops(`${prefix}-`, PAGES);
}

const p50Of = (hops: Hop[], source: string, destinationPrefix: string) =>
  median(hops.filter((h) => h.source_workload.startsWith(source) && h.destination_workload.startsWith(destinationPrefix)).map((h) => h.duration_ms));

async function fanOutAndMemory() {
  const mesh = await BenchMesh.start();
  try {
    // A named shopper, so the mall makes all three calls (a guest costs no users call).
    const v1 = await pages(mesh, 'bench-v1', 'shopper');
    const v1Ratio = p50Of(v1, 'istio-ingressgateway', 'mall') / ['users', 'recommend', 'discount'].reduce((sum, s) => sum + p50Of(v1, 'mall-v1', s), 0);
    await mesh.apply('install/jason-apps.yaml', 'istio/jason-routing.yaml', 'install/fox-apps.yaml', 'istio/fox-routing.yaml', 'install/mall-v2-apps.yaml', 'istio/mall-v2-100.yaml');
    const v2 = await pages(mesh, 'bench-v2', 'shopper');
    const slowestV2 = Math.max(...['users', 'recommend', 'discount'].map((s) => p50Of(v2, 'mall-v2', s)));
    const v2Ratio = p50Of(v2, 'istio-ingressgateway', 'mall') / slowestV2;
    const v2OverSlowestAndWork = p50Of(v2, 'istio-ingressgateway', 'mall') / (slowestV2 + median(await mesh.workSpansMs('mall', 'v2', PAGES)));
    await mesh.apply('install/recommend-v3-apps.yaml', 'istio/recommend-v3-routing.yaml');
    const v3 = await pages(mesh, 'bench-v3', 'jason');
    const recommendRatio = p50Of(v3, 'mall-v2', 'recommend-v3') / p50Of(v2, 'mall-v2', 'recommend-v1');
    return { coldStartS: mesh.coldStartS, memory: await mesh.memoryMb(), v1Ratio, v2Ratio, v2OverSlowestAndWork, recommendRatio };
  } finally {
    await mesh.stop();
  }
}

async function hopAndThroughput() {
  const mesh = await BenchMesh.start(['--env', 'LATENCY_MS=0']);
  try {
    await mesh.apply('install/jason-apps.yaml', 'istio/jason-routing.yaml', 'install/fox-apps.yaml', 'istio/fox-routing.yaml');
    const pods = await mesh.pods();
    const scores = pods.find((p) => p.workload === 'scores-v1')!;
    const recommend = pods.find((p) => p.workload === 'recommend-v1')!;
    const direct = await closedLoop(`http://127.0.0.1:${scores.port}/scores?ids=7`, {}, 8, 5000);
    const viaSidecar = await closedLoop(`http://127.0.0.1:${recommend.sidecarPort}/scores?ids=7`, { host: 'scores.base.svc.cluster.local:7000' }, 8, 5000);
    const throughput = await closedLoop(`${mesh.gateway}/api/mall`, {}, 32, 10_000);
    return { direct, viaSidecar, throughput };
  } finally {
    await mesh.stop();
  }
}

const round = (n: number, digits = 3) => Number(n.toFixed(digits));

async function main(): Promise<void> {
  const fanOut = await fanOutAndMemory();
  const hop = await hopAndThroughput();
  const results = {
    date: new Date().toISOString(),
    machine: { cores: availableParallelism(), node: process.version, platform: `${process.platform}-${process.arch}` },
    p1_hop_added_p50_ms: round(hop.viaSidecar.p50Ms - hop.direct.p50Ms),
    p1_hop_added_p99_ms: round(hop.viaSidecar.p99Ms - hop.direct.p99Ms),
    p2_v1_over_sum: round(fanOut.v1Ratio),
    p2_v2_over_max: round(fanOut.v2Ratio),
    p2_v2_over_max_plus_work: round(fanOut.v2OverSlowestAndWork),
    p2_recommend_v3_over_v1: round(fanOut.recommendRatio),
    p3_pages_per_s: round(hop.throughput.perSecond, 1),
    p4_cold_start_s: round(fanOut.coldStartS, 2),
    p4_rss_mb: Math.round(fanOut.memory.rss),
    p4_pss_mb: Math.round(fanOut.memory.pss),
  };
  const rows: [string, string, string][] = [
    ['P1 sidecar hop, added p50', `${results.p1_hop_added_p50_ms} ms`, '≤ +0.10 ms'],
    ['P1 sidecar hop, added p99', `${results.p1_hop_added_p99_ms} ms`, '≤ +0.5 ms'],
    ['P2 mall v1 page p50 / sum of its calls', String(results.p2_v1_over_sum), '≥ 0.95'],
    ['P2 mall v2 page p50 / slowest call', String(results.p2_v2_over_max), '≤ 1.05'],
    ['P2 mall v2 page p50 / (slowest + own work)', String(results.p2_v2_over_max_plus_work), '≤ 1.05'],
    ['P2 recommend v3 p50 / v1 p50', String(results.p2_recommend_v3_over_v1), '(lower is better)'],
    ['P3 pages/s, LATENCY_MS=0, all hops real', String(results.p3_pages_per_s), '≥ 800'],
    ['P4 cold start (up → first page)', `${results.p4_cold_start_s} s`, '≤ 3 s'],
    ['P4 resident memory, full talk state', `${results.p4_rss_mb} MB`, '≤ 800 MB'],
    ['P4 same, shared pages counted once (PSS)', `${results.p4_pss_mb} MB`, '(for comparison)'],
  ];
  console.log(`\nmesh-mall bench — ${results.machine.cores} cores, node ${results.machine.node}, ${results.date}\n`);
  for (const [what, figure, target] of rows) console.log(`  ${what.padEnd(42)} ${figure.padStart(10)}   target ${target}`);
  await writeFile(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log('\nwrote bench/results.json');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
