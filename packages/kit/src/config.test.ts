import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('applies the service defaults, then the environment over them', () => {
    const config = loadConfig(
      { SERVICE_NAME: 'recommend', LATENCY_MS: 40, PRODUCTS_URL: 'http://products:7000' },
      { PRODUCTS_URL: z.url() },
      { LATENCY_MS: '0', APP_VERSION: 'v3' },
    );
    expect(config).toMatchObject({ SERVICE_NAME: 'recommend', LATENCY_MS: 0, APP_VERSION: 'v3', PORT: 7000, PRODUCTS_URL: 'http://products:7000' });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ SERVICE_NAME: 's', LATENCY_MS: 5 }, {}, { LATENCY_MS: '' }).LATENCY_MS).toBe(5);
  });

  it('names every invalid variable and its value in one message', () => {
    const attempt = () => loadConfig({ SERVICE_NAME: 'mall', LATENCY_MS: 10 }, {}, { LATENCY_MS: 'slow', APP_VERSION: 'v9', PORT: '70000' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/invalid configuration for mall:\n.*LATENCY_MS="slow"/s);
    expect(attempt).toThrow(/APP_VERSION="v9"/);
    expect(attempt).toThrow(/PORT="70000"/);
  });
});
