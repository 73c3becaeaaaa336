import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Command } from 'commander';
import { parse } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startControl } from '../control/control-api.js';
import { foreignMongo, stubApp, stubRuntime } from '../control/test-fixtures.js';
import { analyzeTrace, formatAnalysis, formatWaterfall } from '../telemetry/tracing/analyze.js';
import { mallV1Trace } from '../telemetry/tracing/test-fixtures.js';

/** What a run of the CLI did, as a user's terminal sees it: its exit code and what it printed. */
interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Thrown by commander's exit (its parse errors, --help): the process would end there. */
class Exited extends Error {
  constructor(readonly code: number) {
    super(`exited with ${code}`);
  }
}

const parseAsync = Command.prototype.parseAsync;

/**
 * Starts `mesh-mall ARGS` in this process, as bin/mesh-mall.js runs it (main.ts parses process.argv when imported), so
 * that coverage sees it. process.exit is recorded, not done, and nothing printed after it is kept: the process would
 * be gone. `parsed` settles when the command's action has returned; `exited` when the CLI asks to exit.
 */
async function start(args: string[], env: Record<string, string> = {}) {
  vi.resetModules();
  const run = { code: undefined as number | undefined, stdout: '', stderr: '' };
  let exited!: (code: number) => void;
  const exit = new Promise<number>((resolve) => (exited = resolve));
  const record = (code: number) => {
    if (run.code !== undefined) return;
    run.code = code;
    exited(code);
  };
  const argv = process.argv;
  process.argv = [process.execPath, '/usr/local/bin/mesh-mall', ...args];
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  const keep = (stream: 'stdout' | 'stderr') => (chunk: string | Uint8Array) => {
    if (run.code === undefined) run[stream] += String(chunk);
    return true;
  };
  // Called from a promise's callback, process.exit only records (it is the callback's last act in main.ts); called
  // where the test runs main's code itself (sync), it also ends that code there, as the process would.
  let throwing = false;
  const exitSpy = vi.spyOn(process, 'exit').mockImplementation(((code?: number) => {
    record(code ?? 0);
    if (throwing) throw new Exited(code ?? 0);
  }) as never);
  /** Runs a listener main.ts added (a signal's) as Node would call it; a process.exit ends it. */
  const sync = (listener: () => void) => {
    throwing = true;
    try {
      listener();
    } catch (error) {
      if (!(error instanceof Exited)) throw error;
    } finally {
      throwing = false;
    }
  };
  const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(keep('stdout')), vi.spyOn(process.stderr, 'write').mockImplementation(keep('stderr')), exitSpy];
  let parsed: Promise<unknown> | undefined;
  const parse = vi.spyOn(Command.prototype, 'parseAsync').mockImplementation(function (this: Command, ...parseArgs: Parameters<Command['parseAsync']>) {
    for (const command of [this, ...this.commands]) {
      command.exitOverride((error) => {
        record(error.exitCode);
        throw new Exited(error.exitCode);
      });
    }
    parsed = parseAsync.apply(this, parseArgs);
    return parsed as ReturnType<Command['parseAsync']>;
  });
  const restore = () => {
    parse.mockRestore();
    spies.forEach((spy) => spy.mockRestore());
    process.argv = argv;
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  try {
    await import('./main.js');
  } catch (error) {
    restore();
    throw error;
  }
  // main's own handler of a failed parse is attached first, so it has run once this settles.
  const done = parsed!.catch(() => undefined);
  /** How often the CLI has asked to exit (the first ends what is kept; a process would do no more). */
  const exitCalls = () => exitSpy.mock.calls.length;
  return { run, done, exit, exitCalls, sync, restore };
}

/** Runs `mesh-mall ARGS` to the end of its command. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const { run, done, restore } = await start(args, env);
  try {
    await done;
  } finally {
    restore();
  }
  const code = run.code ?? (typeof process.exitCode === 'number' ? process.exitCode : 0);
  process.exitCode = undefined;
  return { code, stdout: run.stdout, stderr: run.stderr };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mesh-mall-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const servers: Server[] = [];
afterEach(() => {
  servers.splice(0).forEach((server) => server.close());
});

/** A stand-in for a control API or a Jaeger query endpoint, on a free loopback port; it records the targets asked for. */
async function fakeServer(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; asked: string[] }> {
  const asked: string[] = [];
  const server = createServer((req, res) => {
    asked.push(`${req.method} ${req.url}`);
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, asked };
}

const sendJson = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

/** A port nothing listens on: one just closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('mesh-mall: arguments and exit codes', () => {
  it('--help lists the commands and exits 0', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n').filter((line) => /^ {2}[a-z-]/.test(line)).map((line) => line.trim().split(/\s{2,}/)[0])).toEqual([
      '--debug',
      '-h, --help',
      'up [options]',
      'apply [options]',
      'delete [options]',
      'get [options] <what> [pod]',
      'proxy-config [options] <table> <pod>',
      'lint [paths...]',
      'analyze [options]',
      'traces [options]',
      'help [command]',
    ]);
  });

  it("up --help describes the machine-dependent defaults in words, once", async () => {
    const help = await cli(['up', '--help']);
    expect(help.code).toBe(0);
    // Each option with its description, however the terminal's width wrapped it.
    const options = help.stdout
      .split('\n')
      .reduce<string[]>((all, line) => (/^ {2}-/.test(line) ? [...all, line.trim()] : /^ {3,}\S/.test(line) ? [...all.slice(0, -1), `${all.at(-1)} ${line.trim()}`] : all), [])
      .map((option) => option.replace(/\s+/g, ' '));
    expect(options.filter((o) => /^--(capacity|pod-starts) /.test(o))).toEqual([
      '--capacity <cpu=N,memory=Q,pods=N> what pods may request of this machine (default: every core, half the memory, 110 pods)',
      '--pod-starts <count> how many pod processes start at a time (default: one per core)',
    ]);
  });

  it.each([
    [['nope'], "error: unknown command 'nope'"],
    [['get'], "error: missing required argument 'what'"],
    [['get', 'pods', '-o', 'xml'], "error: option '-o, --output <format>' argument 'xml' is invalid. Allowed choices are json, yaml."],
    [['apply'], "error: required option '-f, --filename <paths...>' not specified"],
    [['delete', '-f'], "error: option '-f, --filename <paths...>' argument missing"],
    [['up', '--port', '70000'], "error: option '-p, --port <port>' argument '70000' is invalid. must be a port number 0–65535"],
    [['up', '--ui-port', '1.5'], "error: option '--ui-port <port>' argument '1.5' is invalid. must be a port number 0–65535"],
    [['up', '-e', 'LATENCY_MS'], "error: option '-e, --env <KEY=VALUE>' argument 'LATENCY_MS' is invalid. must be KEY=VALUE"],
    [['up', '--pod-starts', '0'], "error: option '--pod-starts <count>' argument '0' is invalid. must be 1–100"],
    [['analyze', '-n', '101'], "error: option '-n, --limit <count>' argument '101' is invalid. must be 1–100"],
    [['proxy-config', 'routes'], "error: missing required argument 'pod'"],
  ])('%j: says what is wrong in one line, and exits 1', async (args, error) => {
    expect(await cli(args)).toEqual({ code: 1, stdout: '', stderr: `${error.replace(/^error: /, 'mesh-mall: ')} (--help for usage)\n` });
  });

  it.each([
    [['get', 'deployments'], 'mesh-mall: cannot get "deployments"; choose one of workloads, services, secrets, routes, gateways, httproutes, pods, topology\n'],
    [['get', 'pods', 'mall-v1-abc'], 'mesh-mall: a pod name goes with `get routes POD` only\n'],
    [['proxy-config', 'clusters', 'mall-v1-abc'], 'mesh-mall: cannot show "clusters"; the local proxies have one kind of table: routes\n'],
    [['up', '--capacity', 'memory=lots'], 'mesh-mall: --capacity/MESH_MALL_CAPACITY: memory=lots is not a Kubernetes quantity\n'],
  ])('%j: one line naming the mistake, exit 1', async (args, stderr) => {
    expect(await cli(args)).toEqual({ code: 1, stdout: '', stderr });
  });

  it('says so in one line when no runtime answers, and for a file that is not there', async () => {
    const server = `http://127.0.0.1:${await closedPort()}`;
    const hint = `mesh-mall: no mesh-mall runtime answers at ${server}; start one with \`npm start\` (or \`mesh-mall up\`), or pass --server\n`;
    expect(await cli(['get', 'pods', '--server', server])).toEqual({ code: 1, stdout: '', stderr: hint });
    const manifest = await file('ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n');
    expect(await cli(['apply', '-f', manifest, '-s', server])).toEqual({ code: 1, stdout: '', stderr: hint });
    expect(await cli(['delete', '-f', join(dir, 'absent.yaml'), '-s', server])).toEqual({ code: 1, stdout: '', stderr: `mesh-mall: cannot read ${join(dir, 'absent.yaml')}: no such file or directory\n` });
  });

  it('says what the server answered when it is not the control API, and adds the stack of an unexpected error with --debug', async () => {
    const { url } = await fakeServer((req, res) => (req.url === '/pods' ? sendJson(res, 200, {}) : res.writeHead(500).end('oops')));
    expect(await cli(['get', 'services', '--server', url])).toEqual({ code: 1, stdout: '', stderr: 'mesh-mall: GET /services answered 500\n' });
    expect(await cli(['get', 'pods', '--server', url])).toEqual({ code: 1, stdout: '', stderr: "mesh-mall: Cannot read properties of undefined (reading 'map') (--debug shows where)\n" });
    for (const [args, env] of [
      [['--debug', 'get', 'pods', '--server', url], {}],
      [['get', 'pods', '--server', url], { MESH_MALL_DEBUG: '1' }],
    ] as const) {
      const run = await cli([...args], env);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^mesh-mall: TypeError: Cannot read properties of undefined \(reading 'map'\)\n {4}at /);
    }
  });
});

describe('mesh-mall apply, delete, get, proxy-config against a runtime', { timeout: 20_000 }, () => {
  let mesh: Awaited<ReturnType<typeof stubRuntime>>;
  let control: { server: Server; url: string };
  beforeAll(async () => {
    mesh = await stubRuntime();
    control = await startControl(mesh.runtime, mesh.telemetry, 0);
  });
  afterAll(async () => {
    control.server.close();
    await mesh.stop();
  });

  it('apply prints one line per object, the warnings and cluster-only fields on stderr; get shows tables and objects; delete', async () => {
    const manifest = await file(
      'shop.yaml',
      `${stubApp().replace('image: mesh-mall/stub:v1', 'image: mesh-mall/stub:v1\n        securityContext: {runAsUser: 1000}')}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\n`,
    );
    expect(await cli(['apply', '-f', manifest, '--server', control.url])).toEqual({
      code: 0,
      stdout: [
        'namespace/shop created',
        'service/stub created',
        'deployment.apps/stub-v1 created',
        'gateway.networking.istio.io/shop-gateway created',
        'virtualservice.networking.istio.io/stub created',
        '',
      ].join('\n'),
      stderr: `Warning: ${manifest} (document 6): ConfigMap settings is not used by the local runtime\nnote: cluster-only fields not used locally: securityContext\n`,
    });

    const [pod] = mesh.runtime.pods();
    expect(await cli(['get', 'services', '-s', control.url])).toEqual({
      code: 0,
      stdout: `NAMESPACE   NAME   PORTS       ENDPOINTS\nshop        stub   http/7000   ${pod!.name}:${pod!.port}\n`,
      stderr: '',
    });
    expect(await cli(['get', 'workloads', '-s', control.url])).toEqual({
      code: 0,
      stdout: 'NAMESPACE   NAME      READY   VERSION   IMAGE\nshop        stub-v1   1/1     -         mesh-mall/stub:v1\n',
      stderr: '',
    });
    const pods = await cli(['get', 'pods', '-s', control.url, '-o', 'json']);
    expect(pods.code).toBe(0);
    expect(JSON.parse(pods.stdout)).toEqual(JSON.parse(JSON.stringify(mesh.runtime.pods())));
    const yaml = await cli(['get', 'workloads', '-o', 'yaml', '-s', control.url]);
    expect(parse(yaml.stdout)).toEqual(mesh.runtime.list().filter((o) => o.kind === 'Deployment'));

    const gatewayTable = 'NAME      VHOST NAME   DOMAINS   MATCH   ROUTE         DESTINATIONS                          VIRTUAL SERVICE\nhttp.80   *:80         *         *       stub.shop#0   stub → stub.shop.svc.cluster.local|   stub.shop\n';
    expect(await cli(['proxy-config', 'routes', 'istio-ingressgateway', '-s', control.url])).toEqual({ code: 0, stdout: gatewayTable, stderr: '' });
    expect(await cli(['get', 'routes', 'istio-ingressgateway', '-s', control.url])).toEqual({ code: 0, stdout: gatewayTable, stderr: '' });
    expect(await cli(['get', 'routes', 'no-such-pod', '-s', control.url])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'mesh-mall: no pod no-such-pod (see mesh-mall get pods), and it is not istio-ingressgateway\n',
    });

    // What a delete does not use is not worth a warning.
    expect(await cli(['delete', '-f', manifest, '-s', control.url])).toEqual({
      code: 0,
      stdout: [
        'virtualservice.networking.istio.io/stub deleted',
        'gateway.networking.istio.io/shop-gateway deleted',
        'deployment.apps/stub-v1 deleted',
        'service/stub deleted',
        'namespace/shop deleted',
        '',
      ].join('\n'),
      stderr: '',
    });
    expect(await cli(['get', 'pods', '-s', control.url])).toEqual({ code: 0, stdout: 'NAMESPACE   NAME   READY   STATUS   RESTARTS   LAST-STATE   PID   PORT   SIDECAR   MESSAGE\n', stderr: '' });
  });

  it('apply: what the runtime refuses is one line and exit 1', async () => {
    const manifest = await file('elsewhere.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: stub, namespace: nowhere}\nspec: {ports: [{port: 80}]}\n');
    expect(await cli(['apply', '-f', manifest, '-s', control.url])).toEqual({ code: 1, stdout: '', stderr: 'mesh-mall: service/stub: namespace "nowhere" not found (apply its Namespace first)\n' });
  });
});

describe('mesh-mall lint', () => {
  const lane = `apiVersion: v1
kind: Namespace
metadata: {name: lane}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: lane}
spec: {selector: {app: web}, ports: [{name: web, port: 80}, {name: metrics, port: 9090}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-v1, namespace: lane}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, version: v1}}
    spec: {containers: [{name: web, image: "mesh-mall/mall:v1"}]}
`;

  it('prints each finding, sums them up on stderr, and exits 1 only for problems', async () => {
    const warnings = await file('warnings.yaml', lane);
    const show = relative(process.cwd(), warnings);
    expect(await cli(['lint', warnings])).toEqual({
      code: 0,
      stdout: [
        `${show}: Service lane/web: spec.ports[0].name: name the port by protocol (http, grpc, tcp, mongo… or http-<suffix>) so Istio can route it (warning)`,
        `${show}: Service lane/web: spec.ports[1].name: name the port by protocol (http, grpc, tcp, mongo… or http-<suffix>) so Istio can route it (warning)`,
        `${show}: Namespace lane: metadata.labels: namespaces of the mall need istio-injection: enabled (no sidecar, no routing) (warning)`,
        'mesh-mall lint: no problems, 3 warnings',
        '',
      ].join('\n'),
      stderr: '',
    });
    const problems = await file('problems.yaml', `${lane.replace('{name: metrics, port: 9090}', '{name: http-metrics, port: 9090}').replace('{name: web, port: 80}', '{name: http, port: 80}')}---\nkind: Thing\n---\nkind: Other\n`);
    const shown = relative(process.cwd(), problems);
    expect(await cli(['lint', problems])).toEqual({
      code: 1,
      stdout: [
        `${shown}: Thing default/undefined: (root): apiVersion and kind are required`,
        `${shown}: Other default/undefined: (root): apiVersion and kind are required`,
        `${shown}: Namespace lane: metadata.labels: namespaces of the mall need istio-injection: enabled (no sidecar, no routing) (warning)`,
        '',
      ].join('\n'),
      stderr: 'mesh-mall lint: 2 problems, 1 warning\n',
    });
    const one = await file('one.yaml', 'kind: Thing\n');
    expect(await cli(['lint', one])).toEqual({
      code: 1,
      stdout: `${relative(process.cwd(), one)}: Thing default/undefined: (root): apiVersion and kind are required\n`,
      stderr: 'mesh-mall lint: 1 problem\n',
    });
    const clean = await file('clean.yaml', lane.replace('{name: lane}', '{name: lane, labels: {istio-injection: enabled}}').replace('{name: web, port: 80}, {name: metrics, port: 9090}', '{name: http, port: 80}'));
    expect(await cli(['lint', clean])).toEqual({ code: 0, stdout: 'mesh-mall lint: no problems\n', stderr: '' });
    const warning = await file('warning.yaml', lane.replace('{name: lane}', '{name: lane, labels: {istio-injection: enabled}}').replace('{name: web, port: 80}, {name: metrics, port: 9090}', '{name: web, port: 80}'));
    expect((await cli(['lint', warning])).stdout.split('\n').at(-2)).toBe('mesh-mall lint: no problems, 1 warning');
  });

  it("lints the project's install/ and istio/ when given no paths", async () => {
    expect(await cli(['lint'])).toEqual({ code: 0, stdout: 'mesh-mall lint: no problems\n', stderr: '' });
  });
});

describe('mesh-mall analyze and traces', () => {
  const v1 = mallV1Trace();

  /** A Jaeger query API with mall v1's trace: the newest of mall, or by its id. */
  const jaeger = () =>
    fakeServer((req, res) => {
      if (req.url === `/api/traces/${v1.traceID}`) return sendJson(res, 200, { data: [v1] });
      if (req.url?.startsWith('/api/traces/')) return sendJson(res, 404, { data: null, errors: [{ code: 404, msg: 'trace not found' }] });
      if (req.url?.startsWith('/api/traces?service=mall&')) return sendJson(res, 200, { data: Array(Number(new URL(req.url, 'http://x').searchParams.get('limit'))).fill(v1) });
      return sendJson(res, 200, { data: [] });
    });

  it("analyze prints the findings of the newest mall trace, or of several, or one by id, or as JSON", async () => {
    const { url, asked } = await jaeger();
    expect(await cli(['analyze', '--jaeger', url])).toEqual({ code: 0, stdout: `${formatAnalysis(analyzeTrace(v1))}\n`, stderr: '' });
    expect(await cli(['analyze', '--jaeger', url, '-n', '2'])).toEqual({ code: 0, stdout: `${formatAnalysis(analyzeTrace(v1))}\n\n${formatAnalysis(analyzeTrace(v1))}\n`, stderr: '' });
    expect(await cli(['analyze', '--jaeger', url, '--trace', v1.traceID, '--json'])).toEqual({ code: 0, stdout: `${JSON.stringify([analyzeTrace(v1)], null, 2)}\n`, stderr: '' });
    expect(asked).toEqual(['GET /api/traces?service=mall&limit=1&lookback=1h', 'GET /api/traces?service=mall&limit=2&lookback=1h', `GET /api/traces/${v1.traceID}`]);
  });

  it('traces prints the waterfall of the newest trace of a service, 30 columns of bars on a narrow terminal', async () => {
    const { url, asked } = await jaeger();
    expect(await cli(['traces', '--jaeger', url])).toEqual({ code: 0, stdout: `${formatWaterfall(v1, 30)}\n`, stderr: '' });
    expect((await cli(['traces', '--jaeger', url, '--service', 'users'])).stderr).toBe(`mesh-mall: no traces of users at ${url} in the last hour; load the mall first\n`);
    expect(asked.at(-1)).toBe('GET /api/traces?service=users&limit=1&lookback=1h');
  });

  it('says why there is nothing to analyze: no query API, no such trace, an answer that is not traces', async () => {
    const { url } = await jaeger();
    expect(await cli(['analyze', '--jaeger', url, '--trace', 'ffff'])).toEqual({ code: 1, stdout: '', stderr: `mesh-mall: trace ffff not found at ${url}\n` });
    expect(await cli(['analyze', '--jaeger', url, '--service', 'scores'])).toEqual({ code: 1, stdout: '', stderr: `mesh-mall: no traces of scores at ${url} in the last hour; load the mall first\n` });
    const broken = await fakeServer((_req, res) => res.writeHead(502).end('bad gateway'));
    expect(await cli(['analyze', '--jaeger', broken.url])).toEqual({ code: 1, stdout: '', stderr: `mesh-mall: ${broken.url}/api/traces?service=mall&limit=1&lookback=1h answered 502\n` });
    const gone = `http://127.0.0.1:${await closedPort()}`;
    expect(await cli(['traces', '--jaeger', gone])).toEqual({ code: 1, stdout: '', stderr: `mesh-mall: no Jaeger query API answers at ${gone}; start the runtime (npm start) or pass --jaeger\n` });
  });
});

describe('mesh-mall up', { timeout: 20_000 }, () => {
  const MANIFEST = `apiVersion: v1
kind: Namespace
metadata: {name: data}
---
${foreignMongo('data', ', securityContext: {runAsUser: 999}')}---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: data}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: echo-v1, namespace: data}
spec:
  replicas: 1
  selector: {matchLabels: {app: echo}}
  template:
    metadata: {labels: {app: echo, version: v1}}
    spec: {containers: [{name: echo, image: "mesh-mall/echo:v1", resources: {requests: {cpu: "4"}}}]}
`;
  const EVENTS = ['SIGINT', 'SIGTERM', 'uncaughtException', 'unhandledRejection'] as const;
  type Listener = (...args: unknown[]) => void;
  /** The process's listeners of an event (typed loosely: signals and errors alike). */
  const listeners = (event: (typeof EVENTS)[number]) => (process.listeners as (event: string) => Listener[])(event);

  /** Runs `up` until its banner is out; then the process listeners it added, to call as Node would. */
  async function up(extra: string[] = []) {
    const manifest = await file('data.yaml', MANIFEST);
    const stateDir = await mkdtemp(join(dir, 'state-'));
    const before = new Map(EVENTS.map((event) => [event, new Set(listeners(event))]));
    const started = await start(['up', '-f', manifest, '--port', '0', '--control-port', '0', '--otlp-port', '0', '--ui-port', '0', '--state-dir', stateDir, '--capacity', 'cpu=2,memory=1Gi', '--pod-starts', '3', ...extra]);
    await started.done;
    const added = Object.fromEntries(EVENTS.map((event) => [event, listeners(event).filter((l) => !before.get(event)!.has(l))])) as Record<(typeof EVENTS)[number], Listener[]>;
    const cleanup = () => {
      for (const event of EVENTS) for (const listener of added[event]) process.removeListener(event, listener);
      started.restore();
    };
    return { ...started, manifest, stateDir, added, cleanup };
  }

  it('prints the banner with its URLs, serves the control API, and stops on Ctrl-C (a second one forces the exit)', async () => {
    const running = await up();
    try {
      expect(running.run.code).toBeUndefined();
      expect(running.added.SIGINT).toHaveLength(1);
      expect(running.added.SIGTERM).toHaveLength(1);
      const lines = running.run.stdout.split('\n');
      const url = (label: string) => new RegExp(`^ {2}${label} +(http://[^ ]+)`).exec(lines.find((l) => l.startsWith(`  ${label} `))!)![1]!;
      const gateway = url('mall');
      const control = url('control API');
      const viewer = url('traces');
      const collector = url('OTLP in').replace('/v1/traces', '');
      expect(running.run.stdout).toBe(
        [
          `warning: ${running.manifest} (document 4): ConfigMap settings is not used by the local runtime`,
          'note: cluster-only fields not used locally: securityContext, serviceName',
          'data/mongodb: image mongo:7.0 is not a mesh-mall image; not run locally',
          `mesh-mall is up: 0 pods from ${relative(process.cwd(), running.manifest)} (1 Pending: mesh-mall get pods says why)`,
          '',
          `  mall         ${gateway}`,
          `  mall API     ${gateway}/api/mall`,
          `  traces       ${viewer}  (topology: ${viewer}/topology)`,
          `  control API  ${control}  (mesh-mall apply|delete|get; /metrics)`,
          `  OTLP in      ${collector}/v1/traces`,
          `  access log   ${relative(process.cwd(), join(running.stateDir, 'access.log'))}`,
          `  pod logs     ${relative(process.cwd(), join(running.stateDir, 'logs'))}`,
          '  capacity     cpu 2, memory 1Gi, pods 110  (--capacity or MESH_MALL_CAPACITY; pods start 3 at a time, --pod-starts)',
          '',
          'Ctrl-C stops everything.',
          '',
        ].join('\n'),
      );
      expect(gateway).toMatch(/^http:\/\/localhost:\d+$/);
      expect(viewer).toMatch(/^http:\/\/localhost:\d+$/);
      expect(await (await fetch(`${control}/workloads`)).json()).toMatchObject({
        columns: ['NAMESPACE', 'NAME', 'READY', 'VERSION', 'IMAGE'],
        rows: [
          ['data', 'mongodb', 'not run locally', '-', 'mongo:7.0'],
          ['data', 'echo-v1', '0/1', 'v1', 'mesh-mall/echo:v1'],
        ],
      });
      // (Not `mesh-mall get pods` here: one run of the CLI at a time in this process.)
      const pods = (await (await fetch(`${control}/pods`)).json()) as { rows: string[][]; objects: { name: string }[] };
      expect(pods.rows).toEqual([
        [
          'data',
          pods.objects[0]!.name,
          '0/1',
          'Pending',
          '0',
          '-',
          '-',
          '-',
          '-',
          '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
        ],
      ]);
      expect((await fetch(`${collector}/v1/traces`)).status).toBe(404);
      expect((await fetch(`${viewer}/api/services`)).status).toBe(200);

      running.sync(running.added.SIGINT[0]!);
      running.sync(running.added.SIGINT[0]!);
      expect(await running.exit).toBe(130);
      expect(running.run.stdout.split('\n').slice(-3)).toEqual(['SIGINT: stopping…', 'forced exit', '']);
      // The first Ctrl-C's stop goes on here (a process would be gone): its own exit comes once the pods have stopped.
      await vi.waitFor(() => expect(running.exitCalls()).toBe(2), { timeout: 10_000 });
    } finally {
      running.cleanup();
    }
  });

  it('exits 0 once every pod has stopped after SIGTERM', async () => {
    const running = await up(['-e', 'LATENCY_MS=0', '--access-log', join(dir, 'access.log')]);
    try {
      running.sync(running.added.SIGTERM[0]!);
      expect(await running.exit).toBe(0);
      expect(running.run.stdout.split('\n').slice(-2)).toEqual(['SIGTERM: stopping…', '']);
      expect(running.run.stdout).toContain(`  access log   ${relative(process.cwd(), join(dir, 'access.log'))}\n`);
    } finally {
      running.cleanup();
    }
  });

  it('on an error it cannot go on from: says so on stderr and in runtime.log, stops its pods and exits 1', async () => {
    const running = await up();
    try {
      running.added.uncaughtException[0]!(new RangeError('something broke\nsecond line'));
      expect(await running.exit).toBe(1);
      const line = 'mesh-mall: fatal: something broke (--debug shows where); stopping every pod';
      expect(running.run.stderr).toBe(`${line}\n`);
      expect(await readFile(join(running.stateDir, 'runtime.log'), 'utf8')).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${line.replace(/[()]/g, '\\$&')}\\n$`));
    } finally {
      running.cleanup();
    }
    // With --debug, the stack; and a runtime.log that cannot be written (a directory there): the terminal has the line.
    const stateDir = await mkdtemp(join(dir, 'state-'));
    await mkdir(join(stateDir, 'runtime.log'));
    const debugging = await up(['--state-dir', stateDir, '--debug']);
    try {
      debugging.added.unhandledRejection[0]!(new Error('rejected'));
      expect(await debugging.exit).toBe(1);
      expect(debugging.run.stderr).toMatch(/^mesh-mall: fatal: Error: rejected\n {4}at [^]*; stopping every pod\n$/);
    } finally {
      debugging.cleanup();
    }
  });

  it('a fatal error while it is still starting is said and stops what started, as one after the banner', async () => {
    const manifest = await file('data.yaml', MANIFEST);
    const stateDir = await mkdtemp(join(dir, 'state-'));
    const errorEvents = ['uncaughtException', 'unhandledRejection'] as const;
    const before = new Set(errorEvents.flatMap((event) => listeners(event)));
    const started = await start(['up', '-f', manifest, '--port', '0', '--control-port', '0', '--otlp-port', '0', '--ui-port', '0', '--state-dir', stateDir, '--capacity', 'cpu=2,memory=1Gi']);
    try {
      // Before the banner: the runtime is still reading and applying its manifests.
      expect(started.run.stdout).not.toContain('mesh-mall is up');
      const [fatal] = listeners('uncaughtException').filter((l) => !before.has(l));
      fatal!(new Error('broke while starting'));
      expect(await started.exit).toBe(1);
      const line = 'mesh-mall: fatal: broke while starting (--debug shows where); stopping every pod';
      expect(started.run.stderr).toBe(`${line}\n`);
      expect(await readFile(join(stateDir, 'runtime.log'), 'utf8')).toContain(line);
      await started.done.catch(() => undefined);
    } finally {
      for (const event of errorEvents) for (const listener of listeners(event).filter((l) => !before.has(l))) process.removeListener(event, listener);
      started.restore();
    }
  });

  it('says which port is taken and which flag chooses another, and exits 1', async () => {
    const taken = await fakeServer((_req, res) => res.end());
    const port = new URL(taken.url).port;
    const manifest = await file('data.yaml', MANIFEST);
    const run = await cli(['up', '-f', manifest, '--port', '0', '--control-port', port, '--otlp-port', '0', '--ui-port', '0', '--state-dir', join(dir, 'taken')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`mesh-mall: control API port ${port} is already in use (another mesh-mall up?); choose another with --control-port or MESH_MALL_CONTROL_PORT\n`);
  });
});
