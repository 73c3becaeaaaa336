#!/usr/bin/env node
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ManifestError } from './manifests.js';
import { BASE_MANIFESTS, DEFAULT_STATE_DIR } from './paths.js';
import { describe, up, UsageError } from './up.js';

function portOption(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('must be a port number 0–65535');
  return port;
}

const say = (line: string) => process.stdout.write(`${line}\n`);

const program = new Command('mesh-mall').description('Runs the repo\'s Kubernetes + Istio YAML on one machine.');

program
  .command('up')
  .description('start the workloads of the given manifests (default: the base act) and the gateway')
  .option('-f, --filename <paths...>', 'manifest files or directories', BASE_MANIFESTS)
  .option('-p, --port <port>', 'gateway port (0 picks a free one)', portOption, portOption(process.env.MESH_MALL_GATEWAY_PORT ?? '8080'))
  .option('--control-port <port>', 'control API port (0 picks a free one)', portOption, portOption(process.env.MESH_MALL_CONTROL_PORT ?? '15000'))
  .option('--state-dir <dir>', 'logs, access log and workload data', process.env.MESH_MALL_STATE_DIR ?? DEFAULT_STATE_DIR)
  .option('--access-log <path>', "access log file, or '-' for stdout")
  .option('--ingress <host>', 'Service the gateway forwards to', 'mall.base.svc.cluster.local:7000')
  .action(async (opts: { filename: string[]; port: number; controlPort: number; stateDir: string; accessLog?: string; ingress: string }) => {
    const options = {
      files: opts.filename.map((f) => resolve(f)),
      port: opts.port,
      controlPort: opts.controlPort,
      stateDir: resolve(opts.stateDir),
      ingress: opts.ingress,
      accessLog: opts.accessLog,
    };
    const running = await up(options, say);
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

program.parseAsync().catch((error: unknown) => {
  if (error instanceof ManifestError || error instanceof UsageError) process.stderr.write(`mesh-mall: ${error.message}\n`);
  else process.stderr.write(`mesh-mall: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
