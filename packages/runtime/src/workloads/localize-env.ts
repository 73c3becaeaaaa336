import type { ServiceTarget } from '../k8s/service-registry.js';

/** A URL's host[:port], past any `user:password@` (a URL built from a Secret by `$(VAR)` expansion carries one). */
const URL_HOST = /^[a-z][a-z\d+.-]*:\/\/(?:[^@/]*@)?([^/:?#]+(?::\d+)?)/i;

export interface LocalizeOptions {
  /** Replaces MONGO_URL, for someone with a MongoDB of their own. */
  mongoUrl?: string | undefined;
  /** Which Service a host names, resolved from the pod's namespace as its DNS search path would. */
  resolveHost: (host: string) => ServiceTarget | undefined;
  /** Whether every workload behind a Service is one the runtime does not run (MongoDB). */
  notRunLocally: (target: ServiceTarget) => boolean;
}

/**
 * Settings that point at something not run here would only fail: a URL to a Service backed by a foreign workload
 * (MONGO_URL → MongoDB) is dropped, so the service falls back to what it can do alone (users' embedded store),
 * unless the user gave a MongoDB of their own. Runs on the environment as the kubelet made it (expanded).
 */
export function localizeEnv(env: Record<string, string>, options: LocalizeOptions): { env: Record<string, string>; notes: string[] } {
  const result = { ...env };
  const notes: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (name === 'MONGO_URL' && options.mongoUrl) {
      result[name] = options.mongoUrl;
      continue;
    }
    const host = URL_HOST.exec(value)?.[1];
    const target = host ? options.resolveHost(host) : undefined;
    if (target && options.notRunLocally(target)) {
      delete result[name];
      notes.push(`${name} points at ${target.fqdn}, which is not run locally; leaving it unset`);
    }
  }
  return { env: result, notes };
}
