import { availableParallelism } from 'node:os';

/**
 * How many pod processes the local kubelet starts at a time: one per core. A Node service spends its first second or
 * two compiling and loading; a hundred of them at once would take every core from the pods already serving.
 */
export const DEFAULT_START_SLOTS = availableParallelism();

/** A counting semaphore: `run` waits for a free slot, holds it while the work runs, and frees it after. */
export class StartSlots {
  private inUse = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.inUse >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.inUse++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so a newcomer cannot take it in between.
      if (next) next();
      else this.inUse--;
    }
  }
}
