import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningService, ServiceOptions } from '@mesh-mall/kit';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

/**
 * main.ts as it starts in a pod, in this process: the kit's `main` runs the start-up here (its failure is kept for the
 * test instead of ending the process) and `startService` leaves signals alone. The MongoDB connection is a stand-in
 * that never connects (no MongoDB here); the embedded store, the config and the app are the real ones.
 */
const started = vi.hoisted(() => ({ services: [] as { service: Promise<RunningService>; options: ServiceOptions }[], failures: [] as unknown[], mongo: [] as { url: string; closed: boolean }[] }));
vi.mock('@mesh-mall/kit', async (importOriginal) => {
  const kit = await importOriginal<typeof import('@mesh-mall/kit')>();
  return {
    ...kit,
    main: (start: () => Promise<unknown>) => void start().catch((error: unknown) => started.failures.push(error)),
    startService: (options: ServiceOptions) => {
      const service = kit.startService({ ...options, handleSignals: false });
      started.services.push({ service, options });
      return service;
    },
  };
});
vi.mock('./mongo-connection.js', () => ({
  MongoConnection: class {
    private readonly record: { url: string; closed: boolean };
    constructor(url: string) {
      this.record = { url, closed: false };
      started.mongo.push(this.record);
    }
    notReadyReason(): string {
      return 'MongoDB not reachable yet: connect ECONNREFUSED 10.0.0.7:27017';
    }
    async close(): Promise<void> {
      this.record.closed = true;
    }
  },
}));

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'users-main-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** Runs main.ts with this environment; resolves with the service it started, or the error its start-up failed with. */
async function startUsers(env: Record<string, string>): Promise<{ service: RunningService; url: string } | { failure: unknown }> {
  for (const [key, value] of Object.entries({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', LATENCY_MS: '0', SHUTDOWN_DELAY_MS: '0', MONGO_URL: '', ...env })) vi.stubEnv(key, value);
  vi.resetModules();
  const before = { services: started.services.length, failures: started.failures.length };
  await import('./main.js');
  await expect.poll(() => started.services.length - before.services + started.failures.length - before.failures).toBe(1);
  if (started.failures.length > before.failures) return { failure: started.failures.at(-1) };
  const service = await started.services.at(-1)!.service;
  return { service, url: `http://127.0.0.1:${service.port}` };
}

describe('users main', () => {
  it('without MONGO_URL keeps users in the embedded store under DATA_DIR, ready at once, closed on shutdown', async () => {
    const run = await startUsers({ DATA_DIR: dataDir });
    if (!('service' in run)) throw run.failure;
    expect((await fetch(`${run.url}/readyz`)).status).toBe(200);
    const created = await fetch(`${run.url}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"jason"}' });
    expect(created.status).toBe(201);
    const jason = await created.json();
    expect(await (await fetch(`${run.url}/users?name=jason`)).json()).toEqual(jason);
    expect((await readFile(join(dataDir, 'users.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual([jason]);
    // The module main.ts loaded (the registry is not reset again before this import).
    const { FileUserRepository } = await import('./file-repository.js');
    const close = vi.spyOn(FileUserRepository.prototype, 'close');
    await run.service.shutdown('test');
    expect(close).toHaveBeenCalledTimes(1);
    close.mockRestore();
    expect(started.mongo).toEqual([]);
  });

  it('with MONGO_URL serves at once from MongoDB, not ready until it connects, with the reason', async () => {
    const url = 'mongodb://root:secret@mongodb.base.svc.cluster.local:27017/mesh-mall?authSource=admin';
    const run = await startUsers({ MONGO_URL: url, DATA_DIR: dataDir });
    if (!('service' in run)) throw run.failure;
    expect(started.mongo).toEqual([{ url, closed: false }]);
    const ready = await fetch(`${run.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ error: 'Service Unavailable', message: 'MongoDB not reachable yet: connect ECONNREFUSED 10.0.0.7:27017' });
    expect((await fetch(`${run.url}/healthz`)).status).toBe(200);
    await run.service.shutdown('test');
    expect(started.mongo).toEqual([{ url, closed: true }]);
  });

  it('refuses a MONGO_URL that is not a MongoDB URL, naming it', async () => {
    const run = await startUsers({ MONGO_URL: 'http://mongodb:27017' });
    expect(run).toEqual({ failure: expect.objectContaining({ name: 'ConfigError', message: 'invalid configuration for users:\n  MONGO_URL="http://mongodb:27017": Invalid string: must start with "mongodb"' }) });
  });
});
