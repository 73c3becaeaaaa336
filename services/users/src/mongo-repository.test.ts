import { MongoServerError, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { MongoUserRepository, type UserCollection, type UserDocument } from './mongo-repository.js';

/**
 * A stand-in for the driver's Collection with the behaviour the repository relies on: findOne by name, insertOne
 * assigning an ObjectId, and a unique index that rejects a second document of one name with E11000.
 */
function fakeCollection() {
  const documents: (UserDocument & { _id: ObjectId })[] = [];
  const indexes: unknown[] = [];
  let unique = false;
  const collection = {
    async createIndex(spec: unknown, options?: { unique?: boolean }) {
      indexes.push({ spec, options });
      unique ||= options?.unique === true;
      return 'name_unique';
    },
    async findOne(filter: { name: string }) {
      return documents.find((d) => d.name === filter.name) ?? null;
    },
    async insertOne(document: UserDocument) {
      await Promise.resolve();
      if (unique && documents.some((d) => d.name === document.name)) {
        throw new MongoServerError({ message: 'E11000 duplicate key error collection: users index: name_unique', code: 11000 });
      }
      const _id = new ObjectId();
      documents.push({ ...document, _id });
      return { acknowledged: true, insertedId: _id };
    },
  };
  return { collection: collection as unknown as UserCollection, documents, indexes };
}

describe('MongoUserRepository (driver API, fake collection)', () => {
  it('creates a unique index on name', async () => {
    const fake = fakeCollection();
    await new MongoUserRepository(fake.collection).ensureIndexes();
    expect(fake.indexes).toEqual([{ spec: { name: 1 }, options: { unique: true, name: 'name_unique' } }]);
  });

  it('creates, finds, and maps _id to a hex id', async () => {
    const fake = fakeCollection();
    const users = new MongoUserRepository(fake.collection);
    await users.ensureIndexes();
    const { user, created } = await users.create('jason');
    expect(created).toBe(true);
    expect(user).toEqual({ id: fake.documents[0]!._id.toHexString(), name: 'jason', image: '/assets/avatars/jason.svg' });
    expect(await users.findByName('jason')).toEqual(user);
    expect(await users.findByName('nobody')).toBeNull();
  });

  it('answers a racing second create with the existing user, decided by the unique index', async () => {
    const fake = fakeCollection();
    const users = new MongoUserRepository(fake.collection);
    await users.ensureIndexes();
    const results = await Promise.all([users.create('fox'), users.create('fox'), users.create('fox')]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.user.id)).size).toBe(1);
    expect(fake.documents).toHaveLength(1);
  });

  it('lets other server errors through', async () => {
    const fake = fakeCollection();
    fake.collection.insertOne = async () => {
      throw new MongoServerError({ message: 'not primary', code: 10107 });
    };
    await expect(new MongoUserRepository(fake.collection).create('jason')).rejects.toThrow('not primary');
  });
});
