import { join, relative } from 'node:path';
import { readManifests } from '../api/manifests.js';
import { startControl } from '../control/control-api.js';
import { Runtime } from '../control/runtime.js';
import { SERVICES_DIR } from '../lib/paths.js';
import { describeCapacity, type Capacity } from '../workloads/capacity.js';
import { MeshTelemetry } from '../telemetry/mesh-telemetry.js';
import { startCollector, startViewer } from '../telemetry/tracing/server.js';

export interface UpOptions {
  files: string[];
  port: number;
  /** The control API (`mesh-mall apply/get`); 0 picks a free one. */
  controlPort: number;
  /** OTLP/HTTP receiver (4318) and trace viewer with Jaeger's query API (16686). */
  otlpPort: number;
  uiPort: number;
  stateDir: string;
  accessLog?: string | undefined;
  /** Set in every pod, e.g. LATENCY_MS=0. */
  env: Record<string, string>;
  /** What the local node offers pods: --capacity over the machine's default. */
  capacity: Capacity;
  /** How many pod processes start at a time (--pod-starts). */
  podStarts: number;
}

export interface Running {
  runtime: Runtime;
  telemetry: MeshTelemetry;
  gatewayUrl: string;
  controlUrl: string;
  collectorUrl: string;
  viewerUrl: string;
  stop(): Promise<void>;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

/** `mesh-mall up`: reads the manifests, starts every workload and the gateway, and returns once all are ready. */
export async function up(options: UpOptions, say: (line: string) => void, onStop: (stop: () => Promise<void>) => void = () => undefined): Promise<Running> {
  const { manifests, warnings, clusterOnly } = await readManifests(options.files);
  warnings.forEach((w) => say(`warning: ${w}`));
  if (clusterOnly.length > 0) say(clusterOnlyNote(clusterOnly));
  const telemetry = new MeshTelemetry(options.accessLog ?? join(options.stateDir, 'access.log'));
  const runtime = new Runtime({
    servicesDir: SERVICES_DIR,
    stateDir: options.stateDir,
    telemetry,
    report: (message) => say(message),
    mongoUrl: process.env.MESH_MALL_MONGO_URL,
    extraEnv: options.env,
    capacity: options.capacity,
    startSlots: options.podStarts,
  });
  const gateway = runtime.ingressGateway();
  const closers: (() => unknown)[] = [];
  const stop = async () => {
    for (const close of closers.reverse()) await close();
    await runtime.stop();
  };
  // What stops it all, for a fatal error while it is still starting.
  onStop(stop);
  try {
    const port = await claim('gateway', options.port, '--port or MESH_MALL_GATEWAY_PORT', () => gateway.listen(options.port, '127.0.0.1'));
    closers.push(() => gateway.close());
    const control = await claim('control API', options.controlPort, '--control-port or MESH_MALL_CONTROL_PORT', () => startControl(runtime, telemetry, options.controlPort));
    closers.push(() => control.server.close());
    const collector = await claim('OTLP receiver', options.otlpPort, '--otlp-port or MESH_MALL_OTLP_PORT', () => startCollector(telemetry.traces, options.otlpPort));
    closers.push(() => collector.server.close());
    const viewer = await claim('trace viewer', options.uiPort, '--ui-port or MESH_MALL_UI_PORT', () => startViewer(telemetry.traces, telemetry.topology, options.uiPort));
    closers.push(() => viewer.server.close());
    const viewerUrl = viewer.url.replace('127.0.0.1', 'localhost');
    runtime.useTelemetry(collector.url, viewerUrl);
    await runtime.apply(manifests);
    return { runtime, telemetry, gatewayUrl: `http://localhost:${port}`, controlUrl: control.url, collectorUrl: collector.url, viewerUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The one line that sums up what a cluster would use and the local runtime does not. */
export function clusterOnlyNote(fields: string[]): string {
  return `note: cluster-only fields not used locally: ${fields.join(', ')}`;
}

/** Binds one of the runtime's own ports, turning "address in use" into a message that says what to do. */
async function claim<T>(what: string, port: number, flag: string, bind: () => Promise<T>): Promise<T> {
  try {
    return await bind();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UsageError(`${what} port ${port} is already in use (another mesh-mall up?); choose another with ${flag}`);
    }
    throw error;
  }
}

/** The banner's last line: whoever waits for `up` to be ready (launch.ts) waits for it, so the whole banner is read. */
export const BANNER_END = 'Ctrl-C stops everything.';

export function describe(running: Running, options: UpOptions): string[] {
  const cwd = process.cwd();
  const pods = running.runtime.pods();
  const pending = pods.filter((p) => p.status === 'Pending').length;
  const show = (path: string) => relative(cwd, path) || path;
  return [
    `mesh-mall is up: ${pods.length - pending} pods from ${options.files.map(show).join(', ')}${pending > 0 ? ` (${pending} Pending: mesh-mall get pods says why)` : ''}`,
    '',
    `  mall         ${running.gatewayUrl}`,
    `  mall API     ${running.gatewayUrl}/api/mall`,
    ...running.runtime.gatewayListeners().map((l) => `  Gateway ${l.deployment.namespace}/${l.deployment.gateway}  http://localhost:${l.localPort}  (Gateway API; its port ${l.port})`),
    `  traces       ${running.viewerUrl}  (topology: ${running.viewerUrl}/topology)`,
    `  control API  ${running.controlUrl}  (mesh-mall apply|delete|get; /metrics)`,
    `  OTLP in      ${running.collectorUrl}/v1/traces`,
    `  access log   ${show(running.telemetry.accessLog.path)}`,
    `  pod logs     ${show(join(options.stateDir, 'logs'))}`,
    `  capacity     ${describeCapacity(options.capacity)}  (--capacity or MESH_MALL_CAPACITY; pods start ${options.podStarts} at a time, --pod-starts)`,
    '',
    BANNER_END,
  ];
}
