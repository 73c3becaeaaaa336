import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startMeshMall, type MeshMall } from './support/mesh-mall.js';

let mesh: MeshMall;
beforeAll(async () => {
  mesh = await startMeshMall({ args: ['--env', 'LATENCY_MS=0'] });
  await mesh.apply('install/mall-v2-apps.yaml', 'istio/mall-canary-50.yaml');
});
afterAll(async () => {
  await mesh?.stop();
});

function runLoad(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'load/dist/main.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run load', () => {
  it("reports the same page count and version split as the mesh's own access log", async () => {
    const out = await mkdtemp(join(tmpdir(), 'mesh-mall-load-'));
    const { code, stdout } = await runLoad(['--target', mesh.gateway, '--rate', '40', '--duration', '3s', '--users', 'guest:2,jason:1,fox:1', '--out', out]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/120 requests at 40\/s for 3s, 120 answered/);
    expect(stdout).toMatch(/mall v1 +\d+ +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+/);
    const files = await readdir(out);
    const report = JSON.parse(await readFile(join(out, files.find((f) => f.endsWith('.json'))!), 'utf8')) as {
      runId: string;
      completed: number;
      versionCount: Record<string, number>;
      latencyMs: { byUser: Record<string, { count: number }> };
    };
    const html = await readFile(join(out, files.find((f) => f.endsWith('.html'))!), 'utf8');
    expect(html).toMatch(/<polyline data-version="v1"/);
    expect(html).toMatch(/<polyline data-version="v2"/);

    // What the gateway saw of this run, by the x-request-id the generator gave each page load.
    await expect.poll(async () => (await mesh.accessLog()).filter((h) => String(h.x_request_id).startsWith(`${report.runId}-`) && h.source_workload === 'istio-ingressgateway').length, { timeout: 10_000 }).toBe(120);
    const served = (await mesh.accessLog()).filter((h) => String(h.x_request_id).startsWith(`${report.runId}-`) && h.source_workload === 'istio-ingressgateway');
    const byVersion: Record<string, number> = {};
    for (const hop of served) if (hop.status === 200) byVersion[String(hop.destination_version)] = (byVersion[String(hop.destination_version)] ?? 0) + 1;
    console.log(`load: ${report.completed} pages answered; report ${JSON.stringify(report.versionCount)}, access log ${JSON.stringify(byVersion)}`);
    expect(report.completed).toBe(served.filter((h) => h.status === 200).length);
    expect(report.versionCount).toEqual(byVersion);
    expect(report.versionCount).toEqual({ v1: 60, v2: 60 });
    expect(report.latencyMs.byUser).toMatchObject({ guest: { count: 60 }, jason: { count: 30 }, fox: { count: 30 } });
  });

  it('refuses a bad mix and an unreachable target with a clear message', async () => {
    expect((await runLoad(['--users', 'guest'])).stderr).toContain('is not name:weight');
    const unreachable = await runLoad(['--target', 'http://127.0.0.1:1', '--users', 'jason:1', '--duration', '1s']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('cannot reach http://127.0.0.1:1');
  });
});
