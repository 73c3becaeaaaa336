import protobuf from 'protobufjs';
import { Float64, type Attributes, type SpanKind, type StoredSpan, type TagValue } from './store.js';

/**
 * OTLP/HTTP trace export requests, JSON or protobuf, turned into stored spans with everything Jaeger's model shows:
 * kind, status, scope, trace state, events and links. The protobuf schema is the part of opentelemetry-proto's
 * trace.proto (Span 1–15, Event, Link, Status) and common.proto that a trace export uses, with their field numbers.
 */
const root = protobuf.Root.fromJSON({
  nested: {
    otlp: {
      nested: {
        AnyValue: {
          oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
          fields: {
            stringValue: { type: 'string', id: 1 },
            boolValue: { type: 'bool', id: 2 },
            intValue: { type: 'int64', id: 3 },
            doubleValue: { type: 'double', id: 4 },
            arrayValue: { type: 'ArrayValue', id: 5 },
            kvlistValue: { type: 'KeyValueList', id: 6 },
            bytesValue: { type: 'bytes', id: 7 },
          },
        },
        ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
        KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
        KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
        Resource: { fields: { attributes: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
        InstrumentationScope: { fields: { name: { type: 'string', id: 1 }, version: { type: 'string', id: 2 } } },
        Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
        Event: {
          fields: {
            timeUnixNano: { type: 'fixed64', id: 1 },
            name: { type: 'string', id: 2 },
            attributes: { rule: 'repeated', type: 'KeyValue', id: 3 },
          },
        },
        Link: {
          fields: {
            traceId: { type: 'bytes', id: 1 },
            spanId: { type: 'bytes', id: 2 },
            traceState: { type: 'string', id: 3 },
            attributes: { rule: 'repeated', type: 'KeyValue', id: 4 },
          },
        },
        Span: {
          fields: {
            traceId: { type: 'bytes', id: 1 },
            spanId: { type: 'bytes', id: 2 },
            traceState: { type: 'string', id: 3 },
            parentSpanId: { type: 'bytes', id: 4 },
            name: { type: 'string', id: 5 },
            kind: { type: 'int32', id: 6 },
            startTimeUnixNano: { type: 'fixed64', id: 7 },
            endTimeUnixNano: { type: 'fixed64', id: 8 },
            attributes: { rule: 'repeated', type: 'KeyValue', id: 9 },
            events: { rule: 'repeated', type: 'Event', id: 11 },
            links: { rule: 'repeated', type: 'Link', id: 13 },
            status: { type: 'Status', id: 15 },
          },
        },
        ScopeSpans: { fields: { scope: { type: 'InstrumentationScope', id: 1 }, spans: { rule: 'repeated', type: 'Span', id: 2 } } },
        ResourceSpans: { fields: { resource: { type: 'Resource', id: 1 }, scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 } } },
        ExportTraceServiceRequest: { fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } } },
      },
    },
  },
});
const ExportTraceServiceRequest = root.lookupType('otlp.ExportTraceServiceRequest');

/** AnyValue as OTLP/JSON writes it; the protobuf decoding below gives the same shape (bytes as Uint8Array). */
interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number | string;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: string | Uint8Array;
}
interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}
type Id = string | Uint8Array | undefined;
interface OtlpSpan {
  traceId: Id;
  spanId: Id;
  traceState?: string;
  parentSpanId?: Id;
  name?: string;
  kind?: number | string;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: OtlpKeyValue[];
  events?: { timeUnixNano?: string | number; name?: string; attributes?: OtlpKeyValue[] }[];
  links?: { traceId?: Id; spanId?: Id; traceState?: string; attributes?: OtlpKeyValue[] }[];
  status?: { code?: number | string; message?: string };
}
interface OtlpRequest {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: { scope?: { name?: string; version?: string }; spans?: OtlpSpan[] }[];
  }[];
}

export class OtlpError extends Error {}

const SPAN_KINDS: SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/** An enum as OTLP/JSON may write it: its number, or (protobuf's JSON mapping) its name. */
function enumValue(value: number | string | undefined, names: readonly string[]): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const index = names.indexOf(value);
  return index >= 0 ? index : Number(value) || 0;
}
const KIND_NAMES = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];
const STATUS_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

/** A trace or span id: hex in OTLP/JSON, bytes in protobuf; '' when absent, undefined when not an id of that size. */
function idOf(value: Id, bytes: 16 | 8): string | undefined {
  const text = value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex') : (value ?? '');
  if (text !== '' && !(typeof text === 'string' && new RegExp(`^[\\da-f]{${bytes * 2}}$`, 'i').test(text))) return undefined;
  return text.toLowerCase();
}

const nanos = (value: string | number | undefined) => BigInt(value ?? 0);

/** Decodes a body by its content type: application/json, or application/x-protobuf. */
export function decodeTraces(body: Buffer, contentType: string): StoredSpan[] {
  let request: OtlpRequest;
  if (contentType.startsWith('application/x-protobuf')) {
    try {
      // 64-bit numbers as strings: the same shape as OTLP/JSON. Ids and bytes stay bytes (idOf turns ids to hex).
      request = ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(body), { longs: String }) as OtlpRequest;
    } catch (error) {
      throw new OtlpError(`body is not an OTLP protobuf ExportTraceServiceRequest: ${(error as Error).message}`);
    }
  } else if (contentType.startsWith('application/json')) {
    try {
      request = JSON.parse(body.toString('utf8')) as OtlpRequest;
    } catch {
      throw new OtlpError('body is not JSON');
    }
  } else {
    throw new OtlpError(`unsupported content type ${contentType || '(none)'}; send application/json or application/x-protobuf`);
  }
  try {
    return storedSpans(request);
  } catch (error) {
    if (error instanceof OtlpError) throw error;
    // A body that parses but is not shaped as the schema says (a null where an object goes, a number that is not one).
    throw new OtlpError(`body is not a valid ExportTraceServiceRequest: ${(error as Error).message}`);
  }
}

function storedSpans(request: OtlpRequest): StoredSpan[] {
  const spans: StoredSpan[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resource = resourceSpans.resource?.attributes ?? [];
    const process = attributes(resource);
    // resourceToJaegerProtoProcess: no attributes at all names the process OTLPResourceNoServiceName; attributes
    // without a string service.name leave it empty.
    const name = process['service.name'];
    const service = resource.length === 0 ? 'OTLPResourceNoServiceName' : typeof name === 'string' ? name : '';
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      const scopeName = text(scopeSpans.scope?.name, 'scope.name');
      const scopeVersion = text(scopeSpans.scope?.version, 'scope.version');
      const scope = scopeName || scopeVersion ? { name: intern(scopeName), version: intern(scopeVersion) } : undefined;
      for (const span of scopeSpans.spans ?? []) spans.push(storedSpan(span, service, process, scope));
    }
  }
  return spans;
}

function storedSpan(span: OtlpSpan, service: string, process: Attributes, scope: StoredSpan['scope']): StoredSpan {
  const traceId = idOf(span.traceId, 16);
  const spanId = idOf(span.spanId, 8);
  const parentSpanId = idOf(span.parentSpanId, 8);
  if (!traceId || /^0+$/.test(traceId) || !spanId || /^0+$/.test(spanId) || parentSpanId === undefined) {
    throw new OtlpError('span without a valid traceId/spanId/parentSpanId');
  }
  const start = nanos(span.startTimeUnixNano);
  const end = nanos(span.endTimeUnixNano);
  const code = enumValue(span.status?.code, STATUS_NAMES);
  const stored: StoredSpan = {
    traceId,
    spanId,
    // An all-zero parent is no parent (the translator's parentSpanID != 0).
    parentSpanId: parentSpanId && !/^0+$/.test(parentSpanId) ? parentSpanId : undefined,
    service,
    operation: intern(text(span.name, 'span name')),
    startUs: Number(start / 1000n),
    // model.DurationAsMicroseconds: nanoseconds truncated to microseconds
    durationUs: Number((end - start) / 1000n),
    kind: SPAN_KINDS[enumValue(span.kind, KIND_NAMES)] ?? 'unspecified',
    tags: attributes(span.attributes),
    process,
  };
  const message = text(span.status?.message, 'status.message');
  if (code !== 0 || message) stored.status = { code: code === 1 || code === 2 ? code : 0, message };
  if (scope) stored.scope = scope;
  const traceState = text(span.traceState, 'traceState');
  if (traceState) stored.traceState = traceState;
  if (span.events?.length) {
    stored.events = span.events.map((event) => ({ timeUs: Number(nanos(event.timeUnixNano) / 1000n), name: intern(text(event.name, 'event name')), attributes: attributes(event.attributes) }));
  }
  if (span.links?.length) {
    stored.links = span.links.map((link) => {
      const linked = { traceId: idOf(link.traceId, 16), spanId: idOf(link.spanId, 8) };
      if (linked.traceId === undefined || linked.spanId === undefined) throw new OtlpError('link without a valid traceId/spanId');
      return { traceId: linked.traceId, spanId: linked.spanId, attributes: attributes(link.attributes) };
    });
  }
  return stored;
}

/**
 * Attribute values repeat across spans (methods, hosts, routes, library names): the store keeps one copy of each
 * short one. Bounded, so unique values (ids, URLs with queries) cannot grow it without end.
 */
const interned = new Map<string, string>();
const INTERN_MAX_LENGTH = 80;
const INTERN_MAX_ENTRIES = 20_000;

function intern(value: string): string {
  if (value.length > INTERN_MAX_LENGTH) return value;
  const known = interned.get(value);
  if (known !== undefined) return known;
  if (interned.size >= INTERN_MAX_ENTRIES) interned.clear();
  interned.set(value, value);
  return value;
}

const bytesOf = (value: string | Uint8Array) => (typeof value === 'string' ? Buffer.from(value, 'base64') : value);

/**
 * Attributes typed as Jaeger's translator types them (attributeToJaegerProtoTag): string, bool, int64, float64,
 * binary; arrays and maps as the JSON text pcommon's Value.AsString gives; an empty value as "".
 */
/**
 * A field the schema says is a string, checked: OTLP/JSON arrives as any JSON, and a value of another type stored here
 * would break whatever reads it later (a viewer page, a search).
 */
function text(value: unknown, field: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new OtlpError(`${field} must be a string`);
  return value;
}

function attributes(list: OtlpKeyValue[] | undefined): Attributes {
  const result: Attributes = {};
  for (const { key, value } of list ?? []) result[text(key, 'an attribute key')] = attributeValue(value);
  return result;
}

function attributeValue(value: OtlpAnyValue | undefined): TagValue {
  if (!value) return '';
  if (value.stringValue !== undefined) return intern(text(value.stringValue, 'stringValue'));
  if (value.boolValue !== undefined) {
    if (typeof value.boolValue !== 'boolean') throw new OtlpError('boolValue must be a boolean');
    return value.boolValue;
  }
  if (value.intValue !== undefined && typeof value.intValue !== 'string' && typeof value.intValue !== 'number') throw new OtlpError('intValue must be a number or a string of digits');
  if (value.doubleValue !== undefined && typeof value.doubleValue !== 'number' && typeof value.doubleValue !== 'string') throw new OtlpError('doubleValue must be a number');
  if (value.bytesValue !== undefined && typeof value.bytesValue !== 'string' && !(value.bytesValue instanceof Uint8Array)) throw new OtlpError('bytesValue must be base64 or bytes');
  if (value.intValue !== undefined) {
    const int = BigInt(value.intValue);
    return int <= BigInt(Number.MAX_SAFE_INTEGER) && int >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(int) : int;
  }
  if (value.doubleValue !== undefined) {
    const double = Number(value.doubleValue);
    return Number.isInteger(double) ? new Float64(double) : double;
  }
  if (value.bytesValue !== undefined) return bytesOf(value.bytesValue);
  if (value.arrayValue !== undefined || value.kvlistValue !== undefined) return goJson(raw(value)) ?? '';
  return '';
}

/** pcommon Value.AsRaw: what encoding/json then writes for an array or a map. */
function raw(value: OtlpAnyValue | undefined): unknown {
  if (!value) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return BigInt(value.intValue);
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (value.bytesValue !== undefined) return Buffer.from(bytesOf(value.bytesValue)).toString('base64');
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(raw);
  if (value.kvlistValue !== undefined) return new Map((value.kvlistValue.values ?? []).map((kv) => [kv.key, raw(kv.value)]));
  return null;
}

/**
 * json.Marshal of a raw value: map keys sorted, <, > and & escaped as \u003c…; undefined where Go fails (NaN, ±Inf),
 * for which Value.AsString gives "".
 */
function goJson(value: unknown): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : undefined;
  if (typeof value === 'string') return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const items = value.map(goJson);
    return items.includes(undefined) ? undefined : `[${items.join(',')}]`;
  }
  const entries = [...(value as Map<string, unknown>)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const items = entries.map(([k, v]) => {
    const item = goJson(v);
    return item === undefined ? undefined : `${goJson(k)}:${item}`;
  });
  return items.includes(undefined) ? undefined : `{${items.join(',')}}`;
}
