import { basename, dirname } from 'node:path';

/** The service a process runs, by its entry's folder: services/<name>/dist/main.js → <name>. */
export function serviceFolder(entry: string | undefined = process.argv[1]): string | undefined {
  return entry ? basename(dirname(dirname(entry))) || undefined : undefined;
}
