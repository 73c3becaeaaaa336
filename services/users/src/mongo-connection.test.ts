import { HttpError } from '@mesh-mall/kit';
import { silentLogger } from '@mesh-mall/kit/testing';
import { describe, expect, it } from 'vitest';
import { MongoConnection } from './mongo-connection.js';
import type { MongoUserRepository } from './mongo-repository.js';

const jason = { id: '64b000000000000000000001', name: 'jason', image: '/assets/avatars/jason.svg' };

/** A repository as connect() would return it once MongoDB answers. */
function connectedRepository(closed: string[]): MongoUserRepository {
  return {
    findByName: async (name: string) => (name === 'jason' ? jason : null),
    create: async () => ({ user: jason, created: false }),
    close: async () => void closed.push('closed'),
  } as unknown as MongoUserRepository;
}

/** connect() failing `failures` times (as the driver's server selection does), then answering; each call recorded. */
function flakyConnect(failures: number, closed: string[] = []) {
  const calls: number[] = [];
  let gate!: () => void;
  const done = new Promise<void>((resolve) => (gate = resolve));
  const connect = async () => {
    calls.push(calls.length + 1);
    if (calls.length <= failures) throw new Error('Server selection timed out after 5000 ms');
    gate();
    return connectedRepository(closed);
  };
  return { connect, calls, connected: done };
}

describe('MongoConnection', () => {
  it('answers 503 naming the cause, and is not ready, until MongoDB answers; then serves', async () => {
    const flaky = flakyConnect(2);
    const mongo = new MongoConnection('mongodb://mongodb:27017/x', silentLogger, flaky.connect, { firstMs: 1, maxMs: 2 });
    expect(mongo.notReadyReason()).toBe('MongoDB not reachable yet: connecting');
    const refused = await mongo.findByName('jason').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused).toMatchObject({ status: 503 });
    await flaky.connected;
    await new Promise((resolve) => setImmediate(resolve));
    expect(flaky.calls).toEqual([1, 2, 3]);
    expect(mongo.notReadyReason()).toBeUndefined();
    expect(await mongo.findByName('jason')).toEqual(jason);
    await mongo.close();
  });

  it('names the driver error in readiness between attempts', async () => {
    const mongo = new MongoConnection('mongodb://mongodb:27017/x', silentLogger, async () => {
      throw new Error('getaddrinfo ENOTFOUND mongodb');
    }, { firstMs: 60_000, maxMs: 60_000 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(mongo.notReadyReason()).toBe('MongoDB not reachable yet: getaddrinfo ENOTFOUND mongodb');
    await mongo.close();
  });

  it('stops retrying at close, without waiting out the back-off, and closes what it connected', async () => {
    const never = new MongoConnection('mongodb://mongodb:27017/x', silentLogger, async () => {
      throw new Error('unreachable');
    }, { firstMs: 60_000, maxMs: 60_000 });
    const started = performance.now();
    await never.close();
    expect(performance.now() - started).toBeLessThan(1_000);

    const closed: string[] = [];
    const flaky = flakyConnect(0, closed);
    const mongo = new MongoConnection('mongodb://mongodb:27017/x', silentLogger, flaky.connect);
    await flaky.connected;
    await mongo.close();
    expect(closed).toEqual(['closed']);
  });
});
