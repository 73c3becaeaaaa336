import { STATUS_CODES } from 'node:http';
import { z } from 'zod';

/**
 * The subset of Istio's networking and security APIs the local runtime implements, field by field. Objects are
 * strict: a field not listed here is one the runtime does not support, and `parseStrict` reports it by name instead of
 * ignoring it.
 */

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/**
 * Istio durations ("1.5s", "300ms") as milliseconds: at least 1ms and in whole milliseconds, as Istio's validation
 * requires (pkg/config/validation/agent ValidateDuration), so `0s` is refused.
 */
export const durationSchema = z
  .string()
  .regex(DURATION, 'must be a duration such as 300ms, 1.5s or 2m')
  .transform((text) => {
    const [, amount, unit] = DURATION.exec(text)!;
    return Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  })
  .refine((ms) => ms >= 1, 'must be at least 1ms (Istio refuses shorter durations)')
  .refine((ms) => Number.isInteger(ms), 'must be in whole milliseconds (Istio refuses finer durations)');

export const stringMatchSchema = z
  .strictObject({ exact: z.string().optional(), prefix: z.string().optional(), regex: z.string().optional() })
  .refine((m) => [m.exact, m.prefix, m.regex].filter((v) => v !== undefined).length <= 1, 'use one of exact, prefix or regex');
export type StringMatch = z.infer<typeof stringMatchSchema>;

const percentSchema = z.strictObject({ value: z.number().min(0).max(100) });

const portSelectorSchema = z.strictObject({ number: z.number().int().min(1).max(65535) });

export const destinationSchema = z.strictObject({
  host: z.string().min(1),
  subset: z.string().optional(),
  port: portSelectorSchema.optional(),
});
export type Destination = z.infer<typeof destinationSchema>;

/**
 * Header names as Istio's validation takes them (pkg/config/validation ValidateHTTPHeaderOperationName and friends):
 * `host`/`:authority` may be set or added (pilot turns that into an authority rewrite), never removed; other
 * pseudo-headers are refused.
 */
function writableHeader(name: string, operation: 'set' | 'add' | 'remove'): boolean {
  const lower = name.toLowerCase();
  if (lower === 'host' || lower === ':authority') return operation !== 'remove';
  return !lower.startsWith(':');
}

const headerOperationsSchema = z
  .strictObject({
    set: z.record(z.string(), z.string()).optional(),
    add: z.record(z.string(), z.string()).optional(),
    remove: z.array(z.string()).optional(),
  })
  .superRefine((operations, ctx) => {
    for (const operation of ['set', 'add'] as const) {
      for (const name of Object.keys(operations[operation] ?? {})) {
        if (!writableHeader(name, operation)) ctx.addIssue({ code: 'custom', path: [operation, name], message: 'is not a header Istio lets you write (pseudo-headers other than :authority are refused)' });
      }
    }
    (operations.remove ?? []).forEach((name, i) => {
      if (!writableHeader(name, 'remove')) ctx.addIssue({ code: 'custom', path: ['remove', i], message: 'is not a header Istio lets you remove (host and pseudo-headers)' });
    });
  });
export type HeaderOperations = z.infer<typeof headerOperationsSchema>;

const headersSchema = z.strictObject({ request: headerOperationsSchema.optional(), response: headerOperationsSchema.optional() });
export type Headers = z.infer<typeof headersSchema>;

export const httpMatchSchema = z.strictObject({
  name: z.string().optional(),
  uri: stringMatchSchema.optional(),
  method: stringMatchSchema.optional(),
  headers: z.record(z.string(), stringMatchSchema).optional(),
  withoutHeaders: z.record(z.string(), stringMatchSchema).optional(),
  queryParams: z.record(z.string(), stringMatchSchema).optional(),
  ignoreUriCase: z.boolean().optional(),
  port: z.number().int().optional(),
  sourceLabels: z.record(z.string(), z.string()).optional(),
  sourceNamespace: z.string().optional(),
  gateways: z.array(z.string()).optional(),
});
export type HttpMatch = z.infer<typeof httpMatchSchema>;

const routeDestinationSchema = z.strictObject({
  destination: destinationSchema,
  /** Relative to the route's other destinations: each gets weight / sum (pilot route.go; Envoy weighted_clusters). */
  weight: z.number().int().min(0).optional(),
  headers: headersSchema.optional(),
});
export type RouteDestination = z.infer<typeof routeDestinationSchema>;

/**
 * The retryOn conditions Istio accepts (pilot validation supportedRetryOnPolicies), besides HTTP status codes.
 * `reset-before-request` is among them but is refused locally: a Node proxy cannot tell whether a reset came before
 * any request byte reached the upstream.
 */
export const RETRY_CONDITIONS = [
  '5xx',
  'gateway-error',
  'reset',
  'connect-failure',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'envoy-ratelimited',
  'http3-post-connect-failure',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
] as const;

const retryOnSchema = z.string().superRefine((list, ctx) => {
  for (const condition of list.split(',')) {
    if (condition === 'reset-before-request') ctx.addIssue({ code: 'custom', message: 'retryOn reset-before-request is not supported by the local runtime' });
    else if (/^\d+$/.test(condition) ? !STATUS_CODES[Number(condition)] : !(RETRY_CONDITIONS as readonly string[]).includes(condition)) {
      ctx.addIssue({ code: 'custom', message: `retryOn ${JSON.stringify(condition)} is not a retry condition Istio accepts (${RETRY_CONDITIONS.join(', ')}, or an HTTP status code; no spaces)` });
    }
  }
});

const retriesSchema = z
  .strictObject({
    attempts: z.number().int().min(0),
    perTryTimeout: durationSchema.optional(),
    retryOn: retryOnSchema.optional(),
  })
  // Istio's ValidateHTTPRetry: with no attempts there is no retry policy, so nothing may configure one.
  .refine((r) => r.attempts > 0 || (r.perTryTimeout === undefined && r.retryOn === undefined), 'attempts 0 takes no perTryTimeout or retryOn (Istio refuses them)');
export type Retries = z.infer<typeof retriesSchema>;

const faultSchema = z.strictObject({
  delay: z.strictObject({ fixedDelay: durationSchema, percentage: percentSchema.optional() }).optional(),
  abort: z.strictObject({ httpStatus: z.number().int().min(200).max(599), percentage: percentSchema.optional() }).optional(),
});
export type Fault = z.infer<typeof faultSchema>;

export const httpRouteSchema = z.strictObject({
  name: z.string().optional(),
  match: z.array(httpMatchSchema).optional(),
  /** Required here: Istio's alternatives (redirect, directResponse, delegate) are not supported locally. */
  route: z
    .array(routeDestinationSchema)
    .default([])
    .refine((route) => route.length > 0, 'needs a route: redirect, directResponse and delegate are not supported by the local runtime'),
  rewrite: z.strictObject({ uri: z.string().optional(), authority: z.string().optional() }).optional(),
  timeout: durationSchema.optional(),
  retries: retriesSchema.optional(),
  fault: faultSchema.optional(),
  mirror: destinationSchema.optional(),
  mirrorPercentage: percentSchema.optional(),
  headers: headersSchema.optional(),
});
/**
 * What only the Gateway API translation puts on a route (Istio gives its VirtualServices these as `redirect`,
 * `directResponse` and `rewrite.uriRegexRewrite`, which the local runtime does not take from users).
 */
export interface GatewayRouteFields {
  /**
   * Envoy's redirect action as pilot builds it (route.go ApplyRedirect): `port` is a number, the port the request
   * came to (`request`), or none, the scheme's default (`protocol`).
   */
  redirect?: { scheme?: string | undefined; authority?: string | undefined; port: number | 'request' | 'protocol'; path?: { full: string } | { prefix: string } | undefined; status: number };
  /** Envoy answers the route itself: 500 for an HTTPRoute rule without a backend of weight above 0. */
  directResponse?: { status: number };
  /** HTTPRoute URLRewrite ReplaceFullPath: the whole path (pilot's uriRegexRewrite `/.*`), query kept. */
  fullPathRewrite?: string;
}
export type HttpRoute = z.infer<typeof httpRouteSchema> & GatewayRouteFields;

export const virtualServiceSpecSchema = z.strictObject({
  hosts: z.array(z.string().min(1)).min(1),
  gateways: z.array(z.string()).optional(),
  http: z.array(httpRouteSchema).default([]),
  exportTo: z.array(z.string()).optional(),
});
export type VirtualServiceSpec = z.infer<typeof virtualServiceSpecSchema>;

export const gatewaySpecSchema = z.strictObject({
  selector: z.record(z.string(), z.string()),
  servers: z
    .array(
      z.strictObject({
        name: z.string().optional(),
        port: z.strictObject({ number: z.number().int(), name: z.string().optional(), protocol: z.enum(['HTTP', 'http']) }),
        hosts: z.array(z.string()).min(1),
      }),
    )
    .min(1),
});
export type GatewaySpec = z.infer<typeof gatewaySpecSchema>;

export const LOAD_BALANCERS = ['ROUND_ROBIN', 'RANDOM', 'LEAST_REQUEST'] as const;

const trafficPolicySchema = z.strictObject({
  loadBalancer: z.strictObject({ simple: z.enum(LOAD_BALANCERS) }).optional(),
  /** Envoy's circuit breaker, approximated: more requests in flight than these allow are refused with 503 (UO). */
  connectionPool: z
    .strictObject({
      tcp: z.strictObject({ maxConnections: z.number().int().min(1).optional() }).optional(),
      http: z
        .strictObject({ http1MaxPendingRequests: z.number().int().min(0).optional(), http2MaxRequests: z.number().int().min(1).optional() })
        .optional(),
    })
    .optional(),
  outlierDetection: z
    .strictObject({
      consecutive5xxErrors: z.number().int().min(0).optional(),
      consecutiveGatewayErrors: z.number().int().min(0).optional(),
      interval: durationSchema.optional(),
      baseEjectionTime: durationSchema.optional(),
      maxEjectionPercent: z.number().int().min(0).max(100).optional(),
      /** Envoy's panic threshold: below this share of healthy endpoints, all of them are used. 0 (default): never. */
      minHealthPercent: z.number().int().min(0).max(100).optional(),
    })
    .optional(),
});
export type TrafficPolicy = z.infer<typeof trafficPolicySchema>;

export const destinationRuleSpecSchema = z.strictObject({
  host: z.string().min(1),
  trafficPolicy: trafficPolicySchema.optional(),
  subsets: z
    .array(z.strictObject({ name: z.string().min(1), labels: z.record(z.string(), z.string()).default({}), trafficPolicy: trafficPolicySchema.optional() }))
    .default([]),
  exportTo: z.array(z.string()).optional(),
});
export type DestinationRuleSpec = z.infer<typeof destinationRuleSpecSchema>;

const stringList = z.array(z.string()).optional();

/** The `when` keys the local runtime can evaluate for a request between workloads (Istio's condition keys). */
export const WHEN_KEYS = /^(request\.headers\[[^\]]+\]|source\.namespace|source\.principal|request\.auth\.(principal|audiences|presenter|claims\[[^\]]+\]))$/;

export const authorizationPolicySpecSchema = z
  .strictObject({
    selector: z.strictObject({ matchLabels: z.record(z.string(), z.string()) }).optional(),
    /** AUDIT only marks requests for logging; it never changes an outcome (Envoy RBAC action LOG). */
    action: z.enum(['ALLOW', 'DENY', 'AUDIT', 'CUSTOM']).default('ALLOW'),
    rules: z
      .array(
        z.strictObject({
          from: z
            .array(
              z.strictObject({
                source: z.strictObject({
                  namespaces: stringList,
                  notNamespaces: stringList,
                  principals: stringList,
                  notPrincipals: stringList,
                  requestPrincipals: stringList,
                  notRequestPrincipals: stringList,
                }),
              }),
            )
            .optional(),
          to: z
            .array(
              z.strictObject({
                operation: z.strictObject({ hosts: stringList, notHosts: stringList, paths: stringList, notPaths: stringList, methods: stringList, notMethods: stringList }),
              }),
            )
            .optional(),
          when: z
            .array(
              z.strictObject({
                key: z.string().regex(WHEN_KEYS, 'is a condition key the local runtime does not evaluate (source.ip, remote.ip, destination.*, connection.sni and experimental keys are cluster-only)'),
                values: stringList,
                notValues: stringList,
              }),
            )
            .optional(),
        }),
      )
      .optional(),
  })
  .superRefine((spec, ctx) => {
    // Istio's ValidateAuthorizationPolicy: empty sources, operations and conditions, and empty strings, are refused.
    const emptyStrings = (list: string[] | undefined) => (list ?? []).some((value) => value === '');
    (spec.rules ?? []).forEach((rule, r) => {
      rule.from?.forEach(({ source }, i) => {
        if (Object.values(source).every((list) => (list ?? []).length === 0)) ctx.addIssue({ code: 'custom', path: ['rules', r, 'from', i, 'source'], message: 'must not be empty' });
        if (Object.values(source).some(emptyStrings)) ctx.addIssue({ code: 'custom', path: ['rules', r, 'from', i, 'source'], message: 'must not hold an empty string' });
      });
      rule.to?.forEach(({ operation }, i) => {
        if (Object.values(operation).every((list) => (list ?? []).length === 0)) ctx.addIssue({ code: 'custom', path: ['rules', r, 'to', i, 'operation'], message: 'must not be empty' });
        if (Object.values(operation).some(emptyStrings)) ctx.addIssue({ code: 'custom', path: ['rules', r, 'to', i, 'operation'], message: 'must not hold an empty string' });
        if ([...(operation.paths ?? []), ...(operation.notPaths ?? [])].some((path) => /\{\*\*?\}/.test(path))) {
          ctx.addIssue({ code: 'custom', path: ['rules', r, 'to', i, 'operation', 'paths'], message: 'path templates ({*}, {**}) are not supported by the local runtime' });
        }
      });
      rule.when?.forEach((condition, i) => {
        if ((condition.values ?? []).length === 0 && (condition.notValues ?? []).length === 0) ctx.addIssue({ code: 'custom', path: ['rules', r, 'when', i], message: 'needs values or notValues' });
      });
    });
    if (spec.action === 'CUSTOM') ctx.addIssue({ code: 'custom', path: ['action'], message: 'CUSTOM needs an extension provider (ext_authz), which the local runtime does not have' });
    // Istio's ValidateAuthorizationPolicy: "DENY action without rules is meaningless".
    if (spec.action === 'DENY' && (spec.rules ?? []).length === 0) ctx.addIssue({ code: 'custom', path: ['rules'], message: 'a DENY policy needs rules (Istio refuses one without)' });
  });
export type AuthorizationPolicySpec = z.infer<typeof authorizationPolicySpecSchema>;

/**
 * PeerAuthentication: every caller of the local mesh is a workload with a sidecar, which sends mTLS under STRICT and
 * PERMISSIVE alike (auto mTLS), so those two look the same; under DISABLE it sends plain text and the destination
 * knows no caller identity (pilot authn policy_applier.go, xds/endpoints/mtls_checker.go).
 */
export const peerAuthenticationSpecSchema = z.strictObject({
  selector: z.strictObject({ matchLabels: z.record(z.string(), z.string()) }).optional(),
  mtls: z.strictObject({ mode: z.enum(['STRICT', 'PERMISSIVE', 'DISABLE', 'UNSET']) }).optional(),
});
export type PeerAuthenticationSpec = z.infer<typeof peerAuthenticationSpecSchema>;


