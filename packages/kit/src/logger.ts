import { pino, type Logger } from 'pino';
import type { BaseConfig } from './config.js';

export type { Logger };

/** JSON logs on stdout, one line per event, tagged with service, version and namespace. */
export function createLogger(config: Pick<BaseConfig, 'SERVICE_NAME' | 'APP_VERSION' | 'POD_NAMESPACE' | 'LOG_LEVEL'>): Logger {
  return pino({
    level: config.LOG_LEVEL,
    base: { service: config.SERVICE_NAME, version: config.APP_VERSION, namespace: config.POD_NAMESPACE },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
