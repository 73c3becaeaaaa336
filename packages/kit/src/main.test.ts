import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from './config.js';
import { main } from './main.js';

/** A service that fails to start: one JSON line on stderr, exit code 1 (process.exit and stderr stood in for). */
async function failedStart(error: unknown, env: Record<string, string | undefined> = {}): Promise<{ line: Record<string, unknown>; code: number | undefined }> {
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  const written: string[] = [];
  const write = vi.spyOn(process.stderr, 'write').mockImplementation(((text: string) => written.push(text) > 0) as never);
  const code = await new Promise<number | undefined>((resolve) => {
    vi.spyOn(process, 'exit').mockImplementation(((exitCode?: number) => resolve(exitCode)) as never);
    main(() => Promise.reject(error));
  });
  write.mockRestore();
  expect(written).toHaveLength(1);
  expect(written[0]!.endsWith('}\n')).toBe(true);
  return { line: JSON.parse(written[0]!) as Record<string, unknown>, code };
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('a service that fails to start', () => {
  it('logs a configuration mistake by its message alone, at level fatal, and exits 1', async () => {
    const { line, code } = await failedStart(new ConfigError('invalid configuration for users:\n  PORT="x": bad'), { SERVICE_NAME: 'users' });
    expect(code).toBe(1);
    expect(line).toEqual({ level: 60, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), service: 'users', msg: 'invalid configuration for users:\n  PORT="x": bad' });
    expect(Math.abs(Date.parse(line.time as string) - Date.now())).toBeLessThan(60_000);
  });

  it('logs anything else with its type and stack', async () => {
    const error = new TypeError('cannot read x');
    const { line, code } = await failedStart(error, { SERVICE_NAME: 'scores' });
    expect(code).toBe(1);
    expect(line).toMatchObject({ level: 60, service: 'scores', msg: 'failed to start: cannot read x', err: { type: 'TypeError', stack: error.stack } });
  });

  it('says what was thrown when it is not an Error', async () => {
    const { line } = await failedStart('just text', { SERVICE_NAME: 'mall' });
    expect(line.msg).toBe('failed to start: just text');
    expect(line.err).toEqual({});
  });

  it('says so when the start-up rejects with nothing at all', async () => {
    const { line } = await failedStart(undefined, { SERVICE_NAME: 'mall' });
    expect(line.msg).toBe('failed to start: undefined');
    expect(line.err).toEqual({});
  });

  it('names the service by its folder when SERVICE_NAME is unset or empty', async () => {
    vi.spyOn(process, 'argv', 'get').mockReturnValue(['node', '/app/services/favorites/dist/main.js']);
    const { line } = await failedStart(new Error('x'), { SERVICE_NAME: '' });
    expect(line.service).toBe('favorites');
  });

  it('does nothing once the start-up succeeds', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    let started!: () => void;
    const done = new Promise<void>((resolve) => (started = resolve));
    main(async () => started());
    await done;
    await new Promise((resolve) => setImmediate(resolve));
    expect(exit).not.toHaveBeenCalled();
  });
});
