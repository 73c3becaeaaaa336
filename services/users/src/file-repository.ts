import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@mesh-mall/kit';
import { avatarFor, type CreateResult, type User, type UserRepository } from './repository.js';

/**
 * The embedded store used when no MONGO_URL is set: an append-only JSON-lines file, so a user created at login
 * survives a restart. Lines written by another replica are picked up on a miss; if two replicas raced to create one
 * name, the first line wins, as a unique index would have decided.
 */
export class FileUserRepository implements UserRepository {
  private readonly byName = new Map<string, User>();
  private readOffset = 0;
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  /** Opens (creating) `<directory>/users.jsonl`; a directory it cannot write is a DataDirError naming the cause. */
  static async open(directory: string): Promise<FileUserRepository> {
    const path = join(directory, 'users.jsonl');
    let handle: FileHandle;
    try {
      await mkdir(directory, { recursive: true });
      handle = await open(path, 'a+');
    } catch (error) {
      throw new DataDirError(directory, error as NodeJS.ErrnoException);
    }
    const { size } = await handle.stat();
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      // End a line torn by a crash, so the next user starts on a line of its own.
      if (last[0] !== 0x0a) await handle.appendFile('\n');
    }
    const repository = new FileUserRepository(path, handle);
    await repository.catchUp();
    return repository;
  }

  async findByName(name: string): Promise<User | null> {
    if (!this.byName.has(name)) await this.catchUp();
    return this.byName.get(name) ?? null;
  }

  create(name: string): Promise<CreateResult> {
    // One create at a time, so two logins of a new name in this process make one user.
    const result = this.writes.then(() => this.createNow(name));
    this.writes = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    await this.writes;
    await this.handle.close();
  }

  private async createNow(name: string): Promise<CreateResult> {
    const existing = await this.findByName(name);
    if (existing) return { user: existing, created: false };
    const user: User = { id: randomUUID(), name, image: avatarFor(name) };
    await this.handle.appendFile(`${JSON.stringify(user)}\n`);
    await this.handle.datasync();
    await this.catchUp();
    return { user: this.byName.get(name)!, created: this.byName.get(name)!.id === user.id };
  }

  /** Reads lines appended since the last read (by this process or another replica). */
  private async catchUp(): Promise<void> {
    const content = await readFile(this.path);
    const fresh = content.subarray(this.readOffset);
    const lastNewline = fresh.lastIndexOf(0x0a);
    if (lastNewline < 0) return;
    this.readOffset += lastNewline + 1;
    for (const line of fresh.subarray(0, lastNewline).toString('utf8').split('\n')) {
      const user = parseLine(line);
      if (user && !this.byName.has(user.name)) this.byName.set(user.name, user);
    }
  }
}

/** The embedded store's directory cannot be written: says which variable to change and what the system said. */
export class DataDirError extends ConfigError {
  override name = 'DataDirError';
  constructor(directory: string, cause: NodeJS.ErrnoException) {
    super(
      `DATA_DIR=${directory} cannot hold the embedded users store (${cause.message}); ` +
        'point DATA_DIR at a writable directory (in a container: a mounted volume, as install/ mounts an emptyDir at /data)',
      { cause },
    );
  }
}

function parseLine(line: string): User | undefined {
  try {
    const value = JSON.parse(line) as Partial<User>;
    if (typeof value.id === 'string' && typeof value.name === 'string' && typeof value.image === 'string') {
      return { id: value.id, name: value.name, image: value.image };
    }
  } catch {
    // A torn last line from a crash mid-write: the user was never acknowledged, so skipping it loses nothing.
  }
  return undefined;
}
