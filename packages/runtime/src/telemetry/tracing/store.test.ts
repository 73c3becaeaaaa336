import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decodeTraces, OtlpError } from './otlp.js';
import { Float64, formatFloatG10, toJaeger, TraceStore, type JaegerSpan, type StoredSpan } from './store.js';

const span = (traceId: string, spanId: string, service: string, startUs: number, parentSpanId?: string, more: Partial<StoredSpan> = {}): StoredSpan => ({
  traceId,
  spanId,
  parentSpanId,
  service,
  operation: `${service} op`,
  startUs,
  durationUs: 1000,
  kind: 'server',
  tags: {},
  process: { 'service.name': service },
  ...more,
});

const id = (n: number) => n.toString(16).padStart(32, '0');
/** An id with a non-zero high half, which Jaeger renders with all 32 digits. */
const id128 = (n: number) => `f${n.toString(16).padStart(31, '0')}`;
const sid = (n: number) => n.toString(16).padStart(16, '0');
const tagsOf = (s: JaegerSpan) => Object.fromEntries(s.tags.map((t) => [t.key, t.value]));

describe('TraceStore', () => {
  it('keeps only the newest `capacity` traces', () => {
    const store = new TraceStore(3);
    for (let i = 1; i <= 5; i++) store.add([span(id128(i), sid(0xa1), 'mall', Date.now() * 1000)]);
    expect(store.get(id128(1))).toBeUndefined();
    expect(store.get(id128(2))).toBeUndefined();
    expect(store.find({ limit: 10, lookbackMs: 60_000 }).map((t) => t.traceID)).toEqual([id128(5), id128(4), id128(3)]);
    // Jaeger's memory store remembers services past their traces
    expect(store.services()).toEqual(['mall']);
  });

  it("answers in Jaeger's shape: references, microseconds, processes without service.name, typed tags", () => {
    const store = new TraceStore();
    const now = Date.now() * 1000;
    store.add([
      span(id128(7), sid(0xa1), 'mall', now),
      span(id128(7), sid(0xb2), 'users', now + 10, sid(0xa1), { tags: { 'http.response.status_code': 404, ratio: 0.5, whole: new Float64(2), big: 2n ** 60n, blob: Buffer.from([1, 2]), ok: false } }),
    ]);
    const trace = store.get(id128(7))!;
    expect(trace.spans[1]).toMatchObject({
      traceID: id128(7),
      spanID: sid(0xb2),
      references: [{ refType: 'CHILD_OF', traceID: id128(7), spanID: sid(0xa1) }],
      startTime: now + 10,
      duration: 1000,
      logs: [],
      warnings: null,
    });
    // sorted by key (SortCollections), then span.kind
    expect(trace.spans[1]!.tags).toEqual([
      { key: 'big', type: 'int64', value: '1152921504606846976' },
      { key: 'blob', type: 'binary', value: 'AQI=' },
      { key: 'http.response.status_code', type: 'int64', value: 404 },
      { key: 'ok', type: 'bool', value: false },
      { key: 'ratio', type: 'float64', value: 0.5 },
      { key: 'whole', type: 'float64', value: 2 },
      { key: 'span.kind', type: 'string', value: 'server' },
    ]);
    expect(trace.processes[trace.spans[1]!.processID]).toEqual({ serviceName: 'users', tags: [] });
    expect(Object.keys(trace.processes)).toEqual(['p1', 'p2']);
    expect(trace.warnings).toBeNull();
  });

  it('renders a trace id whose high half is zero with 16 digits, as model.TraceID.String()', () => {
    const store = new TraceStore();
    store.add([span(id(0xabc), sid(1), 'mall', 1, undefined, { links: [{ traceId: id(0xdef), spanId: sid(9), attributes: {} }] })]);
    const trace = store.get(id(0xabc))!;
    expect(trace.traceID).toBe('0000000000000abc');
    expect(trace.spans[0]!.traceID).toBe('0000000000000abc');
    expect(trace.spans[0]!.references).toEqual([{ refType: 'FOLLOWS_FROM', traceID: '0000000000000def', spanID: sid(9) }]);
  });

  it("status, scope and trace state become the OTLP translator's tags, in its order", () => {
    const trace = toJaeger(id128(1), [
      span(id128(1), sid(1), 'users', 1, undefined, {
        kind: 'client',
        tags: { b: 'x', a: 'y' },
        status: { code: 2, message: 'user not found' },
        scope: { name: '@opentelemetry/instrumentation-http', version: '0.200.0' },
        traceState: 'vendor=1',
      }),
      span(id128(1), sid(2), 'users', 2, sid(1), { kind: 'internal', status: { code: 1, message: '' } }),
      span(id128(1), sid(3), 'users', 3, sid(1), { kind: 'unspecified', status: { code: 0, message: 'only a message' } }),
    ]);
    expect(trace.spans[0]!.tags.map((t) => [t.key, t.value])).toEqual([
      ['otel.scope.name', '@opentelemetry/instrumentation-http'],
      ['otel.scope.version', '0.200.0'],
      ['a', 'y'],
      ['b', 'x'],
      ['span.kind', 'client'],
      ['otel.status_code', 'ERROR'],
      ['error', true],
      ['otel.status_description', 'user not found'],
      ['w3c.tracestate', 'vendor=1'],
    ]);
    expect(trace.spans[0]!.tags.find((t) => t.key === 'error')).toEqual({ key: 'error', type: 'bool', value: true });
    expect(tagsOf(trace.spans[1]!)).toEqual({ 'span.kind': 'internal', 'otel.status_code': 'OK' });
    // unspecified kind: no span.kind tag
    expect(tagsOf(trace.spans[2]!)).toEqual({ 'otel.status_description': 'only a message' });
  });

  it('span events become logs: an `event` field with the name, then the attributes', () => {
    const trace = toJaeger(id128(1), [
      span(id128(1), sid(1), 'recommend', 100, undefined, {
        events: [
          { timeUs: 150, name: 'exception', attributes: { 'exception.type': 'Error', 'exception.message': 'boom' } },
          { timeUs: 120, name: 'cache miss', attributes: {} },
          { timeUs: 130, name: 'custom', attributes: { event: 'named by attribute' } },
        ],
      }),
    ]);
    // sorted by name, attributes by key (SortCollections)
    expect(trace.spans[0]!.logs).toEqual([
      { timestamp: 120, fields: [{ key: 'event', type: 'string', value: 'cache miss' }] },
      { timestamp: 130, fields: [{ key: 'event', type: 'string', value: 'named by attribute' }] },
      {
        timestamp: 150,
        fields: [
          { key: 'event', type: 'string', value: 'exception' },
          { key: 'exception.message', type: 'string', value: 'boom' },
          { key: 'exception.type', type: 'string', value: 'Error' },
        ],
      },
    ]);
    // raw: as received
    expect(toJaeger(id128(1), [span(id128(1), sid(1), 'r', 1, undefined, { tags: { b: 1, a: 2 }, events: [{ timeUs: 2, name: 'z', attributes: {} }, { timeUs: 3, name: 'a', attributes: {} }] })], { raw: true }).spans[0]).toMatchObject({
      tags: [{ key: 'b' }, { key: 'a' }, { key: 'span.kind' }],
      logs: [{ timestamp: 2 }, { timestamp: 3 }],
    });
  });

  it('links become FOLLOWS_FROM after the parent, CHILD_OF by opentracing.ref_type; an empty one is removed with a warning', () => {
    const other = id128(2);
    const trace = toJaeger(id128(1), [
      span(id128(1), sid(2), 'worker', 1, sid(1), {
        links: [
          { traceId: other, spanId: sid(7), attributes: {} },
          { traceId: other, spanId: sid(8), attributes: { 'opentracing.ref_type': 'child_of' } },
          { traceId: '', spanId: '', attributes: {} },
        ],
      }),
      span(id128(1), sid(3), 'worker', 2, sid(1), { links: [{ traceId: id128(1), spanId: sid(1), attributes: { 'opentracing.ref_type': 'follows_from' } }] }),
    ]);
    expect(trace.spans[0]!.references).toEqual([
      { refType: 'CHILD_OF', traceID: id128(1), spanID: sid(1) },
      { refType: 'FOLLOWS_FROM', traceID: other, spanID: sid(7) },
      { refType: 'CHILD_OF', traceID: other, spanID: sid(8) },
    ]);
    expect(trace.spans[0]!.warnings).toEqual(['Invalid span link removed']);
    // a link to the parent only retypes the parent's reference
    expect(trace.spans[1]!.references).toEqual([{ refType: 'FOLLOWS_FROM', traceID: id128(1), spanID: sid(1) }]);
    const raw = toJaeger(id128(1), [span(id128(1), sid(2), 'worker', 1, undefined, { links: [{ traceId: '', spanId: '', attributes: {} }] })], { raw: true });
    expect(raw.spans[0]!.references).toEqual([{ refType: 'FOLLOWS_FROM', traceID: '0000000000000000', spanID: '0000000000000000' }]);
    expect(raw.spans[0]!.warnings).toBeNull();
  });

  it('drops a span received twice, unless raw (DeduplicateSpans)', () => {
    const s = span(id128(1), sid(1), 'mall', 1);
    expect(toJaeger(id128(1), [s, { ...s }]).spans).toHaveLength(1);
    expect(toJaeger(id128(1), [s, { ...s }], { raw: true }).spans).toHaveLength(2);
  });

  it('normalizes numeric IP attributes to dotted quads, unless raw (NormalizeIPAttributes)', () => {
    const s = span(id128(1), sid(1), 'mall', 1, undefined, { tags: { 'peer.ipv4': 0x7f000001 }, process: { 'service.name': 'mall', ip: 0x0a000002 } });
    const trace = toJaeger(id128(1), [s]);
    expect(tagsOf(trace.spans[0]!)['peer.ipv4']).toBe('127.0.0.1');
    expect(trace.processes.p1!.tags).toEqual([{ key: 'ip', type: 'string', value: '10.0.0.2' }]);
    expect(tagsOf(toJaeger(id128(1), [s], { raw: true }).spans[0]!)['peer.ipv4']).toBe(0x7f000001);
  });
});

describe('TraceStore.find, as the memory store searches', () => {
  const T0 = 1_700_000_000_000_000;
  /** gateway → mall (GET /api/mall, 90 ms) → users (GET /users, 5 ms, 404, in namespace base). */
  function loaded(): TraceStore {
    const store = new TraceStore();
    store.add([
      span(id128(1), sid(1), 'gateway', T0, undefined, { kind: 'client', operation: 'mall:7000/*', durationUs: 100_000 }),
      span(id128(1), sid(2), 'mall', T0 + 100, sid(1), { operation: 'GET /api/mall', durationUs: 90_000 }),
      span(id128(1), sid(3), 'mall', T0 + 200, sid(2), { kind: 'client', operation: 'users GET /users', durationUs: 6_000, tags: { 'peer.service': 'users' } }),
      span(id128(1), sid(4), 'users', T0 + 300, sid(3), {
        operation: 'GET /users',
        durationUs: 5_000,
        tags: { 'http.response.status_code': 404 },
        process: { 'service.name': 'users', 'k8s.namespace.name': 'base' },
        status: { code: 2, message: '' },
        events: [{ timeUs: T0 + 400, name: 'lookup', attributes: { 'user.known': false } }],
      }),
    ]);
    store.add([
      span(id128(2), sid(11), 'mall', T0 + 1_000_000, undefined, { operation: 'GET /api/mall', durationUs: 20_000 }),
      span(id128(2), sid(12), 'mall', T0 + 1_000_100, sid(11), { kind: 'client', operation: 'users GET /users', durationUs: 2_000 }),
    ]);
    return store;
  }
  const ids = (store: TraceStore, query: Parameters<TraceStore['find']>[0]) => store.find(query).map((t) => t.traceID);

  it('by service and operation, newest first, at most limit', () => {
    const store = loaded();
    expect(ids(store, { service: 'mall', limit: 20 })).toEqual([id128(2), id128(1)]);
    expect(ids(store, { service: 'mall', limit: 1 })).toEqual([id128(2)]);
    expect(ids(store, { service: 'users', limit: 20 })).toEqual([id128(1)]);
    expect(ids(store, { service: 'mall', operation: 'GET /users', limit: 20 })).toEqual([]);
    expect(ids(store, { service: 'users', operation: 'GET /users', limit: 20 })).toEqual([id128(1)]);
  });

  it('min/max duration hold for one span of that service and operation, not the trace', () => {
    const store = loaded();
    expect(ids(store, { service: 'mall', minDurationNs: 50e6, limit: 20 })).toEqual([id128(1)]);
    expect(ids(store, { service: 'mall', maxDurationNs: 2e6, limit: 20 })).toEqual([id128(2)]);
    // trace 1's mall has a 90 ms span, but its `users GET /users` span took 6 ms
    expect(ids(store, { service: 'mall', operation: 'users GET /users', minDurationNs: 50e6, limit: 20 })).toEqual([]);
    expect(ids(store, { service: 'mall', operation: 'users GET /users', minDurationNs: 5e6, maxDurationNs: 7e6, limit: 20 })).toEqual([id128(1)]);
    // users took 5 ms in trace 1; the gateway's 100 ms does not count for users
    expect(ids(store, { service: 'users', minDurationNs: 10e6, limit: 20 })).toEqual([]);
  });

  it("by the span's start within start..end", () => {
    const store = loaded();
    expect(ids(store, { service: 'mall', startUs: T0 + 500_000, limit: 20 })).toEqual([id128(2)]);
    expect(ids(store, { service: 'mall', startUs: T0, endUs: T0 + 100, limit: 20 })).toEqual([id128(1)]);
    expect(ids(store, { service: 'mall', lookbackMs: 0.5, now: (T0 + 1_000_200) / 1000, limit: 20 })).toEqual([id128(2)]);
  });

  it("tags match the span's tags (as Jaeger renders them), its process's tags or its logs' fields, all on one span", () => {
    const store = loaded();
    expect(ids(store, { service: 'users', tags: { 'http.response.status_code': '404' }, limit: 20 })).toEqual([id128(1)]);
    expect(ids(store, { service: 'users', tags: { error: 'true' }, limit: 20 })).toEqual([id128(1)]);
    expect(ids(store, { service: 'users', tags: { 'otel.status_code': 'ERROR' }, limit: 20 })).toEqual([id128(1)]);
    expect(ids(store, { service: 'mall', tags: { 'span.kind': 'client' }, limit: 20 })).toEqual([id128(2), id128(1)]);
    expect(ids(store, { service: 'users', tags: { 'k8s.namespace.name': 'base' }, limit: 20 })).toEqual([id128(1)]);
    expect(ids(store, { service: 'users', tags: { event: 'lookup', 'user.known': 'false' }, limit: 20 })).toEqual([id128(1)]);
    // service.name is the process's name, not one of its tags
    expect(ids(store, { service: 'users', tags: { 'service.name': 'users' }, limit: 20 })).toEqual([]);
    // every tag on the same span: mall's client span names peer users, its server span is not a client
    expect(ids(store, { service: 'mall', tags: { 'peer.service': 'users', 'span.kind': 'client' }, limit: 20 })).toEqual([id128(1)]);
    expect(ids(store, { service: 'mall', tags: { 'peer.service': 'users', 'span.kind': 'server' }, limit: 20 })).toEqual([]);
    // errors are on users' span, not mall's
    expect(ids(store, { service: 'mall', tags: { error: 'true' }, limit: 20 })).toEqual([]);
  });

  it('compares a float64 tag as KeyValue.AsString renders it', () => {
    expect([1.5, 100, 0.0001, 0.00001, 1e10, 123456789012, 12345.678, -2.25, 0].map(formatFloatG10)).toEqual([
      '1.5',
      '100',
      '0.0001',
      '1e-05',
      '1e+10',
      '1.23456789e+11',
      '12345.678',
      '-2.25',
      '0',
    ]);
    const store = new TraceStore();
    store.add([span(id128(1), sid(1), 'scores', 1, undefined, { tags: { score: new Float64(98), weight: 1e10 } })]);
    expect(ids(store, { service: 'scores', tags: { score: '98' }, limit: 5 })).toEqual([id128(1)]);
    expect(ids(store, { service: 'scores', tags: { weight: '10000000000' }, limit: 5 })).toEqual([id128(1)]);
  });

  it('operations by service, all kinds or one ("" for unspecified), remembered past their traces', () => {
    const store = loaded();
    store.add([span(id128(3), sid(21), 'mall', 1, undefined, { kind: 'unspecified', operation: 'render' })]);
    expect(store.operations('mall')).toEqual([
      { name: 'GET /api/mall', spanKind: 'server' },
      { name: 'render', spanKind: '' },
      { name: 'users GET /users', spanKind: 'client' },
    ]);
    expect(store.operations('mall', 'server')).toEqual([{ name: 'GET /api/mall', spanKind: 'server' }]);
    expect(store.operations('mall', 'producer')).toEqual([]);
    expect(store.operations('nobody')).toEqual([]);
    expect(store.services()).toEqual(['gateway', 'mall', 'users']);
  });

  it('dependencies: a span whose parent is in another service is one call parent → child', () => {
    const store = loaded();
    const end = T0 + 2_000_000;
    expect(store.dependencies(end, 10_000_000)).toEqual([
      { parent: 'gateway', child: 'mall', callCount: 1 },
      { parent: 'mall', child: 'users', callCount: 1 },
    ]);
    // only traces with a span that started inside the window
    expect(store.dependencies(T0 + 900_000, 800_000)).toEqual([]);
    expect(store.dependencies(T0 + 1, 10)).toEqual([
      { parent: 'gateway', child: 'mall', callCount: 1 },
      { parent: 'mall', child: 'users', callCount: 1 },
    ]);
    store.add([span(id128(9), sid(91), 'mall', T0 + 10, undefined), span(id128(9), sid(92), 'users', T0 + 20, sid(91)), span(id128(9), sid(93), 'users', T0 + 30, sid(91))]);
    expect(store.dependencies(end, 10_000_000)).toContainEqual({ parent: 'mall', child: 'users', callCount: 3 });
  });
});

describe('OTLP/HTTP JSON', () => {
  const request = (spanFields: Record<string, unknown>, resource = [{ key: 'service.name', value: { stringValue: 'scores' } }, { key: 'service.version', value: { stringValue: 'v1' } }]) =>
    Buffer.from(
      JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: resource },
            scopeSpans: [
              {
                scope: { name: '@opentelemetry/instrumentation-http', version: '0.200.0' },
                spans: [{ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'GET /scores', startTimeUnixNano: '1544712660000000000', endTimeUnixNano: '1544712661500000999', ...spanFields }],
              },
            ],
          },
        ],
      }),
    );

  it('decodes resource, kind, status, scope, trace state, attributes of every type, events and links', () => {
    const [decoded] = decodeTraces(
      request({
        parentSpanId: 'eee19b7ec3c1b173',
        kind: 2,
        traceState: 'k=v',
        attributes: [
          { key: 'http.response.status_code', value: { intValue: '500' } },
          { key: 'big', value: { intValue: '9007199254740993' } },
          { key: 'ratio', value: { doubleValue: 0.25 } },
          { key: 'whole', value: { doubleValue: 3 } },
          { key: 'ok', value: { boolValue: true } },
          { key: 'blob', value: { bytesValue: 'AQI=' } },
          { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a<b' }, { intValue: 1 }] } } },
          { key: 'map', value: { kvlistValue: { values: [{ key: 'z', value: { boolValue: false } }, { key: 'a', value: {} }] } } },
          { key: 'empty', value: {} },
        ],
        status: { code: 2, message: 'boom' },
        events: [{ timeUnixNano: '1544712660500000999', name: 'exception', attributes: [{ key: 'exception.type', value: { stringValue: 'Error' } }] }],
        links: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', attributes: [{ key: 'opentracing.ref_type', value: { stringValue: 'child_of' } }] }],
      }),
      'application/json',
    );
    expect(decoded).toEqual({
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      parentSpanId: 'eee19b7ec3c1b173',
      service: 'scores',
      operation: 'GET /scores',
      startUs: 1544712660000000,
      durationUs: 1_500_000,
      kind: 'server',
      tags: {
        'http.response.status_code': 500,
        big: 9007199254740993n,
        ratio: 0.25,
        whole: new Float64(3),
        ok: true,
        blob: Buffer.from([1, 2]),
        list: '["a\\u003cb",1]',
        map: '{"a":null,"z":false}',
        empty: '',
      },
      process: { 'service.name': 'scores', 'service.version': 'v1' },
      status: { code: 2, message: 'boom' },
      scope: { name: '@opentelemetry/instrumentation-http', version: '0.200.0' },
      traceState: 'k=v',
      events: [{ timeUs: 1544712660500000, name: 'exception', attributes: { 'exception.type': 'Error' } }],
      links: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', attributes: { 'opentracing.ref_type': 'child_of' } }],
    });
  });

  it("takes enums by name, an all-zero parent as none, and names the process as Jaeger's translator does", () => {
    const [byName] = decodeTraces(request({ kind: 'SPAN_KIND_CLIENT', status: { code: 'STATUS_CODE_OK' }, parentSpanId: '0000000000000000' }), 'application/json');
    expect(byName).toMatchObject({ kind: 'client', status: { code: 1, message: '' }, parentSpanId: undefined });
    expect(byName!.events).toBeUndefined();
    expect(decodeTraces(request({}, []), 'application/json')[0]!.service).toBe('OTLPResourceNoServiceName');
    expect(decodeTraces(request({}, [{ key: 'host.name', value: { stringValue: 'h' } }]), 'application/json')[0]!.service).toBe('');
  });

  it('refuses what is not an export request, with a reason', () => {
    expect(() => decodeTraces(Buffer.from('nope'), 'application/json')).toThrow(OtlpError);
    expect(() => decodeTraces(Buffer.from('{}'), 'text/plain')).toThrow('unsupported content type text/plain');
    expect(() => decodeTraces(Buffer.from('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"x"}]}]}]}'), 'application/json')).toThrow('valid traceId');
    expect(() => decodeTraces(request({ links: [{ traceId: 'nothex', spanId: 'b7ad6b7169203331' }] }), 'application/json')).toThrow('link without a valid traceId');
    expect(() => decodeTraces(Buffer.from([0xff, 0xff, 0xff]), 'application/x-protobuf')).toThrow(OtlpError);
    // JSON that parses but is not shaped as the schema says: refused as such, never a TypeError that reaches the server.
    const valid = { traceId: '0102030405060708090a0b0c0d0e0f10', spanId: '0102030405060708', name: 'x' };
    for (const body of [
      'null',
      '{"resourceSpans":[null]}',
      '{"resourceSpans":[{"scopeSpans":[null]}]}',
      JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...valid, startTimeUnixNano: 'abc' }] }] }] }),
      JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'a', value: { intValue: 'x' } }] }, scopeSpans: [] }] }),
      // Accepted once and stored, these broke every page that showed the trace.
      JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...valid, traceState: {} }] }] }] }),
      JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...valid, status: { code: 2, message: {} } }] }] }] }),
      JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...valid, name: 7 }] }] }] }),
      JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...valid, attributes: [{ key: 'a', value: { stringValue: {} } }] }] }] }] }),
      JSON.stringify({ resourceSpans: [{ scopeSpans: [{ scope: { name: [] }, spans: [valid] }] }] }),
    ]) {
      expect(() => decodeTraces(Buffer.from(body), 'application/json'), body).toThrow(OtlpError);
    }
  });
});

describe('OTLP/HTTP protobuf', () => {
  /** Encoded by hand with trace.proto's field numbers, independently of otlp.ts's schema. */
  function exportRequest(): Buffer {
    const w = protobuf.Writer.create();
    const bytes = (field: number, hex: string) => w.uint32((field << 3) | 2).bytes(Buffer.from(hex, 'hex'));
    const str = (field: number, s: string) => w.uint32((field << 3) | 2).string(s);
    const fixed64 = (field: number, v: bigint) => w.uint32((field << 3) | 1).fixed64(protobuf.util.LongBits.from(v.toString()).toLong(true));
    const kv = (field: number, key: string, value: () => void) => {
      w.uint32((field << 3) | 2).fork();
      str(1, key);
      w.uint32((2 << 3) | 2).fork();
      value();
      w.ldelim().ldelim();
    };
    w.uint32((1 << 3) | 2).fork(); // ExportTraceServiceRequest.resource_spans = 1
    w.uint32((1 << 3) | 2).fork(); // ResourceSpans.resource = 1
    kv(1, 'service.name', () => str(1, 'recommend'));
    w.ldelim();
    w.uint32((2 << 3) | 2).fork(); // ResourceSpans.scope_spans = 2
    w.uint32((1 << 3) | 2).fork(); // ScopeSpans.scope = 1
    str(1, 'kit');
    str(2, '1.0');
    w.ldelim();
    w.uint32((2 << 3) | 2).fork(); // ScopeSpans.spans = 2
    bytes(1, '5b8efff798038103d269b633813fc60c'); // trace_id
    bytes(2, 'eee19b7ec3c1b174'); // span_id
    str(3, 'k=v'); // trace_state
    bytes(4, 'eee19b7ec3c1b173'); // parent_span_id
    str(5, 'scores GET /scores'); // name
    w.uint32(6 << 3).int32(3); // kind = CLIENT
    fixed64(7, 1544712660000000000n);
    fixed64(8, 1544712660002000000n);
    kv(9, 'peer.service', () => str(1, 'scores'));
    kv(9, 'retries', () => w.uint32(3 << 3).int64(2)); // int_value = 3
    kv(9, 'weight', () => w.uint32((4 << 3) | 1).double(1.5)); // double_value = 4
    w.uint32((11 << 3) | 2).fork(); // events = 11
    fixed64(1, 1544712660001000000n);
    str(2, 'retry');
    kv(3, 'attempt', () => w.uint32(3 << 3).int64(1));
    w.ldelim();
    w.uint32((13 << 3) | 2).fork(); // links = 13
    bytes(1, '0af7651916cd43dd8448eb211c80319c');
    bytes(2, 'b7ad6b7169203331');
    w.ldelim();
    w.uint32((15 << 3) | 2).fork(); // status = 15
    str(2, 'timeout');
    w.uint32(3 << 3).int32(2);
    w.ldelim();
    w.ldelim().ldelim().ldelim();
    return Buffer.from(w.finish());
  }

  it('decodes every field the model needs', () => {
    expect(decodeTraces(exportRequest(), 'application/x-protobuf')).toEqual([
      {
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
        parentSpanId: 'eee19b7ec3c1b173',
        service: 'recommend',
        operation: 'scores GET /scores',
        startUs: 1544712660000000,
        durationUs: 2000,
        kind: 'client',
        tags: { 'peer.service': 'scores', retries: 2, weight: 1.5 },
        process: { 'service.name': 'recommend' },
        status: { code: 2, message: 'timeout' },
        scope: { name: 'kit', version: '1.0' },
        traceState: 'k=v',
        events: [{ timeUs: 1544712660001000, name: 'retry', attributes: { attempt: 1 } }],
        links: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', attributes: {} }],
      },
    ]);
  });
});
