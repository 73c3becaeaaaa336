import { join, relative } from 'node:path';
import { ManifestError, readManifests } from './manifests.js';
import { Runtime } from './runtime.js';
import { SERVICES_DIR } from './paths.js';

export interface UpOptions {
  files: string[];
  port: number;
  stateDir: string;
  /** Until Istio Gateway rules are applied, the gateway sends everything to this Service. */
  ingress: string;
  accessLog?: string;
}

export interface Running {
  runtime: Runtime;
  gatewayUrl: string;
  stop(): Promise<void>;
}

const INGRESS_IDENTITY = {
  namespace: 'istio-system',
  workload: 'istio-ingressgateway',
  labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
  serviceAccount: 'istio-ingressgateway-service-account',
};

export class UsageError extends Error {
  override name = 'UsageError';
}

/** `mesh-mall up`: reads the manifests, starts every workload and the gateway, and returns once all are ready. */
export async function up(options: UpOptions, say: (line: string) => void): Promise<Running> {
  const { manifests, warnings } = await readManifests(options.files);
  warnings.forEach((w) => say(`note: ${w}`));
  const runtime = new Runtime({
    servicesDir: SERVICES_DIR,
    stateDir: options.stateDir,
    accessLogPath: options.accessLog ?? join(options.stateDir, 'access.log'),
    report: (message) => say(message),
    mongoUrl: process.env.MESH_MALL_MONGO_URL,
  });
  const gateway = runtime.sidecarFor(INGRESS_IDENTITY, options.ingress);
  let port: number;
  try {
    port = await gateway.listen(options.port, '127.0.0.1');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UsageError(`port ${options.port} is already in use (another mesh-mall up?); choose one with --port or MESH_MALL_GATEWAY_PORT`);
    }
    throw error;
  }
  try {
    await runtime.apply(manifests);
  } catch (error) {
    await Promise.all([runtime.stop(), gateway.close()]);
    throw error;
  }
  const gatewayUrl = `http://localhost:${port}`;
  return {
    runtime,
    gatewayUrl,
    stop: async () => {
      await gateway.close();
      await runtime.stop();
    },
  };
}

export function describe(running: Running, options: UpOptions): string[] {
  const cwd = process.cwd();
  const pods = running.runtime.pods();
  return [
    `mesh-mall is up: ${pods.length} pods from ${options.files.map((f) => relative(cwd, f) || f).join(', ')}`,
    '',
    `  mall         ${running.gatewayUrl}`,
    `  mall API     ${running.gatewayUrl}/api/mall`,
    `  access log   ${relative(cwd, running.runtime.accessLog.path) || running.runtime.accessLog.path}`,
    `  pod logs     ${relative(cwd, join(options.stateDir, 'logs')) || options.stateDir}`,
    '',
    'Ctrl-C stops everything.',
  ];
}

export { ManifestError };
