import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MongoUserRepository } from './mongo-repository.js';

/**
 * `npm run test:mongo`: the repository against a real MongoDB at MONGO_URL. Not part of `npm test`, because no MongoDB
 * server can be installed on our CI machines; without MONGO_URL this run fails rather than passing empty.
 */
const mongoUrl = process.env.MONGO_URL;
if (!mongoUrl) throw new Error('npm run test:mongo needs MONGO_URL pointing at a MongoDB server, e.g. mongodb://127.0.0.1:27017');

describe('MongoUserRepository against MONGO_URL', () => {
  it('keeps names unique and users across reconnects', async () => {
    const url = new URL(mongoUrl);
    url.pathname = `/mesh-mall-test-${randomUUID().slice(0, 8)}`;
    const first = await MongoUserRepository.connect(url.toString());
    const created = await first.create('jason');
    expect(created.created).toBe(true);
    expect((await first.create('jason')).created).toBe(false);
    await first.close();
    const second = await MongoUserRepository.connect(url.toString());
    expect(await second.findByName('jason')).toEqual(created.user);
    await second.close();
  });
});
