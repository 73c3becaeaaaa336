import { describe, expect, it } from 'vitest';
import { decodeTraces, OtlpError } from './otlp.js';
import { TraceStore, type StoredSpan } from './store.js';

const span = (traceId: string, spanId: string, service: string, startUs: number, parentSpanId?: string): StoredSpan => ({
  traceId,
  spanId,
  parentSpanId,
  service,
  operation: `${service} op`,
  startUs,
  durationUs: 1000,
  tags: {},
  process: { 'service.name': service },
});

const id = (n: number) => n.toString(16).padStart(32, '0');

describe('TraceStore', () => {
  it('keeps only the newest `capacity` traces', () => {
    const store = new TraceStore(3);
    for (let i = 1; i <= 5; i++) store.add([span(id(i), '00000000000000a1', 'mall', Date.now() * 1000)]);
    expect(store.get(id(1))).toBeUndefined();
    expect(store.get(id(2))).toBeUndefined();
    expect(store.find({ limit: 10, lookbackMs: 60_000 }).map((t) => t.traceID)).toEqual([id(5), id(4), id(3)]);
  });

  it("answers in Jaeger's shape: references, microseconds, processes, tags", () => {
    const store = new TraceStore();
    const now = Date.now() * 1000;
    store.add([span(id(7), '00000000000000a1', 'mall', now), { ...span(id(7), '00000000000000b2', 'users', now + 10, '00000000000000a1'), tags: { error: true, 'http.response.status_code': 404 } }]);
    const trace = store.get(id(7))!;
    expect(trace.spans[1]).toMatchObject({
      traceID: id(7),
      spanID: '00000000000000b2',
      references: [{ refType: 'CHILD_OF', traceID: id(7), spanID: '00000000000000a1' }],
      startTime: now + 10,
      duration: 1000,
      tags: [
        { key: 'error', type: 'bool', value: true },
        { key: 'http.response.status_code', type: 'int64', value: 404 },
      ],
    });
    expect(trace.processes[trace.spans[1]!.processID]).toEqual({ serviceName: 'users', tags: [{ key: 'service.name', type: 'string', value: 'users' }] });
    expect(store.services()).toEqual(['mall', 'users']);
    expect(store.find({ service: 'users', limit: 5, lookbackMs: 1000 })).toHaveLength(1);
    expect(store.find({ service: 'nobody', limit: 5, lookbackMs: 1000 })).toEqual([]);
  });
});

describe('OTLP/HTTP JSON', () => {
  it('decodes resource, spans, status and attributes', () => {
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'scores' } }, { key: 'service.version', value: { stringValue: 'v1' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: '5b8efff798038103d269b633813fc60c',
                  spanId: 'eee19b7ec3c1b174',
                  parentSpanId: 'eee19b7ec3c1b173',
                  name: 'GET /scores',
                  kind: 2,
                  startTimeUnixNano: '1544712660000000000',
                  endTimeUnixNano: '1544712661500000000',
                  attributes: [{ key: 'http.response.status_code', value: { intValue: '500' } }],
                  status: { code: 2, message: 'boom' },
                },
              ],
            },
          ],
        },
      ],
    };
    expect(decodeTraces(Buffer.from(JSON.stringify(body)), 'application/json')).toEqual([
      {
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
        parentSpanId: 'eee19b7ec3c1b173',
        service: 'scores',
        operation: 'GET /scores',
        startUs: 1544712660000000,
        durationUs: 1_500_000,
        tags: { 'http.response.status_code': 500, 'span.kind': 'server', error: true, 'otel.status_description': 'boom' },
        process: { 'service.name': 'scores', 'service.version': 'v1' },
      },
    ]);
  });

  it('refuses what is not an export request, with a reason', () => {
    expect(() => decodeTraces(Buffer.from('nope'), 'application/json')).toThrow(OtlpError);
    expect(() => decodeTraces(Buffer.from('{}'), 'text/plain')).toThrow('unsupported content type text/plain');
    expect(() => decodeTraces(Buffer.from('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"x"}]}]}]}'), 'application/json')).toThrow('valid traceId');
    expect(() => decodeTraces(Buffer.from([0xff, 0xff, 0xff]), 'application/x-protobuf')).toThrow(OtlpError);
  });
});
