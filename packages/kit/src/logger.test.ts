import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

describe('the service logger', () => {
  const logger = createLogger({ SERVICE_NAME: 'scores', APP_VERSION: 'v2', POD_NAMESPACE: 'jason', LOG_LEVEL: 'warn' });

  it('tags every line with service, version and namespace', () => {
    expect(logger.bindings()).toEqual({ service: 'scores', version: 'v2', namespace: 'jason' });
  });

  it('logs from the configured level up', () => {
    expect(logger.level).toBe('warn');
    expect(logger.isLevelEnabled('info')).toBe(false);
    expect(logger.isLevelEnabled('warn')).toBe(true);
  });

  it('stamps each line with an ISO time', () => {
    const stamp = (logger as unknown as Record<symbol, () => string>)[pino.symbols.timeSym]!();
    expect(stamp).toMatch(/^,"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"$/);
  });
});
