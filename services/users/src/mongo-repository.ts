import { MongoClient, MongoServerError, type Collection, type WithId } from 'mongodb';
import { eventLoopLookup } from '@mesh-mall/kit';
import { avatarFor, type CreateResult, type User, type UserRepository } from './repository.js';

export interface UserDocument {
  name: string;
  image: string;
  createdAt: Date;
}

/** The part of the driver's Collection this repository uses, so tests can hand it a fake. */
export type UserCollection = Pick<Collection<UserDocument>, 'findOne' | 'insertOne' | 'createIndex'>;

const DUPLICATE_KEY = 11000;

/** Users in MongoDB through the official driver: one pooled client, a unique index on name. */
export class MongoUserRepository implements UserRepository {
  constructor(
    private readonly users: UserCollection,
    private readonly release: () => Promise<void> = async () => {},
  ) {}

  /** Connects and creates the index; on any failure the client is closed again, so a retry starts clean. */
  static async connect(url: string): Promise<MongoUserRepository> {
    // Names resolved on the event loop (the kit's dns-lookup.ts): with cluster DNS down, getaddrinfo would hold the exit.
    const client = new MongoClient(url, { maxPoolSize: 20, serverSelectionTimeoutMS: 5_000, appName: 'mesh-mall-users', lookup: eventLoopLookup() });
    try {
      await client.connect();
      const repository = new MongoUserRepository(client.db().collection<UserDocument>('users'), () => client.close());
      await repository.ensureIndexes();
      return repository;
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    }
  }

  async ensureIndexes(): Promise<void> {
    await this.users.createIndex({ name: 1 }, { unique: true, name: 'name_unique' });
  }

  async findByName(name: string): Promise<User | null> {
    const document = await this.users.findOne({ name });
    return document ? toUser(document) : null;
  }

  async create(name: string): Promise<CreateResult> {
    const document: UserDocument = { name, image: avatarFor(name), createdAt: new Date() };
    try {
      const { insertedId } = await this.users.insertOne(document);
      return { user: toUser({ ...document, _id: insertedId }), created: true };
    } catch (error) {
      // Another login created the name first: the unique index decided, and that user is the answer.
      if (!(error instanceof MongoServerError) || error.code !== DUPLICATE_KEY) throw error;
      const existing = await this.findByName(name);
      if (!existing) throw error;
      return { user: existing, created: false };
    }
  }

  close(): Promise<void> {
    return this.release();
  }
}

function toUser(document: WithId<UserDocument>): User {
  return { id: document._id.toHexString(), name: document.name, image: document.image };
}
