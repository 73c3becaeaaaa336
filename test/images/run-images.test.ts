/**
 * `npm run test:images`: every service image built from the project's Dockerfile with podman and run the way install/
 * runs it (kubelet.ts), one by one and then together on a network whose aliases are the cluster's DNS names. Prints a
 * table (service, size, start, probes, stop) at the end. Needs podman, buildah, runc and debootstrap (DEVELOPERS.md).
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { containerEnv, readSecret, type SecretManifest } from '@mesh-mall/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../support/mesh-mall.js';
import { podRun, type PodRun, type Workload } from './kubelet.js';
import { hostPort, isRunning, logLines, podman, PODMAN_ENV } from './podman.js';

const exec = promisify(execFile);
const SERVICES = ['mall', 'users', 'recommend', 'scores', 'products', 'discount', 'favorites'] as const;
type Service = (typeof SERVICES)[number];
/**
 * A business request per service, kept going while the pod stops, and what it answers with no other Service reachable
 * (no name resolves): those calling products time out into a 504, users does not know jason yet.
 */
const LOAD: Record<Service, { path: string; status: number }> = {
  mall: { path: '/api/mall', status: 200 },
  users: { path: '/users?name=jason', status: 404 },
  recommend: { path: '/recommend', status: 504 },
  scores: { path: '/scores?ids=7,8,9', status: 200 },
  products: { path: '/products?ids=1,2,3', status: 200 },
  discount: { path: '/discount', status: 504 },
  favorites: { path: '/favorites?ids=1,2,3', status: 200 },
};
const TAG = 'test';
const image = (service: string) => `localhost/mesh-mall/${service}:${TAG}`;
/** Container names of this run, removed at the end whatever happened. */
const containers = new Set<string>();
const NETWORK = 'mesh-mall-images';
/** A DNS server that never answers: the cluster's DNS down, so a lookup in flight at exit is one that hangs. */
const BLACKHOLE_DNS = { name: 'mesh-mall-images-dns', ip: '10.89.77.53', subnet: '10.89.77.0/24' };

interface Row {
  service: string;
  size: string;
  startMs: number;
  probes: string;
  stopS: number;
}
const table: Row[] = [];

let documents: Record<string, any>[];
let stateDir: string;

function workloadFor(service: Service, version = 'v1', namespace?: string): Workload {
  const found = documents.find(
    (d) =>
      d.kind === 'Deployment' &&
      (namespace === undefined || d.metadata.namespace === namespace) &&
      d.spec.template.spec.containers[0].image === `mesh-mall/${service}:${version}`,
  );
  if (!found) throw new Error(`no install/ Deployment runs mesh-mall/${service}:${version}`);
  return found as Workload;
}

/** The container's environment as the kubelet gives it (the runtime's own resolver: fieldRefs, Secrets, $(VAR)). */
function envFor(workload: Workload, podName: string): Record<string, string> {
  const template = workload.spec.template;
  const secrets = documents.filter((d) => d.kind === 'Secret').map((d) => readSecret(d));
  const lookup = (namespace: string, name: string): SecretManifest | undefined =>
    secrets.find((s) => s.metadata.name === name && (s.metadata.namespace ?? 'default') === namespace);
  const pod = { name: podName, namespace: workload.metadata.namespace, labels: template.metadata.labels, serviceAccount: 'default', ip: '0.0.0.0' };
  return containerEnv(template.spec.containers[0] as never, pod, lookup);
}

async function start(name: string, workload: Workload, env: Record<string, string>, network: string[]): Promise<PodRun> {
  const run = await podRun(workload, env, { name, stateDir });
  containers.add(name);
  await podman('run', '--detach', ...network, ...run.args, image(workload.spec.template.spec.containers[0]!.image.split(/[/:]/)[1]!));
  return run;
}

async function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}${path}`, { headers, signal: AbortSignal.timeout(10_000) });
}

/** A request on a connection of its own (no keep-alive pool): whether the listener still accepts. */
function getOnNewConnection(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpGet({ host: '127.0.0.1', port, path, agent: false, timeout: 10_000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode!));
    });
    request.on('timeout', () => request.destroy(new Error('no answer in 10 s')));
    request.on('error', reject);
  });
}

/**
 * Polls the probe until it answers `status`, or the container exits; resolves with the milliseconds it took. On
 * failure, says what the probe last got and what the container last logged.
 */
async function until(container: string, port: number, path: string, status: number, timeoutMs = 30_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const answered = await get(port, path).then(
      (r) => String(r.status),
      (error: Error) => (error.cause as Error)?.message ?? error.message,
    );
    if (answered === String(status)) return Math.round(performance.now() - started);
    const lastLogged = async () => (await logLines(container)).slice(-5).join('\n');
    if (!(await isRunning(container))) throw new Error(`${container} exited: ${await lastLogged()}`);
    if (performance.now() - started > timeoutMs) {
      throw new Error(`${container}: ${path} never answered ${status} in ${timeoutMs} ms (last: ${answered}); it logged:\n${await lastLogged()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every line the container logged is one JSON object. */
async function expectJsonLogs(container: string): Promise<void> {
  const lines = await logLines(container);
  expect(lines.length, container).toBeGreaterThan(0);
  for (const line of lines) expect(() => JSON.parse(line), `${container}: ${line}`).not.toThrow();
}

/**
 * Stops the container as the kubelet stops a pod: the preStop hook, then SIGTERM, then SIGKILL at the end of the
 * grace period. Meanwhile a new connection every 100 ms; until preStop + SHUTDOWN_DELAY_MS has passed, each must be
 * accepted (routing may still send requests there while the endpoints update). Resolves with the seconds the stop took.
 */
async function stopLikeKubelet(container: string, run: PodRun, port: number, path: string, env: Record<string, string>): Promise<{ seconds: number; refusedInWindow: string[] }> {
  const started = performance.now();
  const acceptUntil = started + ((run.preStop ? Number(run.preStop[1]) : 0) * 1000 + Number(env.SHUTDOWN_DELAY_MS ?? 1000) - 100);
  const refusedInWindow: string[] = [];
  let probing = true;
  const requests: Promise<unknown>[] = [];
  const prober = (async () => {
    while (probing && performance.now() < acceptUntil) {
      const at = Math.round(performance.now() - started);
      requests.push(getOnNewConnection(port, path).catch((error: Error) => refusedInWindow.push(`${at} ms: ${error.message}`)));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const exited = exec('podman', ['wait', container], { env: PODMAN_ENV });
  if (run.preStop) await podman('exec', container, ...run.preStop);
  await podman('kill', '--signal', 'TERM', container);
  const graceLeft = run.graceSeconds * 1000 - (performance.now() - started);
  const killed = await Promise.race([exited.then(() => false), new Promise((resolve) => setTimeout(resolve, graceLeft, true))]);
  if (killed) await podman('kill', '--signal', 'KILL', container);
  await exited;
  probing = false;
  await prober;
  await Promise.all(requests);
  return { seconds: (performance.now() - started) / 1000, refusedInWindow };
}

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'mesh-mall-images-'));
  documents = [];
  for (const file of (await readdir(join(REPO_ROOT, 'install'))).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')) {
    documents.push(...parseAllDocuments(await readFile(join(REPO_ROOT, 'install', file), 'utf8')).map((d) => d.toJS() as Record<string, any>));
  }
  await exec('bash', [join(REPO_ROOT, 'test/images/node-base-image.sh')], { env: PODMAN_ENV, maxBuffer: 16 * 1024 * 1024 });
  // npm in the build reaches the registry through this machine's CA bundle: mounted for the build, never copied in.
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  const caArgs = ca ? ['--build-arg', 'NODE_EXTRA_CA_CERTS=/run/mesh-mall-ca.crt', '--volume', `${ca}:/run/mesh-mall-ca.crt:ro`] : [];
  for (const service of SERVICES) {
    await podman('build', '--quiet', '--build-arg', `SERVICE=${service}`, ...caArgs, '--tag', image(service), REPO_ROOT);
  }
  await podman('network', 'rm', '--force', NETWORK).catch(() => undefined);
  await podman('network', 'create', '--subnet', BLACKHOLE_DNS.subnet, NETWORK);
  containers.add(BLACKHOLE_DNS.name);
  await podman('run', '--detach', '--name', BLACKHOLE_DNS.name, '--network', NETWORK, '--ip', BLACKHOLE_DNS.ip, 'docker.io/library/node:24-bookworm-slim',
    'node', '-e', "require('node:dgram').createSocket('udp4').on('message', () => {}).bind(53)");
}, 900_000);

afterAll(async () => {
  for (const name of containers) await podman('rm', '--force', '--time', '0', name).catch(() => undefined);
  await podman('network', 'rm', '--force', NETWORK).catch(() => undefined);
  await rm(stateDir, { recursive: true, force: true });
  if (table.length === 0) return;
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd([10, 8, 9, 34, 6][i]!)).join(' ').trimEnd();
  const rows = [line(['service', 'size', 'start', 'probes', 'stop']), ...table.map((r) => line([r.service, r.size, `${r.startMs} ms`, r.probes, `${r.stopS.toFixed(1)} s`]))];
  process.stdout.write(`\n${rows.join('\n')}\n\n`);
}, 120_000);

describe('each image, run as its install/ Deployment runs it (cluster DNS not answering)', () => {
  for (const service of SERVICES) {
    it(`${service}: non-root, read-only root, probes, JSON logs, accepts while draining, stops within its grace period`, async () => {
      const workload = workloadFor(service);
      const name = `mesh-mall-images-${service}`;
      const env = envFor(workload, name);
      // users alone: its embedded store on the emptyDir (the MongoDB case is the next test).
      if (service === 'users') delete env.MONGO_URL;
      const run = await start(name, workload, env, ['--network', NETWORK, '--dns', BLACKHOLE_DNS.ip]);
      const config = JSON.parse(await podman('image', 'inspect', '--format', '{{json .Config}}', image(service))) as { User: string };
      expect(config.User).toBe('1000:1000');
      const port = await hostPort(name);
      const startMs = await until(name, port, run.readinessPath, 200);
      expect((await get(port, run.livenessPath)).status).toBe(200);
      const asked = performance.now();
      const answer = await get(port, LOAD[service].path, { 'end-user': 'jason' });
      expect(answer.status, `${service} ${LOAD[service].path}`).toBe(LOAD[service].status);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      if (service === 'mall') {
        // No section can be reached: jason's page still answers within v1's budgets, one after another (users 1 s +
        // recommend 1.5 s + discount 1 s, install/base_apps.yaml), with 0.5 s for the container's overhead.
        expect(((await answer.json()) as { meta: { unavailable: string[] } }).meta.unavailable).toEqual(['user', 'recommend', 'discount']);
        expect(performance.now() - asked).toBeLessThan(4_000);
      }
      if (service === 'users') {
        const created = await fetch(`http://127.0.0.1:${port}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"jason"}' });
        expect(created.status).toBe(201);
        expect(await readFile(join(run.emptyDirs.get('/data')!, 'users.jsonl'), 'utf8')).toContain('"name":"jason"');
      }
      // The root filesystem is read-only, so a write anywhere but the emptyDirs would have failed the service.
      expect(await podman('inspect', '--format', '{{.HostConfig.ReadonlyRootfs}}', name)).toBe('true');

      const stop = await stopLikeKubelet(name, run, port, LOAD[service].path, env);
      expect(stop.refusedInWindow).toEqual([]);
      expect(stop.seconds).toBeLessThan(run.graceSeconds);
      expect(await podman('inspect', '--format', '{{.State.ExitCode}}', name)).toBe('0');
      await expectJsonLogs(name);
      const size = await podman('image', 'inspect', '--format', '{{.Size}}', image(service));
      table.push({ service, size: `${Math.round(Number(size) / 1024 / 1024)} MB`, startMs, probes: `${run.readinessPath} ${run.livenessPath} 200`, stopS: stop.seconds });
    }, 120_000);
  }

  it('users with MONGO_URL and no MongoDB yet: stays up, live and not ready naming why, logging JSON, and stops in time', async () => {
    const workload = workloadFor('users');
    const name = 'mesh-mall-images-users-mongo';
    const env = envFor(workload, name);
    expect(env.MONGO_URL).toBe('mongodb://root:mesh-mall-demo-only@mongodb.base.svc.cluster.local:27017/mesh-mall?authSource=admin');
    // Cluster DNS not answering either: the driver's lookups, too, must not hold the stop past its grace period.
    const run = await start(name, workload, env, ['--network', NETWORK, '--dns', BLACKHOLE_DNS.ip]);
    const port = await hostPort(name);
    await until(name, port, '/healthz', 200);
    // Past the driver's first server-selection timeout (5 s), where users used to exit: a second attempt is logged.
    for (;;) {
      const attempts = (await logLines(name)).filter((l) => l.includes('MongoDB not reachable yet'));
      if (attempts.length >= 2) break;
      expect(await isRunning(name)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(await isRunning(name)).toBe(true);
    const readiness = await get(port, '/readyz');
    expect(readiness.status).toBe(503);
    expect(((await readiness.json()) as { message: string }).message).toMatch(/^MongoDB not reachable yet: /);
    const login = await fetch(`http://127.0.0.1:${port}/users?name=jason`);
    expect(login.status).toBe(503);
    const stop = await stopLikeKubelet(name, run, port, '/users?name=jason', env);
    expect(stop.refusedInWindow).toEqual([]);
    expect(stop.seconds).toBeLessThan(run.graceSeconds);
    expect(await podman('inspect', '--format', '{{.State.ExitCode}}', name)).toBe('0');
    await expectJsonLogs(name);
  }, 90_000);
});

describe('the base act and the lanes as containers on a network named as the cluster names them', () => {
  const ports = new Map<string, number>();

  beforeAll(async () => {
    const pods: [Service, string, string][] = [
      ...SERVICES.filter((s) => s !== 'favorites').map((s): [Service, string, string] => [s, 'v1', 'base']),
      ['recommend', 'v2', 'jason'],
      ['discount', 'v2', 'fox'],
      ['products', 'v2', 'fox'],
      ['favorites', 'v1', 'fox'],
    ];
    // Started as many at a time as there are cores: ten Node processes starting at once under their CPU limits on a
    // two-core CI machine took scores past any fixed wait. A node starts its pods in parallel; readiness is what counts.
    const startPod = async ([service, version, namespace]: [Service, string, string]): Promise<void> => {
      const workload = workloadFor(service, version, namespace);
      const name = `mesh-mall-images-${namespace}-${service}`;
      const env = envFor(workload, name);
      // No MongoDB here (none can be had on this machine): users keeps its embedded store, as the local runtime does.
      delete env.MONGO_URL;
      const host = `${service}.${namespace}`;
      const aliases = [host, `${host}.svc`, `${host}.svc.cluster.local`].flatMap((a) => ['--network-alias', a]);
      const run = await start(name, workload, env, ['--network', NETWORK, ...aliases]);
      const port = await hostPort(name);
      await until(name, port, run.readinessPath, 200, 60_000);
      ports.set(`${namespace}/${service}`, port);
    };
    const queue = [...pods];
    const startNext = async (): Promise<void> => {
      for (let next = queue.shift(); next; next = queue.shift()) await startPod(next);
    };
    await Promise.all(Array.from({ length: availableParallelism() }, startNext));
  }, 300_000);

  it('the mall page: recommendations by score and the discount shelf, served by v1', async () => {
    const view = (await (await get(ports.get('base/mall')!, '/api/mall')).json()) as {
      recommend: { products: { id: number }[] };
      discount: { products: { id: number }[] };
      meta: { version: string };
    };
    expect(view.recommend.products.map((p) => p.id)).toHaveLength(6);
    expect(view.discount.products.map((p) => p.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(view.meta.version).toBe('v1');
    expect(await (await get(ports.get('base/mall')!, '/')).text()).toContain('Served by mall <b>v1</b>');
  });

  it('login as jason through mall → users, and jason is the shopper after', async () => {
    const port = ports.get('base/mall')!;
    const login = await fetch(`http://127.0.0.1:${port}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"jason"}' });
    expect(login.status).toBe(200);
    expect(login.headers.get('set-cookie')).toMatch(/^user=jason;/);
    const view = (await (await get(port, '/api/mall', { cookie: 'user=jason' })).json()) as { user: { name: string } | null };
    expect(view.user?.name).toBe('jason');
  });

  it("jason's lane: recommend v2 shows him the banner", async () => {
    const answer = (await (await get(ports.get('jason/recommend')!, '/recommend', { 'end-user': 'jason' })).json()) as { banner?: unknown };
    expect(answer.banner).toEqual({ title: "Jason's picks: new hoodies for the mesh season", image: '/assets/banners/recommend.svg' });
  });

  it("fox's lane: products v2 counts favorites from favorites.fox, each product's as favorites' table has it", async () => {
    const products = (await (await get(ports.get('fox/products')!, '/products?ids=1,2,3', { 'end-user': 'fox' })).json()) as { id: number; favorites?: number }[];
    // favorites' table (services/favorites/src/favorites.ts): 1 → 90, 2 → 43, 3 → 44.
    expect(products.map((p) => [p.id, p.favorites])).toEqual([
      [1, 90],
      [2, 43],
      [3, 44],
    ]);
  });
});
