/** OTLP's span kinds, by name (SpanKind in opentelemetry-proto trace.proto, lower case, as Jaeger's span.kind tag). */
export type SpanKind = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';

/** An OTLP doubleValue that is a whole number: it stays a float64 in Jaeger's model (a plain number would be int64). */
export class Float64 {
  constructor(readonly value: number) {}
}

/**
 * An attribute value as OTLP carries it: a number is int64 when whole and float64 otherwise; a bigint is an int64
 * beyond 2^53; bytes are binary. Arrays and maps are kept as the JSON text Jaeger's translator turns them into.
 */
export type TagValue = string | number | boolean | bigint | Uint8Array | Float64;
export type Attributes = Record<string, TagValue>;

export interface SpanEvent {
  /** Microseconds since the epoch. */
  timeUs: number;
  name: string;
  attributes: Attributes;
}

export interface SpanLink {
  /** 32 hex digits, or '' when the sender gave none (Jaeger drops such a link, with a warning). */
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

/** OTLP Status: code 0 unset, 1 ok, 2 error. */
export interface SpanStatus {
  code: 0 | 1 | 2;
  message: string;
}

/**
 * One span as the built-in collector keeps it: what OTLP carries that Jaeger's model shows (kind, status, scope,
 * trace state, events, links), and what the analysis needs. `tags` are the span's attributes only; `toJaeger` adds
 * span.kind, otel.status_code, error… as Jaeger's OTLP translator does.
 */
export interface StoredSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  /** The process's serviceName as Jaeger's translator names it (resource service.name). */
  service: string;
  operation: string;
  /** Microseconds since the epoch, as Jaeger counts. */
  startUs: number;
  durationUs: number;
  kind: SpanKind;
  tags: Attributes;
  /** Attributes of the process (resource): service.name, service.version, k8s.namespace.name… */
  process: Attributes;
  status?: SpanStatus;
  /** The instrumentation scope, when it has a name or version. */
  scope?: { name: string; version: string };
  traceState?: string;
  events?: SpanEvent[];
  links?: SpanLink[];
}

/** Jaeger's JSON shapes (internal/uimodel/model.go), which the viewer, the analysis and real Jaeger share. */
export interface JaegerTag {
  key: string;
  type: 'string' | 'int64' | 'float64' | 'bool' | 'binary';
  /** int64 beyond ±(2^53-1) is a string (uimodel converter jsMaxSafeInteger); binary is base64. */
  value: string | number | boolean;
}
export interface JaegerLog {
  timestamp: number;
  fields: JaegerTag[];
}
export interface JaegerReference {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  traceID: string;
  spanID: string;
}
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: JaegerReference[];
  startTime: number;
  duration: number;
  tags: JaegerTag[];
  logs: JaegerLog[];
  processID: string;
  warnings: string[] | null;
}
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: JaegerTag[] }>;
  warnings: string[] | null;
}

/** `/api/operations`' item (uimodel Operation): spanKind '' when the span's kind is unspecified. */
export interface Operation {
  name: string;
  spanKind: string;
}

/** `/api/dependencies`' item (uimodel DependencyLink). */
export interface DependencyLink {
  parent: string;
  child: string;
  callCount: number;
}

/**
 * A search, as Jaeger's memory store reads it (spanstore.TraceQueryParameters). Every criterion must hold for one and
 * the same span. An empty service, operation or duration bound means any.
 */
export interface TraceQuery {
  service?: string | undefined;
  operation?: string | undefined;
  /** Each key must have this value in the span's tags, its process's tags or its logs' fields (flattenTags). */
  tags?: Record<string, string>;
  minDurationNs?: number;
  maxDurationNs?: number;
  /** The span's start, in microseconds: at least startUs, at most endUs. */
  startUs?: number;
  endUs?: number;
  /** When startUs is not given: spans that started within this long before `now` (ms, default Date.now()). */
  lookbackMs?: number;
  now?: number;
  limit: number;
  /** Skip Jaeger's adjusters (jaeger-query's `raw=true`). */
  raw?: boolean;
}

const ZERO_SPAN_ID = '0000000000000000';
const isZero = (id: string) => /^0*$/.test(id);

/** model.TraceID.String(): the low half alone when the high half is zero (%016x), else both. */
function traceIdText(id: string): string {
  return id.length === 32 && id.startsWith(ZERO_SPAN_ID) ? id.slice(16) : id;
}

/** strconv.FormatFloat(v, 'g', 10, 64), as KeyValue.AsString renders a float64 (jaeger-idl model/v1/keyvalue.go). */
export function formatFloatG10(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const sign = v < 0 ? '-' : '';
  const [mantissa, exponent] = Math.abs(v).toExponential(9).split('e') as [string, string];
  const digits = mantissa.replace('.', '').replace(/0+$/, '');
  const nd = digits.length;
  const exp = Number(exponent);
  const dp = exp + 1;
  // strconv's formatDigits for 'g' with a precision of 10 (trailing zeros already trimmed)
  const eprec = 10 > nd && nd >= dp ? nd : 10;
  if (exp < -4 || exp >= eprec) {
    const frac = digits.slice(1);
    return `${sign}${digits[0]}${frac ? `.${frac}` : ''}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const prec = 10 > dp ? nd : 10;
  const fracDigits = Math.max(prec - dp, 0);
  let out = dp > 0 ? digits.slice(0, dp).padEnd(dp, '0') : '0';
  if (fracDigits > 0) {
    out += '.';
    for (let i = 1; i <= fracDigits; i++) out += digits[dp + i - 1] ?? '0';
  }
  return sign + out;
}

/** A tag as Jaeger's translator types an OTLP attribute (attributeToJaegerProtoTag) and uimodel renders it. */
function jaegerTag(key: string, value: TagValue): JaegerTag {
  if (typeof value === 'string') return { key, type: 'string', value };
  if (typeof value === 'boolean') return { key, type: 'bool', value };
  if (value instanceof Float64) return { key, type: 'float64', value: value.value };
  if (value instanceof Uint8Array) return { key, type: 'binary', value: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (typeof value === 'number' && !Number.isInteger(value)) return { key, type: 'float64', value };
  // The receiver stores nothing else; anything that got past it is shown as text rather than breaking the page.
  if (typeof value !== 'number' && typeof value !== 'bigint') return { key, type: 'string', value: String(value) };
  const int = BigInt(value);
  return { key, type: 'int64', value: int <= BigInt(Number.MAX_SAFE_INTEGER) && int >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(int) : int.toString() };
}

/** KeyValue.AsString, which the memory store compares a searched tag's value with. */
function tagAsString(tag: JaegerTag): string {
  switch (tag.type) {
    case 'float64':
      return formatFloatG10(tag.value as number);
    case 'binary':
      return Buffer.from(String(tag.value), 'base64').toString('hex');
    default:
      return String(tag.value);
  }
}

/** The IP attributes Jaeger's NormalizeIPAttributes adjuster turns from a number into a dotted quad (ipattribute.go). */
const IP_ATTRIBUTES = new Set(['ip', 'peer.ipv4']);

/**
 * Attributes in the order Jaeger shows them: as received with `raw`, else as its adjusters leave them
 * (adjuster/sort.go SortCollections: by key; adjuster/ipattribute.go: numeric IPs as dotted quads).
 */
function attributeTags(attributes: Attributes, raw: boolean): JaegerTag[] {
  const entries = Object.entries(attributes);
  if (raw) return entries.map(([k, v]) => jaegerTag(k, v));
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.map(([k, v]) => {
    if (IP_ATTRIBUTES.has(k) && typeof v !== 'string' && typeof v !== 'boolean' && !(v instanceof Uint8Array)) {
      const n = v instanceof Float64 ? v.value : Number(v);
      const ip = Number(BigInt.asUintN(32, BigInt(Math.trunc(n))));
      return jaegerTag(k, [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.'));
    }
    return jaegerTag(k, v);
  });
}

/**
 * The span's tags as Jaeger's OTLP translator builds them (opentelemetry-collector-contrib pkg/translator/jaeger
 * traces_to_jaegerproto.go getJaegerProtoSpanTags): scope name and version, the attributes, then span.kind,
 * otel.status_code, error=true, otel.status_description, w3c.tracestate.
 */
function spanTags(span: StoredSpan, raw: boolean): JaegerTag[] {
  const tags: JaegerTag[] = [];
  if (span.scope?.name) tags.push(jaegerTag('otel.scope.name', span.scope.name));
  if (span.scope?.version) tags.push(jaegerTag('otel.scope.version', span.scope.version));
  tags.push(...attributeTags(span.tags, raw));
  if (span.kind !== 'unspecified') tags.push(jaegerTag('span.kind', span.kind));
  const code = span.status?.code ?? 0;
  if (code === 2) tags.push(jaegerTag('otel.status_code', 'ERROR'));
  if (code === 1) tags.push(jaegerTag('otel.status_code', 'OK'));
  if (code === 2) tags.push(jaegerTag('error', true));
  if (span.status?.message) tags.push(jaegerTag('otel.status_description', span.status.message));
  if (span.traceState) tags.push(jaegerTag('w3c.tracestate', span.traceState));
  return tags;
}

/** Process tags: the resource's attributes but service.name, which is the serviceName (resourceToJaegerProtoProcess). */
function processTags(span: StoredSpan, raw: boolean): JaegerTag[] {
  const { 'service.name': _serviceName, ...rest } = span.process;
  return attributeTags(rest, raw);
}

/**
 * Events as logs (spanEventsToJaegerProtoLogs): an `event` field with the name, unless an attribute is called
 * `event`, then the attributes. Unless raw, sorted by name, attributes by key (SortCollections).
 */
function spanLogs(span: StoredSpan, raw: boolean): JaegerLog[] {
  const events = [...(span.events ?? [])];
  if (!raw) events.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return events.map((event) => ({
    timestamp: event.timeUs,
    fields: [...(event.name !== '' && !('event' in event.attributes) ? [jaegerTag('event', event.name)] : []), ...attributeTags(event.attributes, raw)],
  }));
}

/**
 * References (makeJaegerProtoReferences): the parent first as CHILD_OF, then each link as FOLLOWS_FROM, or CHILD_OF
 * when its `opentracing.ref_type` attribute says child_of; a link to the parent only retypes that reference. Unless
 * raw, a link without a trace id is dropped with the warning RemoveEmptySpanLinks gives (adjuster/spanlinks.go).
 */
function spanReferences(span: StoredSpan, traceId: string, raw: boolean): { references: JaegerReference[]; warnings: string[] } {
  const references: JaegerReference[] = [];
  const warnings: string[] = [];
  const parent = span.parentSpanId && !isZero(span.parentSpanId) ? span.parentSpanId : undefined;
  if (parent) references.push({ refType: 'CHILD_OF', traceID: traceIdText(traceId), spanID: parent });
  for (const link of span.links ?? []) {
    if (!raw && isZero(link.traceId)) {
      warnings.push('Invalid span link removed');
      continue;
    }
    const refType = link.attributes['opentracing.ref_type'] === 'child_of' ? 'CHILD_OF' : 'FOLLOWS_FROM';
    if (parent && link.traceId === traceId && link.spanId === parent) {
      references[0]!.refType = refType;
      continue;
    }
    references.push({ refType, traceID: traceIdText(link.traceId.padStart(32, '0')), spanID: link.spanId || ZERO_SPAN_ID });
  }
  return { references, warnings };
}

/** span.ParentSpanID() of Jaeger's model: the first CHILD_OF reference within the same trace. */
function modelParentId(span: StoredSpan): string | undefined {
  const ref = spanReferences(span, span.traceId, true).references.find((r) => r.refType === 'CHILD_OF' && r.traceID === traceIdText(span.traceId));
  return ref?.spanID;
}

/**
 * flattenTags of Jaeger's memory store (internal/storage/v1/memory/memory.go): the span's tags, its process's tags
 * and its logs' fields, as [key, KeyValue.AsString()].
 */
function flattenTags(span: StoredSpan): [string, string][] {
  const tags = [...spanTags(span, true), ...processTags(span, true), ...spanLogs(span, true).flatMap((log) => log.fields)];
  return tags.map((t) => [t.key, tagAsString(t)]);
}

const bigintSafe = (_key: string, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value);

/**
 * The last `capacity` traces, in the order they were first seen: memory stays bounded however long the talk runs.
 * Services and operations are remembered past their traces, as in Jaeger's memory store.
 */
export class TraceStore {
  private readonly traces = new Map<string, StoredSpan[]>();
  private readonly serviceNames = new Set<string>();
  private readonly operationsOf = new Map<string, Map<string, Operation>>();

  constructor(readonly capacity = 1000) {}

  add(spans: StoredSpan[]): void {
    for (const span of spans) {
      let trace = this.traces.get(span.traceId);
      if (!trace) {
        this.traces.set(span.traceId, (trace = []));
        if (this.traces.size > this.capacity) this.traces.delete(this.traces.keys().next().value!);
      }
      trace.push(span);
      // internal/storage/v2/memory/tenant.go storeTraces: a resource without service.name names no service.
      if (typeof span.process['service.name'] !== 'string' || span.service === '') continue;
      this.serviceNames.add(span.service);
      let operations = this.operationsOf.get(span.service);
      if (!operations) this.operationsOf.set(span.service, (operations = new Map()));
      const spanKind = span.kind === 'unspecified' ? '' : span.kind;
      const key = `${spanKind}\u0000${span.operation}`;
      if (!operations.has(key)) operations.set(key, { name: span.operation, spanKind });
    }
  }

  services(): string[] {
    return [...this.serviceNames].sort();
  }

  /** GetOperations: the service's operations of that kind, or of every kind when spanKind is ''. */
  operations(service: string, spanKind = ''): Operation[] {
    const operations = [...(this.operationsOf.get(service)?.values() ?? [])].filter((o) => spanKind === '' || o.spanKind === spanKind);
    return operations.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.spanKind < b.spanKind ? -1 : 1));
  }

  get(traceId: string, options: { raw?: boolean } = {}): JaegerTrace | undefined {
    const spans = this.traces.get(traceId.toLowerCase());
    return spans ? toJaeger(traceId.toLowerCase(), spans, options) : undefined;
  }

  /**
   * Newest first, at most `limit`: the traces with one span that meets every criterion (validTrace/validSpan of
   * Jaeger's memory store, internal/storage/v1/memory/memory.go, removed in jaeger 22b0b0e33).
   */
  find(query: TraceQuery): JaegerTrace[] {
    const startUs = query.startUs ?? (query.lookbackMs !== undefined ? ((query.now ?? Date.now()) - query.lookbackMs) * 1000 : undefined);
    const tags = Object.entries(query.tags ?? {});
    const valid = (span: StoredSpan) => {
      if (query.service && span.service !== query.service) return false;
      if (query.operation && span.operation !== query.operation) return false;
      const durationNs = span.durationUs * 1000;
      if (query.minDurationNs && durationNs < query.minDurationNs) return false;
      if (query.maxDurationNs && durationNs > query.maxDurationNs) return false;
      if (startUs !== undefined && span.startUs < startUs) return false;
      if (query.endUs !== undefined && span.startUs > query.endUs) return false;
      if (tags.length === 0) return true;
      const flat = flattenTags(span);
      return tags.every(([key, value]) => flat.some(([k, v]) => k === key && v === value));
    };
    const found: JaegerTrace[] = [];
    for (const [id, spans] of [...this.traces].reverse()) {
      if (found.length >= query.limit) break;
      if (spans.some(valid)) found.push(toJaeger(id, spans, { raw: query.raw ?? false }));
    }
    return found;
  }

  /**
   * GetDependencies of Jaeger's memory store (internal/storage/v1/memory/memory.go): in each trace with a span that
   * started within (endUs - lookbackUs, endUs), every span whose parent belongs to another service counts one call
   * from the parent's service to the span's.
   */
  dependencies(endUs: number, lookbackUs: number): DependencyLink[] {
    const startUs = endUs - lookbackUs;
    const links = new Map<string, DependencyLink>();
    for (const spans of this.traces.values()) {
      if (!spans.some((s) => s.startUs > startUs && endUs > s.startUs)) continue;
      const byId = new Map<string, StoredSpan>();
      for (const span of spans) if (!byId.has(span.spanId)) byId.set(span.spanId, span);
      for (const span of spans) {
        const parentId = modelParentId(span);
        const parent = parentId === undefined ? undefined : byId.get(parentId);
        if (!parent || parent.service === span.service) continue;
        const key = `${parent.service}\u0000${span.service}`;
        const link = links.get(key);
        if (link) link.callCount++;
        else links.set(key, { parent: parent.service, child: span.service, callCount: 1 });
      }
    }
    return [...links.values()];
  }
}

/**
 * One trace in Jaeger's JSON model (uimodel/converter/v1/json/from_domain.go FromDomain over the OTLP translator's
 * output). Unless `raw`, Jaeger's adjusters that apply to these spans run first: DeduplicateSpans, SortCollections,
 * NormalizeIPAttributes, RemoveEmptySpanLinks. Spans come in start order; processes are numbered p1, p2… as first used.
 */
export function toJaeger(traceId: string, spans: StoredSpan[], options: { raw?: boolean } = {}): JaegerTrace {
  const raw = options.raw ?? false;
  let list = spans;
  if (!raw) {
    const seen = new Set<string>();
    list = spans.filter((span) => {
      const key = JSON.stringify(span, bigintSafe);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  const text = traceIdText(traceId);
  const processIds = new Map<string, string>();
  const processes = new Map<string, { serviceName: string; tags: JaegerTag[] }>();
  const jaegerSpans = [...list]
    .sort((a, b) => a.startUs - b.startUs)
    .map((span): JaegerSpan => {
      const process = { serviceName: span.service, tags: processTags(span, raw) };
      const processKey = JSON.stringify(process);
      let processID = processIds.get(processKey);
      if (!processID) {
        processID = `p${processIds.size + 1}`;
        processIds.set(processKey, processID);
        processes.set(processID, process);
      }
      const { references, warnings } = spanReferences(span, traceId, raw);
      return {
        traceID: text,
        spanID: span.spanId,
        operationName: span.operation,
        references,
        startTime: span.startUs,
        duration: span.durationUs,
        tags: spanTags(span, raw),
        logs: spanLogs(span, raw),
        processID,
        warnings: warnings.length > 0 ? warnings : null,
      };
    });
  // encoding/json writes a map's keys sorted
  const sortedProcesses = Object.fromEntries([...processes].sort(([a], [b]) => (a < b ? -1 : 1)));
  return { traceID: text, spans: jaegerSpans, processes: sortedProcesses, warnings: null };
}
