import { fileURLToPath } from 'node:url';
import { COMPILE_CACHE_DIR } from '../lib/paths.js';
import { packageForImage, type ServicePackage } from './images.js';

/**
 * A services folder for tests: its one package, `stub` (image `mesh-mall/stub:<tag>`), is a plain script that runs
 * as a service does under the runtime and misbehaves on request (test-fixtures/services/stub/main.mjs says how).
 */
export const STUB_SERVICES_DIR = fileURLToPath(new URL('./test-fixtures/services', import.meta.url));

export const STUB: ServicePackage = packageForImage('mesh-mall/stub:v1', STUB_SERVICES_DIR)!;

/** What a pod of the stub needs besides what a test sets: PATH, a port of its own, loopback, the compile cache. */
export function stubEnv(env: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', NODE_COMPILE_CACHE: COMPILE_CACHE_DIR, ...env };
}
