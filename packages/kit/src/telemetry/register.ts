/**
 * Preloaded with `node --import @mesh-mall/kit/telemetry dist/main.js`: hooks ESM loading so that http, express,
 * fastify and mongodb are instrumented when the service imports them, then starts the SDK. The service is named by
 * OTEL_SERVICE_NAME, else by its folder (services/<name>/dist/main.js); its version and namespace come from
 * APP_VERSION and POD_NAMESPACE, as the kit's config reads them.
 */
import { register as registerOffThread } from 'node:module';
import { register as registerInThread, supportsSyncHooks } from 'import-in-the-middle/register-hooks.mjs';
import { serviceFolder } from '../service-folder.js';
import { startTelemetry } from './sdk.js';

// Only what is instrumented goes through the hook: wrapping every module would cost each pod start-up time and memory.
const include = ['http', 'node:http', 'https', 'node:https', 'express', 'fastify', 'mongodb', 'undici'];
// In-thread hooks where Node supports them: the off-thread loader costs each pod a thread, its heap, and a round-trip
// per module loaded.
if (supportsSyncHooks()) registerInThread({ include });
else registerOffThread('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data: { include } });

await startTelemetry({
  serviceName: process.env.OTEL_SERVICE_NAME || serviceFolder() || 'unknown',
  serviceVersion: process.env.APP_VERSION || 'v1',
  namespace: process.env.POD_NAMESPACE || 'default',
});
