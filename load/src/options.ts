import { InvalidArgumentError } from 'commander';

export interface UserShare {
  /** `guest` loads the page without logging in. */
  name: string;
  weight: number;
}

/** `guest:70,jason:15,fox:15` → shares; names as the mall accepts them, weights positive. */
export function parseUsers(value: string): UserShare[] {
  const shares = value.split(',').map((part) => {
    const match = /^([a-z0-9_-]{1,32}):(\d+(?:\.\d+)?)$/.exec(part.trim());
    if (!match || Number(match[2]) <= 0) throw new InvalidArgumentError(`"${part}" is not name:weight (e.g. guest:70,jason:15,fox:15)`);
    return { name: match[1]!, weight: Number(match[2]) };
  });
  if (new Set(shares.map((s) => s.name)).size !== shares.length) throw new InvalidArgumentError('a user is named twice');
  return shares;
}

/** `30s`, `2m`, `500ms` → milliseconds, at most an hour. */
export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(value);
  if (!match) throw new InvalidArgumentError('must be a duration such as 30s, 2m or 500ms');
  const ms = Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[match[2] as 'ms' | 's' | 'm'];
  if (ms <= 0 || ms > 3_600_000) throw new InvalidArgumentError('must be between 1 ms and 1 hour');
  return ms;
}

export function parseRate(value: string): number {
  const rate = Number(value);
  if (!Number.isFinite(rate) || rate <= 0 || rate > 20_000) throw new InvalidArgumentError('must be requests per second, 0 < rate ≤ 20000');
  return rate;
}

/** Smooth weighted round-robin: the mix is exact over every run of requests, and the same for every run. */
export function userSchedule(shares: UserShare[]): () => UserShare {
  const current = shares.map(() => 0);
  const total = shares.reduce((sum, s) => sum + s.weight, 0);
  return () => {
    let best = 0;
    shares.forEach((share, i) => {
      current[i]! += share.weight;
      if (current[i]! > current[best]!) best = i;
    });
    current[best]! -= total;
    return shares[best]!;
  };
}
