export { APP_VERSIONS, baseConfigShape, ConfigError, loadConfig, type AppVersion, type BaseConfig } from './config.js';
export { eventLoopLookup } from './dns-lookup.js';
export { badRequestFrom, errorBody, HttpError, toHttpError, type ErrorBody } from './errors.js';
export { ServiceClient, serviceClient, UpstreamError, type ServiceClientOptions, type UpstreamFailure } from './http-client.js';
export { BODY_LIMIT_BYTES } from './limits.js';
export { createLogger, type Logger } from './logger.js';
export { main } from './main.js';
export {
  currentContext,
  currentTraceId,
  PROPAGATED_HEADERS,
  requestContext,
  runWithContext,
  setPropagatedHeader,
  type PropagatedHeaders,
} from './propagation.js';
export { idListSchema, idsQuerySchema, MAX_IDS, userNameSchema } from './schemas.js';
export { exitDeadlineMs, startService, type RequestHandler, type RunningService, type ServiceOptions } from './server.js';
export { parseWith } from './validate.js';
export * from './contracts.js';
export { shutdownTelemetry, startTelemetry } from './telemetry/sdk.js';
export { traceExporterFromEnv } from './telemetry/exporter.js';
