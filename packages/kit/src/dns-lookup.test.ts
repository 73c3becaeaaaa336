import type { LookupAddress } from 'node:dns';
import type { Resolver } from 'node:dns/promises';
import { describe, expect, it } from 'vitest';
import { eventLoopLookup } from './dns-lookup.js';

function dnsError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`query ${code}`), { code });
}

/** A resolver answering from a table; a string is the error code that query fails with. */
function fakeResolver(answers: { v4: string[] | string; v6: string[] | string }, asked: string[] = []): Resolver {
  const answer = (family: 'v4' | 'v6') => async (hostname: string) => {
    asked.push(`${family} ${hostname}`);
    const value = answers[family];
    if (typeof value === 'string') throw dnsError(value);
    return value;
  };
  return { resolve4: answer('v4'), resolve6: answer('v6') } as unknown as Resolver;
}

function lookupWith(resolver: Resolver, hostname: string, options: { family?: number; all?: boolean }) {
  return new Promise<{ error: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family: number | undefined }>((resolve) =>
    eventLoopLookup(resolver)(hostname, options, (error, address, family) => resolve({ error, address, family })),
  );
}

describe('eventLoopLookup', () => {
  it('answers with the first address DNS gives, IPv4 first, as net.connect asks for one', async () => {
    const result = await lookupWith(fakeResolver({ v4: ['10.0.0.7'], v6: ['fd00::7'] }), 'jaeger-collector.observability', {});
    expect(result).toEqual({ error: null, address: '10.0.0.7', family: 4 });
  });

  it('answers every address of both families when asked for all (happy eyeballs)', async () => {
    const result = await lookupWith(fakeResolver({ v4: ['10.0.0.7'], v6: ['fd00::7'] }), 'collector', { all: true });
    expect(result.address).toEqual([
      { address: '10.0.0.7', family: 4 },
      { address: 'fd00::7', family: 6 },
    ]);
  });

  it('asks only for the family requested', async () => {
    const asked: string[] = [];
    await lookupWith(fakeResolver({ v4: ['10.0.0.7'], v6: ['fd00::7'] }, asked), 'collector', { family: 4 });
    expect(asked).toEqual(['v4 collector']);
  });

  it('uses an IPv6-only answer when there is no A record', async () => {
    const result = await lookupWith(fakeResolver({ v4: 'ENODATA', v6: ['fd00::7'] }), 'collector', {});
    expect(result).toEqual({ error: null, address: 'fd00::7', family: 6 });
  });

  it('fails with the DNS error when the server does not answer, without a thread-pool lookup', async () => {
    // `localhost` would resolve through the system lookup: an answer would mean the fallback ran.
    const result = await lookupWith(fakeResolver({ v4: 'ETIMEOUT', v6: 'ETIMEOUT' }), 'localhost', {});
    expect(result.error?.code).toBe('ETIMEOUT');
  });

  it('falls back to the system lookup for a name DNS does not know (/etc/hosts)', async () => {
    const result = await lookupWith(fakeResolver({ v4: 'ENOTFOUND', v6: 'ENOTFOUND' }), 'localhost', { family: 4 });
    expect(result).toEqual({ error: null, address: '127.0.0.1', family: 4 });
  });
});

describe('eventLoopLookup, by family and failure', () => {
  it('asks only for IPv6 when net.connect names the family as a number or a string', async () => {
    for (const family of [6, 'IPv6'] as const) {
      const asked: string[] = [];
      const result = await lookupWith(fakeResolver({ v4: ['10.0.0.7'], v6: ['fd00::7'] }, asked), 'collector', { family: family as number });
      expect(asked).toEqual(['v6 collector']);
      expect(result).toEqual({ error: null, address: 'fd00::7', family: 6 });
    }
  });

  it('asks only for IPv4 when the family is the string IPv4', async () => {
    const asked: string[] = [];
    await lookupWith(fakeResolver({ v4: ['10.0.0.7'], v6: ['fd00::7'] }, asked), 'collector', { family: 'IPv4' as unknown as number });
    expect(asked).toEqual(['v4 collector']);
  });

  it('fails with the first failure that is not "no such name", an empty address or list', async () => {
    const one = await lookupWith(fakeResolver({ v4: 'ENOTFOUND', v6: 'ECONNREFUSED' }), 'collector', {});
    expect(one.error?.code).toBe('ECONNREFUSED');
    expect(one.address).toBe('');
    const all = await lookupWith(fakeResolver({ v4: 'ESERVFAIL', v6: 'ETIMEOUT' }), 'collector', { all: true });
    expect(all.error?.code).toBe('ESERVFAIL');
    expect(all.address).toEqual([]);
  });

  it('falls back to the system lookup when DNS has no record, or no address, of either family', async () => {
    for (const answers of [{ v4: 'ENODATA', v6: 'ENOTFOUND' }, { v4: [], v6: [] }] as const) {
      const result = await lookupWith(fakeResolver(answers as { v4: string[] | string; v6: string[] | string }), 'localhost', { family: 4, all: true });
      expect(result).toMatchObject({ error: null, address: [{ address: '127.0.0.1', family: 4 }] });
    }
  });
});
