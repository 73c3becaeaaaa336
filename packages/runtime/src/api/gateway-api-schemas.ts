import { z } from 'zod';
import { labels } from './metadata.js';

/**
 * The subset of the Kubernetes Gateway API (gateway.networking.k8s.io, v1.2) the local runtime implements, field by
 * field, with the defaults the API server fills in from the CRDs' schemas. Objects are strict: a field not listed is
 * one the runtime does not support, and apply refuses it by name. The rules the CRDs' CEL validations enforce are
 * refinements here, with their messages.
 */

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/** GEP-2257 durations (`1h30m`, `500ms`), as milliseconds; `0s` is zero, which disables a timeout. */
const DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
const durationSchema = z
  .string()
  .regex(DURATION, 'must be a Gateway API duration such as 500ms, 10s or 1h30m')
  .transform((text) => [...text.matchAll(/([0-9]+)(h|ms|m|s)/g)].reduce((total, [, amount, unit]) => total + Number(amount) * UNIT_MS[unit!]!, 0));

/** The CRDs' hostname pattern: a DNS name, optionally with one leading `*.` label; no IP address, no port. */
const hostnameSchema = z
  .string()
  .regex(/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'must be a lower-case DNS name, optionally with a leading *. label');

/** The CRDs' PreciseHostname (a redirect's or rewrite's host): a DNS name, no wildcard. */
const preciseHostnameSchema = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'must be a lower-case DNS name without a wildcard');

/** The CRDs' listType=map: each name once. */
const uniqueNames = (list: { name: string }[] | undefined, ctx: z.RefinementCtx, field: string, what: string) =>
  (list ?? []).forEach((item, i) => {
    if ((list ?? []).findIndex((other) => other.name === item.name) !== i) ctx.addIssue({ code: 'custom', path: [field, i, 'name'], message: `Duplicate value: ${what} ${JSON.stringify(item.name)}` });
  });

const sectionName = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'must be a DNS-1123 subdomain');
const portNumber = z.number().int().min(1).max(65535);

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/, 'must be an HTTP header name');
const headerList = z.array(z.strictObject({ name: headerName, value: z.string().max(4096) })).max(16);
const headerModifierSchema = z
  .strictObject({ set: headerList.optional(), add: headerList.optional(), remove: z.array(z.string()).max(16).optional() })
  .superRefine((m, ctx) => {
    uniqueNames(m.set, ctx, 'set', 'header');
    uniqueNames(m.add, ctx, 'add', 'header');
  });
export type HeaderModifier = z.infer<typeof headerModifierSchema>;

const pathModifierSchema = z
  .strictObject({ type: z.enum(['ReplaceFullPath', 'ReplacePrefixMatch']), replaceFullPath: z.string().optional(), replacePrefixMatch: z.string().optional() })
  // The CRD's CEL rules.
  .refine((p) => (p.type === 'ReplaceFullPath') === (p.replaceFullPath !== undefined), 'replaceFullPath must be specified when type is set to ReplaceFullPath, and only then')
  .refine((p) => (p.type === 'ReplacePrefixMatch') === (p.replacePrefixMatch !== undefined), 'replacePrefixMatch must be specified when type is set to ReplacePrefixMatch, and only then');
export type PathModifier = z.infer<typeof pathModifierSchema>;

/** A reference to a backend: a Service (group "", kind Service) unless said otherwise. */
const backendObjectReference = {
  group: z.string().default(''),
  kind: z.string().default('Service'),
  name: z.string().min(1),
  namespace: z.string().optional(),
  port: portNumber.optional(),
};
/** The CRD's rule on a backend reference, and Istio's Hostname kind, which names a Service by host (not read locally). */
const backendReferenceRules = (ref: { group: string; kind: string; port?: number | undefined }, ctx: z.RefinementCtx) => {
  if (ref.group === '' && ref.kind === 'Service' && ref.port === undefined) ctx.addIssue({ code: 'custom', message: 'Must have port for Service reference' });
  if (ref.group === 'networking.istio.io' && ref.kind === 'Hostname') ctx.addIssue({ code: 'custom', path: ['kind'], message: "Istio's Hostname backends are not supported by the local runtime (name the Service instead)" });
};

const filterSchema = z
  .strictObject({
    type: z.enum(['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect', 'URLRewrite', 'RequestMirror', 'ExtensionRef'], {
      error: 'is a filter type the local runtime does not support (it has RequestHeaderModifier, ResponseHeaderModifier, RequestRedirect, URLRewrite, RequestMirror and ExtensionRef; CORS is cluster-only)',
    }),
    requestHeaderModifier: headerModifierSchema.optional(),
    responseHeaderModifier: headerModifierSchema.optional(),
    requestRedirect: z
      .strictObject({
        scheme: z.enum(['http', 'https']).optional(),
        hostname: preciseHostnameSchema.optional(),
        path: pathModifierSchema.optional(),
        port: portNumber.optional(),
        statusCode: z.union([z.literal(301), z.literal(302)]).default(302),
      })
      .optional(),
    urlRewrite: z.strictObject({ hostname: preciseHostnameSchema.optional(), path: pathModifierSchema.optional() }).optional(),
    requestMirror: z.strictObject({ backendRef: z.strictObject(backendObjectReference).superRefine(backendReferenceRules), percent: z.number().int().min(0).max(100).optional() }).optional(),
    extensionRef: z.strictObject({ group: z.string(), kind: z.string().min(1), name: z.string().min(1) }).optional(),
  })
  .superRefine((filter, ctx) => {
    // The CRD's CEL rules: the field named by `type` is set, and no other.
    const fields = { RequestHeaderModifier: 'requestHeaderModifier', ResponseHeaderModifier: 'responseHeaderModifier', RequestRedirect: 'requestRedirect', URLRewrite: 'urlRewrite', RequestMirror: 'requestMirror', ExtensionRef: 'extensionRef' } as const;
    for (const [type, field] of Object.entries(fields)) {
      const present = filter[field] !== undefined;
      if (present !== (filter.type === type)) ctx.addIssue({ code: 'custom', path: [field], message: `filter.${field} must be ${present ? 'nil if the filter.type is not' : 'specified for'} ${type}` });
    }
  });
export type RouteFilter = z.infer<typeof filterSchema>;

const pathMatchSchema = z
  .strictObject({ type: z.enum(['Exact', 'PathPrefix', 'RegularExpression']).default('PathPrefix'), value: z.string().max(1024).default('/') })
  .superRefine(({ type, value }, ctx) => {
    if (type === 'RegularExpression') return;
    // The CRD's CEL rules on an Exact or PathPrefix value, with its messages.
    const rules: [boolean, string][] = [
      [value.startsWith('/'), "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']"],
      [!value.includes('//'), "must not contain '//' when type one of ['Exact', 'PathPrefix']"],
      [!value.includes('/./'), "must not contain '/./' when type one of ['Exact', 'PathPrefix']"],
      [!value.includes('/../'), "must not contain '/../' when type one of ['Exact', 'PathPrefix']"],
      [!value.includes('%2f'), "must not contain '%2f' when type one of ['Exact', 'PathPrefix']"],
      [!value.includes('%2F'), "must not contain '%2F' when type one of ['Exact', 'PathPrefix']"],
      [!value.includes('#'), "must not contain '#' when type one of ['Exact', 'PathPrefix']"],
      [!value.endsWith('/..'), "must not end with '/..' when type one of ['Exact', 'PathPrefix']"],
      [!value.endsWith('/.'), "must not end with '/.' when type one of ['Exact', 'PathPrefix']"],
      [/^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$/.test(value), "must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types ['Exact', 'PathPrefix']"],
    ];
    for (const [holds, message] of rules) if (!holds) ctx.addIssue({ code: 'custom', path: ['value'], message });
  });
const valueMatch = z.strictObject({ type: z.enum(['Exact', 'RegularExpression']).default('Exact'), name: z.string().min(1), value: z.string().min(1).max(4096) });

const matchSchema = z
  .strictObject({
    // The CRD's default: a match with no path matches every path.
    path: pathMatchSchema.default({ type: 'PathPrefix', value: '/' }),
    headers: z.array(valueMatch.extend({ name: headerName })).max(16).optional(),
    queryParams: z.array(valueMatch).max(16).optional(),
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']).optional(),
  })
  .superRefine((m, ctx) => {
    uniqueNames(m.headers, ctx, 'headers', 'header');
    uniqueNames(m.queryParams, ctx, 'queryParams', 'query parameter');
  });
export type RouteMatch = z.infer<typeof matchSchema>;

const backendRefSchema = z.strictObject({ ...backendObjectReference, weight: z.number().int().min(0).max(1_000_000).default(1), filters: z.array(filterSchema).optional() }).superRefine(backendReferenceRules);
export type BackendRef = z.infer<typeof backendRefSchema>;

const ruleSchema = z
  .strictObject({
    name: sectionName.optional(),
    // The CRD's default: a rule with no matches matches every request.
    matches: z.array(matchSchema).max(64).default([{ path: { type: 'PathPrefix', value: '/' } }]),
    filters: z.array(filterSchema).max(16).optional(),
    backendRefs: z.array(backendRefSchema).max(16).optional(),
    timeouts: z.strictObject({ request: durationSchema.optional(), backendRequest: durationSchema.optional() }).optional(),
  })
  .superRefine((rule, ctx) => {
    // The CRD's CEL rules on filters and timeouts.
    const filters = rule.filters ?? [];
    const count = (type: RouteFilter['type']) => filters.filter((f) => f.type === type).length;
    if (count('RequestRedirect') > 0 && (rule.backendRefs ?? []).length > 0) ctx.addIssue({ code: 'custom', message: 'RequestRedirect filter must not be used together with backendRefs' });
    // Istio mirrors to each of several; the local proxy sends one copy per request.
    if (count('RequestMirror') > 1) ctx.addIssue({ code: 'custom', path: ['filters'], message: 'a second RequestMirror filter in a rule is not supported by the local runtime (valid on a cluster)' });
    if (count('RequestRedirect') > 0 && count('URLRewrite') > 0) ctx.addIssue({ code: 'custom', path: ['filters'], message: 'May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both' });
    for (const type of ['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect', 'URLRewrite'] as const) {
      if (count(type) > 1) ctx.addIssue({ code: 'custom', path: ['filters'], message: `${type} filter cannot be repeated` });
    }
    if (rule.timeouts?.request && rule.timeouts.backendRequest && rule.timeouts.backendRequest > rule.timeouts.request) {
      ctx.addIssue({ code: 'custom', path: ['timeouts'], message: 'backendRequest timeout cannot be longer than request timeout' });
    }
    const prefixOnly = rule.matches.length === 1 && rule.matches[0]!.path.type === 'PathPrefix';
    for (const filter of filters) {
      const path = filter.urlRewrite?.path ?? filter.requestRedirect?.path;
      if (path?.type === 'ReplacePrefixMatch' && !prefixOnly) {
        ctx.addIssue({ code: 'custom', path: ['filters'], message: 'When using URLRewrite or RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified' });
      }
    }
  });
export type RouteRule = z.infer<typeof ruleSchema>;

/** A route's parent: a Gateway unless said otherwise (group gateway.networking.k8s.io), or a Service for mesh traffic. */
const parentRefSchema = z.strictObject({
  group: z.string().default(GATEWAY_GROUP),
  kind: z.string().default('Gateway'),
  namespace: z.string().optional(),
  name: z.string().min(1),
  sectionName: sectionName.optional(),
  port: portNumber.optional(),
});
export type ParentRef = z.infer<typeof parentRefSchema>;

export const httpRouteSpecSchema = z.strictObject({
  parentRefs: z.array(parentRefSchema).max(32).default([]),
  hostnames: z.array(hostnameSchema).max(16).optional(),
  rules: z
    .array(ruleSchema)
    .max(16)
    .default([{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }])
    .refine((rules) => rules.reduce((sum, rule) => sum + rule.matches.length, 0) <= 128, 'While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128'),
});
export type HttpRouteSpec = z.infer<typeof httpRouteSpecSchema>;

const listenerSchema = z.strictObject({
  name: sectionName,
  hostname: hostnameSchema.optional(),
  port: portNumber,
  /** HTTPS, TLS, TCP and UDP listeners need certificates or stream routing the local gateway does not have. */
  protocol: z.literal('HTTP', { message: 'the local runtime serves HTTP listeners only (HTTPS, TLS, TCP and UDP are cluster-only)' }),
  allowedRoutes: z
    .strictObject({
      namespaces: z
        .strictObject({
          from: z.enum(['All', 'Same', 'Selector']).default('Same'),
          selector: z.strictObject({ matchLabels: labels }).optional(),
        })
        .refine((n) => (n.from === 'Selector') === (n.selector !== undefined), 'selector must be set when from is Selector, and only then')
        .default({ from: 'Same' }),
      kinds: z.array(z.strictObject({ group: z.string().default(GATEWAY_GROUP), kind: z.string().min(1) })).optional(),
    })
    .default({ namespaces: { from: 'Same' } }),
});
export type Listener = z.infer<typeof listenerSchema>;

export const k8sGatewaySpecSchema = z
  .strictObject({
    /** Istio's class; a Gateway of another class is for another controller, which the local runtime does not have. */
    gatewayClassName: z.literal('istio', { message: 'the local runtime runs Istio\'s class "istio" only' }),
    listeners: z.array(listenerSchema).min(1).max(64),
  })
  .superRefine((spec, ctx) => {
    const names = spec.listeners.map((l) => l.name);
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i) ctx.addIssue({ code: 'custom', path: ['listeners', i, 'name'], message: 'Listener name must be unique within the Gateway' });
    });
  });
export type K8sGatewaySpec = z.infer<typeof k8sGatewaySpecSchema>;

export const referenceGrantSpecSchema = z.strictObject({
  from: z.array(z.strictObject({ group: z.string(), kind: z.string().min(1), namespace: z.string().min(1) })).min(1).max(16),
  to: z.array(z.strictObject({ group: z.string(), kind: z.string().min(1), name: z.string().optional() })).min(1).max(16),
});
export type ReferenceGrantSpec = z.infer<typeof referenceGrantSpecSchema>;
