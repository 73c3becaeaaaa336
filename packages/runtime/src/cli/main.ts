import { appendFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { stringify } from 'yaml';
import { ManifestError, readDocuments } from '../api/manifests.js';
import { VIEWS, type View } from '../control/views.js';
import { BASE_ACT, DEFAULT_STATE_DIR, REPO_ROOT, SERVICES_DIR } from '../lib/paths.js';
import { formatFinding, lint } from '../lint/lint.js';
import { analyzeTrace, formatAnalysis, formatWaterfall } from '../telemetry/tracing/analyze.js';
import type { JaegerTrace } from '../telemetry/tracing/store.js';
import { machineCapacity, parseCapacity, type Capacity } from '../workloads/capacity.js';
import { DEFAULT_START_SLOTS } from '../workloads/start-slots.js';
import { clusterOnlyNote, describe, up, UsageError, type Running } from './up.js';

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const warn = (line: string): void => void process.stderr.write(`${line}\n`);

function portOption(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('must be a port number 0–65535');
  return port;
}

function envOption(value: string, previous: Record<string, string>): Record<string, string> {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(value);
  if (!match) throw new InvalidArgumentError('must be KEY=VALUE');
  return { ...previous, [match[1]!]: match[2]! };
}

const defaultServer = `http://127.0.0.1:${process.env.MESH_MALL_CONTROL_PORT ?? '15000'}`;

/** Talks to a running runtime's control API; a runtime that is not there is a usage problem, not a crash. */
async function call(server: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${server}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new UsageError(`no mesh-mall runtime answers at ${server}; start one with \`npm start\` (or \`mesh-mall up\`), or pass --server`);
  }
  const answer = (await response.json().catch(() => ({}))) as { message?: string };
  if (!response.ok) throw new UsageError(answer.message ?? `${method} ${path} answered ${response.status}`);
  return answer;
}

async function sendDocuments(server: string, verb: 'apply' | 'delete', files: string[]): Promise<void> {
  const documents = await readDocuments(files.map((f) => resolve(f)));
  const answer = (await call(server, 'POST', `/${verb}`, { documents })) as { results: string[]; warnings: string[]; clusterOnly: string[] };
  // What the runtime does not implement matters when objects go in, not when they go away.
  if (verb === 'apply') {
    answer.warnings.forEach((w) => warn(`Warning: ${w}`));
    if (answer.clusterOnly.length > 0) warn(clusterOnlyNote(answer.clusterOnly));
  }
  answer.results.forEach(say);
}

function printView(result: View, output: string | undefined): void {
  if (output === 'json') return say(JSON.stringify(result.objects, null, 2));
  if (output === 'yaml') {
    process.stdout.write(stringify(result.objects));
    return;
  }
  const widths = result.columns.map((c, i) => Math.max(c.length, ...result.rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('   ');
  say(line(result.columns));
  result.rows.forEach((row) => say(line(row)));
}

/** Where the control API serves one proxy's compiled route table. */
const routeTablePath = (pod: string) => `/proxy-config/routes/${encodeURIComponent(pod)}`;

const program = new Command('mesh-mall')
  .description("Runs the repo's Kubernetes + Istio YAML on one machine, and talks to it like kubectl.")
  .option('--debug', 'print the stack trace of an unexpected error (also MESH_MALL_DEBUG=1)')
  // A usage error is one line, as every other error of the CLI (commander's "error: " becomes the CLI's name).
  .configureOutput({ outputError: (message, write) => write(`mesh-mall: ${message.replace(/^error: /, '').trimEnd()} (--help for usage)\n`) });

/** Whether unexpected errors are printed with their stack. */
const debugging = () => program.opts<{ debug?: boolean }>().debug === true || process.env.MESH_MALL_DEBUG === '1';

/** An error in one line: its message, and for an unexpected one, how to see more. */
function describeError(error: unknown): string {
  const message = String((error as Error)?.message ?? error).split('\n')[0];
  return error instanceof ManifestError || error instanceof UsageError ? String((error as Error).message) : `${message} (--debug shows where)`;
}

/** How long a fatal error waits for the pods to stop before the runtime exits anyway. */
const FATAL_STOP_MS = 10_000;

program
  .command('up')
  .description('start a runtime with the given manifests (default: the base act) and serve the mall')
  .option('-f, --filename <paths...>', 'manifest files or directories', BASE_ACT)
  .option('-p, --port <port>', 'gateway port (0 picks a free one)', portOption, portOption(process.env.MESH_MALL_GATEWAY_PORT ?? '8080'))
  .option('--control-port <port>', 'control API port (0 picks a free one)', portOption, portOption(process.env.MESH_MALL_CONTROL_PORT ?? '15000'))
  .option('--otlp-port <port>', 'OTLP/HTTP trace receiver port (0 picks a free one)', portOption, portOption(process.env.MESH_MALL_OTLP_PORT ?? '4318'))
  .option('--ui-port <port>', 'trace viewer and Jaeger query API port (0 picks a free one)', portOption, portOption(process.env.MESH_MALL_UI_PORT ?? '16686'))
  .option('--state-dir <dir>', 'logs, access log and workload data', process.env.MESH_MALL_STATE_DIR ?? DEFAULT_STATE_DIR)
  .option('--access-log <path>', "access log file, or '-' for stdout")
  .option('-e, --env <KEY=VALUE>', 'set in every pod (repeatable), e.g. LATENCY_MS=0', envOption, {})
  // Defaults described in words: the values themselves (an empty string, this machine's core count) tell a reader nothing.
  .addOption(new Option('--capacity <cpu=N,memory=Q,pods=N>', 'what pods may request of this machine').default(process.env.MESH_MALL_CAPACITY ?? '', 'every core, half the memory, 110 pods'))
  .addOption(new Option('--pod-starts <count>', 'how many pod processes start at a time').argParser(countOption).default(DEFAULT_START_SLOTS, 'one per core'))
  .action(async (opts: { filename: string[]; port: number; controlPort: number; otlpPort: number; uiPort: number; stateDir: string; accessLog?: string; env: Record<string, string>; capacity: string; podStarts: number }) => {
    let capacity: Capacity;
    try {
      capacity = parseCapacity(opts.capacity, machineCapacity());
    } catch (error) {
      throw new UsageError(`--capacity/MESH_MALL_CAPACITY: ${(error as Error).message}`);
    }
    const options = {
      capacity,
      podStarts: opts.podStarts,
      files: opts.filename.map((f) => resolve(f)),
      port: opts.port,
      controlPort: opts.controlPort,
      otlpPort: opts.otlpPort,
      uiPort: opts.uiPort,
      stateDir: resolve(opts.stateDir),
      accessLog: opts.accessLog,
      env: opts.env,
    };
    // Nothing asked of the runtime should bring it down; if something does (from the first pod's start on), it says
    // what on the terminal and in its log, and takes its pods with it rather than leave them running unseen.
    let stopPods: () => Promise<void> = async () => undefined;
    const fatal = (error: unknown) => {
      const line = `mesh-mall: fatal: ${debugging() ? ((error as Error)?.stack ?? String(error)) : describeError(error)}; stopping every pod`;
      warn(line);
      try {
        appendFileSync(join(options.stateDir, 'runtime.log'), `${new Date().toISOString()} ${line}\n`);
      } catch {
        // The terminal has it.
      }
      void Promise.race([stopPods(), setTimeout(FATAL_STOP_MS)]).finally(() => process.exit(1));
    };
    process.on('uncaughtException', fatal);
    process.on('unhandledRejection', fatal);
    let running: Running;
    try {
      running = await up(options, say, (stop) => (stopPods = stop));
    } catch (error) {
      // up has stopped what it started; the error is the CLI's to print, as any other.
      process.off('uncaughtException', fatal);
      process.off('unhandledRejection', fatal);
      throw error;
    }
    describe(running, options).forEach(say);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        say('forced exit');
        process.exit(130);
      }
      stopping = true;
      say(`${signal}: stopping…`);
      void running.stop().then(() => process.exit(0));
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });

const server = new Option('-s, --server <url>', 'control API of the running runtime').default(defaultServer);

program
  .command('apply')
  .description('create or update the objects in FILE or DIR (idempotent)')
  .requiredOption('-f, --filename <paths...>', 'manifest files or directories')
  .addOption(server)
  .action((opts: { filename: string[]; server: string }) => sendDocuments(opts.server, 'apply', opts.filename));

program
  .command('delete')
  .description('delete the objects in FILE or DIR (a Namespace with everything in it)')
  .requiredOption('-f, --filename <paths...>', 'manifest files or directories')
  .addOption(server)
  .action((opts: { filename: string[]; server: string }) => sendDocuments(opts.server, 'delete', opts.filename));

program
  .command('get')
  .description(`list ${VIEWS.join(', ')}; \`get routes POD\` is \`proxy-config routes POD\``)
  .argument('<what>', VIEWS.join('|'))
  .argument('[pod]', 'with routes: the compiled route table of this pod (or istio-ingressgateway)')
  .addOption(new Option('-o, --output <format>', 'json or yaml instead of a table').choices(['json', 'yaml']))
  .addOption(server)
  .action(async (what: string, pod: string | undefined, opts: { output?: string; server: string }) => {
    if (!(VIEWS as readonly string[]).includes(what)) throw new UsageError(`cannot get "${what}"; choose one of ${VIEWS.join(', ')}`);
    if (pod !== undefined && what !== 'routes') throw new UsageError(`a pod name goes with \`get routes POD\` only`);
    printView((await call(opts.server, 'GET', pod === undefined ? `/${what}` : routeTablePath(pod))) as View, opts.output);
  });

program
  .command('proxy-config')
  .description("a proxy's compiled route table, as istioctl proxy-config routes shows an Envoy's")
  .argument('<table>', 'routes')
  .argument('<pod>', 'a pod name (mesh-mall get pods), or istio-ingressgateway for the gateway')
  .addOption(new Option('-o, --output <format>', 'json or yaml instead of a table').choices(['json', 'yaml']))
  .addOption(server)
  .action(async (table: string, pod: string, opts: { output?: string; server: string }) => {
    if (table !== 'routes') throw new UsageError(`cannot show "${table}"; the local proxies have one kind of table: routes`);
    printView((await call(opts.server, 'GET', routeTablePath(pod))) as View, opts.output);
  });

program
  .command('lint')
  .description('check manifests like a cluster and istioctl analyze would: schemas, unknown fields, references')
  .argument('[paths...]', 'files or directories (recursively)', [join(REPO_ROOT, 'install'), join(REPO_ROOT, 'istio')])
  .action(async (paths: string[]) => {
    const findings = await lint(paths.map((p) => resolve(p)), SERVICES_DIR);
    findings.forEach((f) => say(formatFinding(f)));
    const errors = findings.filter((f) => f.severity !== 'warning').length;
    const warnings = findings.length - errors;
    if (errors > 0) {
      warn(`mesh-mall lint: ${errors} problem${errors === 1 ? '' : 's'}${warnings > 0 ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}`);
      process.exitCode = 1;
    } else {
      say(warnings > 0 ? `mesh-mall lint: no problems, ${warnings} warning${warnings === 1 ? '' : 's'}` : 'mesh-mall lint: no problems');
    }
  });

const jaeger = new Option('--jaeger <url>', "a Jaeger query endpoint (a cluster's jaeger-query, or the built-in viewer)").default(
  `http://127.0.0.1:${process.env.MESH_MALL_UI_PORT ?? '16686'}`,
);

/** Fetches traces in Jaeger's shape: one by id, or the newest `limit` of a service. */
async function fetchTraces(base: string, query: { trace?: string; service: string; limit: number }): Promise<JaegerTrace[]> {
  const url = query.trace
    ? `${base}/api/traces/${encodeURIComponent(query.trace)}`
    : `${base}/api/traces?service=${encodeURIComponent(query.service)}&limit=${query.limit}&lookback=1h`;
  let response: Response;
  try {
    response = await fetch(url);
  } catch {
    throw new UsageError(`no Jaeger query API answers at ${base}; start the runtime (npm start) or pass --jaeger`);
  }
  const body = (await response.json().catch(() => ({}))) as { data?: JaegerTrace[] | null };
  if (response.status === 404) throw new UsageError(`trace ${query.trace} not found at ${base}`);
  if (!response.ok || !Array.isArray(body.data)) throw new UsageError(`${url} answered ${response.status}`);
  if (body.data.length === 0) throw new UsageError(`no traces of ${query.service} at ${base} in the last hour; load the mall first`);
  return body.data;
}

function countOption(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 100) throw new InvalidArgumentError('must be 1–100');
  return count;
}

program
  .command('analyze')
  .description("the talk's findings per trace: serial fan-out, N+1, errors, critical path")
  .option('--trace <id>', 'one trace by id')
  .option('--service <name>', 'the newest traces of this service', 'mall')
  .option('-n, --limit <count>', 'how many of the newest traces', countOption, 1)
  .option('--json', 'print the findings as JSON')
  .addOption(jaeger)
  .action(async (opts: { trace?: string; service: string; limit: number; json?: boolean; jaeger: string }) => {
    const analyses = (await fetchTraces(opts.jaeger, opts)).map(analyzeTrace);
    if (opts.json) say(JSON.stringify(analyses, null, 2));
    else say(analyses.map(formatAnalysis).join('\n\n'));
  });

program
  .command('traces')
  .description('a terminal waterfall of the newest trace (or --trace ID)')
  .option('--trace <id>', 'one trace by id')
  .option('--service <name>', 'the newest trace of this service', 'mall')
  .addOption(jaeger)
  .action(async (opts: { trace?: string; service: string; jaeger: string }) => {
    const [trace] = await fetchTraces(opts.jaeger, { ...opts, limit: 1 });
    say(formatWaterfall(trace!, Math.max(20, Math.min(60, (process.stdout.columns ?? 120) - 90))));
  });

program.parseAsync().catch((error: unknown) => {
  if (error instanceof ManifestError || error instanceof UsageError || !debugging()) warn(`mesh-mall: ${describeError(error)}`);
  else warn(`mesh-mall: ${(error as Error)?.stack ?? String(error)}`);
  process.exit(1);
});
