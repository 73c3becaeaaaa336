import { lookup as systemLookup, type LookupAddress, type LookupAllOptions, type LookupOptions } from 'node:dns';
import { Resolver } from 'node:dns/promises';

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
export type Lookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

/** What DNS itself says does not exist: the name may still be the machine's (/etc/hosts), which only getaddrinfo reads. */
const NOT_IN_DNS = new Set(['ENOTFOUND', 'ENODATA']);

/**
 * A `lookup` for net.connect that asks DNS through c-ares, on the event loop, instead of getaddrinfo on libuv's thread
 * pool (four threads). With cluster DNS not answering, getaddrinfo calls sit there for ten seconds each: they queue
 * every other lookup and file operation behind them, and process.exit joins that pool, so one in flight holds a
 * stopping pod past its grace period; a c-ares query is dropped at exit. A name DNS does not know (`localhost`,
 * /etc/hosts entries) falls back to the system lookup.
 */
export function eventLoopLookup(resolver: Resolver = new Resolver({ timeout: 2_000, tries: 2 })): Lookup {
  return (hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : (options.family ?? 0);
    const queries = [family === 6 ? Promise.resolve([]) : resolver.resolve4(hostname), family === 4 ? Promise.resolve([]) : resolver.resolve6(hostname)];
    void Promise.allSettled(queries).then(([v4, v6]) => {
      const addresses: LookupAddress[] = [
        ...(v4!.status === 'fulfilled' ? v4!.value.map((address) => ({ address, family: 4 })) : []),
        ...(v6!.status === 'fulfilled' ? v6!.value.map((address) => ({ address, family: 6 })) : []),
      ];
      if (addresses.length > 0) {
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
        return;
      }
      const errors = [v4, v6].flatMap((r) => (r!.status === 'rejected' ? [r!.reason as NodeJS.ErrnoException] : []));
      // Stryker disable next-line StringLiteral: any stand-in for a missing code is, like '', not in NOT_IN_DNS: the same failure is found
      const failure = errors.find((e) => !NOT_IN_DNS.has(e.code ?? ''));
      if (failure) callback(failure, options.all ? [] : '');
      else systemLookup(hostname, options as LookupAllOptions, callback as never);
    });
  };
}
