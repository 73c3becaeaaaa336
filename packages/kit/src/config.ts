import { z } from 'zod';

/** The versions a service image can run as (APP_VERSION); each service says in one table what each version does. */
export const APP_VERSIONS = ['v1', 'v2', 'v3'] as const;
export type AppVersion = (typeof APP_VERSIONS)[number];

/** Settings every service reads from its environment. */
export const baseConfigShape = {
  SERVICE_NAME: z.string().min(1),
  PORT: z.coerce.number().int().min(0).max(65535).default(7000),
  HOST: z.string().min(1).default('0.0.0.0'),
  APP_VERSION: z.enum(APP_VERSIONS).default('v1'),
  LATENCY_MS: z.coerce.number().int().min(0).max(60_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * How long a stopping service keeps accepting and serving (each answer with `Connection: close`, readiness 503)
   * before it closes its listener: requests routed to it before its callers see it leave the endpoints are served,
   * not refused (the accept-while-draining window Kubernetes recommends; kube-apiserver's --shutdown-delay-duration).
   */
  SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).default(1_000),
  /** How long a SIGTERM waits for in-flight requests, after the shutdown delay, before closing what is left. */
  DRAIN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  /** Default per-call timeout of outbound requests; a client may choose a shorter one. */
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(1).default(2_000),
  POD_NAMESPACE: z.string().default('default'),
  /** Set by the local runtime: outbound calls go to this sidecar listener, which routes by Host. */
  MESH_OUTBOUND_URL: z.url().optional(),
};

const baseConfigSchema = z.object(baseConfigShape);
export type BaseConfig = z.infer<typeof baseConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses the environment once at start-up. `defaults` are the service's own defaults (its name, its simulated
 * latency, its downstream URLs); `extra` adds service-specific variables.
 */
export function loadConfig<Extra extends z.ZodRawShape = {}>(
  defaults: Record<string, string | number>,
  extra?: Extra,
  env: NodeJS.ProcessEnv = process.env,
): BaseConfig & z.infer<z.ZodObject<Extra>> {
  const schema = z.object({ ...baseConfigShape, ...(extra ?? {}) });
  const input: Record<string, unknown> = { ...stringify(defaults) };
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') input[key] = value;
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = issue.path.join('.');
      return `  ${key}=${JSON.stringify(input[key] ?? '')}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration for ${String(input.SERVICE_NAME ?? 'service')}:\n${lines.join('\n')}`);
  }
  return parsed.data as BaseConfig & z.infer<z.ZodObject<Extra>>;
}

function stringify(values: Record<string, string | number>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));
}
