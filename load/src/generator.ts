import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { userSchedule, type UserShare } from './options.js';

export interface LoadOptions {
  target: string;
  users: UserShare[];
  rate: number;
  durationMs: number;
  /** Prefix of every request's x-request-id, so the server's access log can be matched to this run. */
  runId: string;
  timeoutMs?: number;
  onTick?: (progress: Progress) => void;
}

export type ErrorKind = 'timeout' | 'connect' | 'http-4xx' | 'http-5xx' | 'invalid-body' | 'overload';

export interface Sample {
  /** When the request was due, ms after the start: latency counts from here, not from when it was sent. */
  dueMs: number;
  latencyMs: number;
  user: string;
  version: string | undefined;
  error: ErrorKind | undefined;
}

export interface Progress {
  elapsedMs: number;
  sent: number;
  done: number;
  errors: number;
}

/** More in flight than this and the generator itself would be the bottleneck: such requests count as `overload`. */
const MAX_IN_FLIGHT = 4000;

/**
 * An open-model load: request i is due at i/rate seconds, whether or not earlier ones have answered, so a slow
 * server cannot slow the generator down and hide its own latency (no coordinated omission). Each virtual user logs
 * in once; requests are shared among users by weight.
 */
export async function runLoad(options: LoadOptions): Promise<{ samples: Sample[]; elapsedMs: number }> {
  const agent = new Agent({ connections: 512, keepAliveTimeout: 10_000 });
  const cookies = await logIn(options.target, options.users, agent);
  const pick = userSchedule(options.users);
  const total = Math.max(1, Math.round((options.rate * options.durationMs) / 1000));
  const interval = 1000 / options.rate;
  const samples: Sample[] = [];
  const pending = new Set<Promise<void>>();
  let sent = 0;
  const start = performance.now();
  const ticker = setInterval(() => options.onTick?.({ elapsedMs: performance.now() - start, sent, done: samples.length, errors: samples.filter((s) => s.error).length }), 1000);

  const one = async (index: number, dueMs: number, user: UserShare) => {
    const headers: Record<string, string> = { 'x-request-id': `${options.runId}-${index}`, accept: 'application/json' };
    const cookie = cookies.get(user.name);
    if (cookie) headers.cookie = cookie;
    let version: string | undefined;
    let error: ErrorKind | undefined;
    try {
      const response = await request(`${options.target}/api/mall`, { dispatcher: agent, headers, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
      const text = await response.body.text();
      if (response.statusCode >= 500) error = 'http-5xx';
      else if (response.statusCode >= 400) error = 'http-4xx';
      else {
        try {
          version = (JSON.parse(text) as { meta?: { version?: string } }).meta?.version;
          if (!version) error = 'invalid-body';
        } catch {
          error = 'invalid-body';
        }
      }
    } catch (e) {
      error = (e as Error).name === 'TimeoutError' ? 'timeout' : 'connect';
    }
    samples.push({ dueMs, latencyMs: performance.now() - start - dueMs, user: user.name, version, error });
  };

  for (let index = 0; index < total; index++) {
    const dueMs = index * interval;
    const wait = start + dueMs - performance.now();
    if (wait > 1) await sleep(wait);
    const user = pick();
    sent++;
    if (pending.size >= MAX_IN_FLIGHT) {
      samples.push({ dueMs, latencyMs: 0, user: user.name, version: undefined, error: 'overload' });
      continue;
    }
    const promise = one(index, dueMs, user).finally(() => pending.delete(promise));
    pending.add(promise);
  }
  await Promise.all(pending);
  clearInterval(ticker);
  const elapsedMs = performance.now() - start;
  await agent.close();
  return { samples: samples.sort((a, b) => a.dueMs - b.dueMs), elapsedMs };
}

/** Logs each named user in through the mall, as the page does, and keeps the cookie it sets. */
async function logIn(target: string, users: UserShare[], agent: Agent): Promise<Map<string, string>> {
  const cookies = new Map<string, string>();
  for (const { name } of users) {
    if (name === 'guest') continue;
    let response;
    try {
      response = await request(`${target}/api/login`, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new Error(`cannot reach ${target}: ${(error as Error).message}`);
    }
    await response.body.dump();
    const setCookie = [response.headers['set-cookie'] ?? []].flat().find((c) => String(c).startsWith('user='));
    if (response.statusCode !== 200 || !setCookie) throw new Error(`login as ${name} at ${target} answered ${response.statusCode}`);
    cookies.set(name, String(setCookie).split(';')[0]!);
  }
  return cookies;
}
