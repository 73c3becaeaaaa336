import { ConfigError } from './config.js';
import { serviceFolder } from './service-folder.js';

/**
 * Runs a service's start-up. A failure ends the process with one JSON log line on stderr, as every other line the
 * service logs is JSON: a configuration mistake (ConfigError) by its message alone, anything else with its stack.
 */
export function main(start: () => Promise<unknown>): void {
  start().catch((error: unknown) => {
    const line: Record<string, unknown> = { level: 60, time: new Date().toISOString(), service: process.env.SERVICE_NAME || serviceFolder() };
    if (error instanceof ConfigError) line.msg = error.message;
    else {
      line.msg = `failed to start: ${(error as Error)?.message ?? String(error)}`;
      line.err = { type: (error as Error)?.name, stack: (error as Error)?.stack };
    }
    process.stderr.write(`${JSON.stringify(line)}\n`);
    process.exit(1);
  });
}
