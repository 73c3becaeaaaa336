import { setTimeout as sleep } from 'node:timers/promises';
import { HttpError, type Logger } from '@mesh-mall/kit';
import { MongoUserRepository } from './mongo-repository.js';
import type { CreateResult, User, UserRepository } from './repository.js';

export interface Backoff {
  firstMs: number;
  maxMs: number;
}

/** 1 s, 2 s, 4 s … up to 30 s between attempts, as kubelet's crash-loop back-off would space restarts, minus the restarts. */
const DEFAULT_BACKOFF: Backoff = { firstMs: 1_000, maxMs: 30_000 };

/** Opens a repository, or fails; the default connects the official driver and creates the unique index. */
export type Connect = (url: string) => Promise<MongoUserRepository>;

/**
 * users with MONGO_URL: serves from the start and connects in the background, retrying with back-off, so a pod started
 * before MongoDB is ready stays up (live, not ready, logging why) instead of crash-looping. Until connected, every
 * request is a 503 and readiness names the cause.
 */
export class MongoConnection implements UserRepository {
  private connected: MongoUserRepository | undefined;
  private lastError = 'connecting';
  private closed = false;
  private readonly stop = new AbortController();
  private readonly attempts: Promise<void>;

  constructor(
    url: string,
    private readonly logger: Logger,
    connect: Connect = MongoUserRepository.connect,
    backoff: Backoff = DEFAULT_BACKOFF,
  ) {
    this.attempts = this.connectUntilDone(url, connect, backoff);
  }

  /** Readiness: undefined once connected, else why not. */
  notReadyReason(): string | undefined {
    return this.connected ? undefined : `MongoDB not reachable yet: ${this.lastError}`;
  }

  async findByName(name: string): Promise<User | null> {
    return this.repository().findByName(name);
  }

  async create(name: string): Promise<CreateResult> {
    return this.repository().create(name);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stop.abort();
    await this.attempts;
    await this.connected?.close();
  }

  private repository(): MongoUserRepository {
    if (!this.connected) throw new HttpError(503, this.notReadyReason()!);
    return this.connected;
  }

  private async connectUntilDone(url: string, connect: Connect, backoff: Backoff): Promise<void> {
    for (let attempt = 1, waitMs = backoff.firstMs; !this.closed; attempt++, waitMs = Math.min(waitMs * 2, backoff.maxMs)) {
      try {
        const repository = await connect(url);
        if (this.closed) return void (await repository.close());
        this.connected = repository;
        this.logger.info({ attempt }, 'connected to MongoDB');
        return;
      } catch (error) {
        this.lastError = (error as Error).message;
        this.logger.warn({ attempt, retryInMs: waitMs, error: this.lastError }, 'MongoDB not reachable yet');
      }
      await sleep(waitMs, undefined, { signal: this.stop.signal }).catch(() => undefined);
    }
  }
}
