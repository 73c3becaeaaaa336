import { Agent, request } from 'undici';

export interface TrafficFigures {
  sent: number;
  failed: number;
  /** Why each failed request failed, counted: `status 503`, `unavailable recommend`, `ECONNRESET`… */
  failures: Record<string, number>;
  versions: Record<string, number>;
  p99Ms: number;
}

export interface Traffic {
  /** Resolves once at least `count` more pages have answered. */
  pages(count: number): Promise<void>;
  stop(): Promise<TrafficFigures>;
}

/**
 * Keeps loading the mall's page, `concurrency` shoppers at a time, until stopped. A page fails if it is not a 200, if
 * the connection breaks, or if any of its sections is marked unavailable: a rollout that costs a section is a failure too.
 */
export function keepLoading(gateway: string, options: { concurrency: number; users?: string[] }): Traffic {
  const agent = new Agent({ connections: options.concurrency });
  const users = options.users ?? [''];
  const durations: number[] = [];
  const figures: TrafficFigures = { sent: 0, failed: 0, failures: {}, versions: {}, p99Ms: 0 };
  const waiters: { until: number; resolve: () => void }[] = [];
  let stopped = false;
  let answered = 0;

  const fail = (why: string) => {
    figures.failed++;
    figures.failures[why] = (figures.failures[why] ?? 0) + 1;
  };
  const once = async (user: string) => {
    figures.sent++;
    const started = performance.now();
    try {
      const response = await request(`${gateway}/api/mall`, { dispatcher: agent, headers: user ? { cookie: `user=${user}` } : {} });
      const text = await response.body.text();
      if (response.statusCode !== 200) return fail(`status ${response.statusCode}`);
      const view = JSON.parse(text) as { meta: { version: string; unavailable: string[] } };
      if (view.meta.unavailable.length > 0) return fail(`unavailable ${view.meta.unavailable.join('+')}`);
      figures.versions[view.meta.version] = (figures.versions[view.meta.version] ?? 0) + 1;
    } catch (error) {
      fail((error as { code?: string }).code ?? (error as Error).message);
    } finally {
      durations.push(performance.now() - started);
      answered++;
      for (const waiter of waiters.filter((w) => answered >= w.until)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const running = Promise.all(
    Array.from({ length: options.concurrency }, async (_, worker) => {
      for (let i = worker; !stopped; i += options.concurrency) await once(users[i % users.length]!);
    }),
  );

  return {
    pages: (count) => new Promise((resolve) => waiters.push({ until: answered + count, resolve })),
    stop: async () => {
      stopped = true;
      await running;
      await agent.close();
      const sorted = durations.sort((a, b) => a - b);
      figures.p99Ms = Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0);
      return figures;
    },
  };
}
