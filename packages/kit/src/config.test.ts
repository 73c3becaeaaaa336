import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { APP_VERSIONS, ConfigError, loadConfig } from './config.js';

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

describe('the settings every service reads', () => {
  it('default to port 7000 on every interface, v1, info logs, a 1 s shutdown delay, a 10 s drain and 2 s calls', () => {
    expect(loadConfig({ SERVICE_NAME: 'scores', LATENCY_MS: 0 }, {}, {})).toEqual({
      SERVICE_NAME: 'scores',
      PORT: 7000,
      HOST: '0.0.0.0',
      APP_VERSION: 'v1',
      LATENCY_MS: 0,
      LOG_LEVEL: 'info',
      SHUTDOWN_DELAY_MS: 1_000,
      DRAIN_TIMEOUT_MS: 10_000,
      UPSTREAM_TIMEOUT_MS: 2_000,
      POD_NAMESPACE: 'default',
    });
    expect(APP_VERSIONS).toEqual(['v1', 'v2', 'v3']);
  });

  it('reads each from the environment, numbers as numbers', () => {
    const env = {
      PORT: '8080',
      HOST: '127.0.0.1',
      APP_VERSION: 'v2',
      LATENCY_MS: '60000',
      LOG_LEVEL: 'silent',
      SHUTDOWN_DELAY_MS: '0',
      DRAIN_TIMEOUT_MS: '0',
      UPSTREAM_TIMEOUT_MS: '1',
      POD_NAMESPACE: 'jason',
      MESH_OUTBOUND_URL: 'http://127.0.0.1:15001',
      UNRELATED: 'ignored',
    };
    expect(loadConfig({ SERVICE_NAME: 'mall', LATENCY_MS: 10 }, {}, env)).toEqual({
      SERVICE_NAME: 'mall',
      PORT: 8080,
      HOST: '127.0.0.1',
      APP_VERSION: 'v2',
      LATENCY_MS: 60_000,
      LOG_LEVEL: 'silent',
      SHUTDOWN_DELAY_MS: 0,
      DRAIN_TIMEOUT_MS: 0,
      UPSTREAM_TIMEOUT_MS: 1,
      POD_NAMESPACE: 'jason',
      MESH_OUTBOUND_URL: 'http://127.0.0.1:15001',
    });
  });

  it('accepts every log level pino knows and ports 0 to 65535', () => {
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) {
      expect(loadConfig({ SERVICE_NAME: 's', LATENCY_MS: 0 }, {}, { LOG_LEVEL: level }).LOG_LEVEL).toBe(level);
    }
    for (const port of [0, 65535]) expect(loadConfig({ SERVICE_NAME: 's', LATENCY_MS: 0 }, {}, { PORT: String(port) }).PORT).toBe(port);
  });

  it('refuses values out of range, naming each', () => {
    const refused: Record<string, string>[] = [
      { PORT: '65536' },
      { PORT: '-1' },
      { PORT: '80.5' },
      { LATENCY_MS: '60001' },
      { LATENCY_MS: '-1' },
      { SHUTDOWN_DELAY_MS: '-1' },
      { SHUTDOWN_DELAY_MS: '0.5' },
      { DRAIN_TIMEOUT_MS: '-1' },
      { DRAIN_TIMEOUT_MS: '1.5' },
      { UPSTREAM_TIMEOUT_MS: '0' },
      { UPSTREAM_TIMEOUT_MS: '2.5' },
      { LATENCY_MS: '2.5' },
      { LOG_LEVEL: 'verbose' },
      { APP_VERSION: 'v4' },
      { MESH_OUTBOUND_URL: 'sidecar' },
    ];
    for (const env of refused) {
      const [key, value] = Object.entries(env)[0]!;
      expect(() => loadConfig({ SERVICE_NAME: 's', LATENCY_MS: 0 }, {}, env), `${key}=${value}`).toThrow(`\n  ${key}=${JSON.stringify(value)}: `);
    }
  });

  it('requires a service name and a latency, and refuses an empty host', () => {
    const error = (() => {
      try {
        loadConfig({ HOST: '' }, {}, {});
      } catch (e) {
        return e as Error;
      }
    })()!;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.name).toBe('ConfigError');
    const [first, ...lines] = error.message.split('\n');
    expect(first).toBe('invalid configuration for service:');
    expect(lines.map((line) => line.slice(0, line.indexOf(':') + 1))).toEqual(['  SERVICE_NAME="":', '  HOST="":', '  LATENCY_MS="":']);
    for (const line of lines) expect(line.length).toBeGreaterThan(line.indexOf(':') + 2);
  });

  it('treats a variable set to undefined as unset', () => {
    expect(loadConfig({ SERVICE_NAME: 's', LATENCY_MS: 5 }, {}, { LATENCY_MS: undefined }).LATENCY_MS).toBe(5);
  });

  it('names an item of a list variable by its place in the list', () => {
    const extra = { LANES: z.string().transform((raw) => raw.split(',')).pipe(z.array(z.string().min(3))) };
    expect(() => loadConfig({ SERVICE_NAME: 's', LATENCY_MS: 0 }, extra, { LANES: 'jason,fx' })).toThrow(/\n  LANES\.1="": /);
  });

  it('reads the service’s own variables with its schema, defaults first', () => {
    const config = loadConfig({ SERVICE_NAME: 's', LATENCY_MS: 0, USERS_URL: 'http://users:7000' }, { USERS_URL: z.url(), MONGO_URL: z.string().optional() }, { MONGO_URL: 'mongodb://db' });
    expect(config).toMatchObject({ USERS_URL: 'http://users:7000', MONGO_URL: 'mongodb://db' });
  });
});
