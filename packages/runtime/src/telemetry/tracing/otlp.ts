import protobuf from 'protobufjs';
import type { StoredSpan } from './store.js';

/**
 * OTLP/HTTP trace export requests, JSON or protobuf, turned into stored spans. The protobuf schema is the part of
 * opentelemetry-proto's trace.proto and common.proto that a trace export uses.
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
        Span: {
          fields: {
            traceId: { type: 'bytes', id: 1 },
            spanId: { type: 'bytes', id: 2 },
            parentSpanId: { type: 'bytes', id: 4 },
            name: { type: 'string', id: 5 },
            kind: { type: 'int32', id: 6 },
            startTimeUnixNano: { type: 'fixed64', id: 7 },
            endTimeUnixNano: { type: 'fixed64', id: 8 },
            attributes: { rule: 'repeated', type: 'KeyValue', id: 9 },
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

interface OtlpKeyValue {
  key: string;
  value?: { stringValue?: string; boolValue?: boolean; intValue?: string | number; doubleValue?: number };
}
interface OtlpRequest {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind?: number;
        startTimeUnixNano: string | number;
        endTimeUnixNano: string | number;
        attributes?: OtlpKeyValue[];
        status?: { code?: number; message?: string };
      }[];
    }[];
  }[];
}

export class OtlpError extends Error {}

const SPAN_KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/** Decodes a body by its content type: application/json, or application/x-protobuf. */
export function decodeTraces(body: Buffer, contentType: string): StoredSpan[] {
  let request: OtlpRequest;
  if (contentType.startsWith('application/x-protobuf')) {
    try {
      // Ids as hex and 64-bit numbers as strings: the same shape as OTLP/JSON. Ids come out as bytes, turned to hex once.
      request = ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(body), { longs: String }) as OtlpRequest;
      for (const rs of request.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) {
        s.traceId = bytesToHex(s.traceId);
        s.spanId = bytesToHex(s.spanId);
        s.parentSpanId = s.parentSpanId?.length ? bytesToHex(s.parentSpanId) : undefined;
      }
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
  const spans: StoredSpan[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const process = attributes(resourceSpans.resource?.attributes);
    const service = String(process['service.name'] ?? 'unknown');
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        if (!/^[\da-f]{32}$/i.test(span.traceId ?? '') || !/^[\da-f]{16}$/i.test(span.spanId ?? '')) throw new OtlpError('span without a valid traceId/spanId');
        const start = BigInt(span.startTimeUnixNano);
        const end = BigInt(span.endTimeUnixNano);
        const tags = attributes(span.attributes);
        tags['span.kind'] = SPAN_KINDS[span.kind ?? 0] ?? 'unspecified';
        if (span.status?.code === 2) {
          tags.error = true;
          if (span.status.message) tags['otel.status_description'] = span.status.message;
        }
        spans.push({
          traceId: span.traceId.toLowerCase(),
          spanId: span.spanId.toLowerCase(),
          parentSpanId: span.parentSpanId ? span.parentSpanId.toLowerCase() : undefined,
          service,
          operation: intern(span.name),
          startUs: Number(start / 1000n),
          durationUs: Number((end - start) / 1000n),
          tags,
          process,
        });
      }
    }
  }
  return spans;
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

function attributes(list: OtlpKeyValue[] | undefined): Record<string, string | number | boolean> {
  const result: Record<string, string | number | boolean> = {};
  for (const { key, value } of list ?? []) {
    if (!value) continue;
    if (value.stringValue !== undefined) result[key] = intern(value.stringValue);
    else if (value.boolValue !== undefined) result[key] = value.boolValue;
    else if (value.intValue !== undefined) result[key] = Number(value.intValue);
    else if (value.doubleValue !== undefined) result[key] = value.doubleValue;
  }
  return result;
}

function bytesToHex(value: unknown): string {
  const bytes = value as Uint8Array;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
