import { ConfigError } from './config.js';

/**
 * Runs a service's start-up; a configuration mistake ends the process with its message rather than a stack trace.
 */
export function main(start: () => Promise<unknown>): void {
  start().catch((error: unknown) => {
    if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  });
}
