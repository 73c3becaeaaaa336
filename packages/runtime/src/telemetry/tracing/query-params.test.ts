import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { handleJaegerApi } from './jaeger-api.js';
import {
  goQuote,
  goQuoteBytes,
  parseDependencies,
  parseGetTrace,
  parseGoBool,
  parseGoDuration,
  parseGoInt,
  parseLookback,
  parseModelTraceId,
  parseOperations,
  parsePathTraceId,
  parseTraceSearch,
  unmarshalStringMap,
  unsupportedParameter,
  TRACE_SEARCH_PARAMETERS,
} from './query-params.js';
import { TraceStore } from './store.js';

const NOW_MS = 1_700_000_000_000;
const NOW_US = NOW_MS * 1000;
const search = (query: string) => parseTraceSearch(new URLSearchParams(query), NOW_MS);
const searchError = (query: string) => {
  const parsed = search(query);
  return parsed.ok ? undefined : parsed.error;
};
const searchOk = (query: string) => {
  const parsed = search(query);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};

describe('Go formatting and parsing (strconv, time, encoding/json)', () => {
  it('strconv.Quote', () => {
    expect(goQuote('abc')).toBe('"abc"');
    expect(goQuote('a"b\\c\n\t')).toBe('"a\\"b\\\\c\\n\\t"');
    expect(goQuote('é日本')).toBe('"é日本"');
    expect(goQuote('\u00a0\u0001\u007f')).toBe('"\\u00a0\\x01\\x7f"');
  });

  it('strconv.ParseInt and ParseBool', () => {
    expect(parseGoInt('-42', 64)).toEqual({ ok: true, value: -42n });
    expect(parseGoInt('+7', 32)).toEqual({ ok: true, value: 7n });
    expect(parseGoInt('1_000', 64)).toEqual({ ok: false, error: 'strconv.ParseInt: parsing "1_000": invalid syntax' });
    expect(parseGoInt('2147483648', 32)).toEqual({ ok: false, error: 'strconv.ParseInt: parsing "2147483648": value out of range' });
    expect(parseGoInt('-2147483648', 32)).toEqual({ ok: true, value: -2147483648n });
    expect(parseGoInt('9223372036854775808', 64).ok).toBe(false);
    // ParseUint stops at the overflow before it sees the later garbage
    expect(parseGoInt('99999999999999999999x', 64)).toEqual({ ok: false, error: 'strconv.ParseInt: parsing "99999999999999999999x": value out of range' });
    expect(parseGoBool('True')).toEqual({ ok: true, value: true });
    expect(parseGoBool('0')).toEqual({ ok: true, value: false });
    expect(parseGoBool('yes')).toEqual({ ok: false, error: 'strconv.ParseBool: parsing "yes": invalid syntax' });
  });

  it('time.ParseDuration: units, fractions, signs, and its error messages', () => {
    const ns = (s: string) => {
      const d = parseGoDuration(s);
      return d.ok ? d.value : d.error;
    };
    expect(ns('1.5s')).toBe(1_500_000_000n);
    expect(ns('100ms')).toBe(100_000_000n);
    expect(ns('1h2m')).toBe(3_720_000_000_000n);
    expect(ns('2h45m30.5s')).toBe(9_930_500_000_000n);
    expect(ns('10us')).toBe(10_000n);
    expect(ns('10µs')).toBe(10_000n);
    expect(ns('10μs')).toBe(10_000n);
    expect(ns('250ns')).toBe(250n);
    expect(ns('.5s')).toBe(500_000_000n);
    expect(ns('1.s')).toBe(1_000_000_000n);
    expect(ns('-1.5ms')).toBe(-1_500_000n);
    expect(ns('0')).toBe(0n);
    expect(ns('+0')).toBe(0n);
    expect(ns('9223372036854775807ns')).toBe(9223372036854775807n);
    expect(ns('-9223372036854775808ns')).toBe(-9223372036854775808n);
    expect(ns('9223372036854775808ns')).toBe('time: invalid duration "9223372036854775808ns"');
    expect(ns('x')).toBe('time: invalid duration "x"');
    expect(ns('-')).toBe('time: invalid duration "-"');
    expect(ns('.s')).toBe('time: invalid duration ".s"');
    expect(ns('20')).toBe('time: missing unit in duration "20"');
    expect(ns('1.')).toBe('time: missing unit in duration "1."');
    expect(ns('00')).toBe('time: missing unit in duration "00"');
    expect(ns('1d')).toBe('time: unknown unit "d" in duration "1d"');
    expect(ns('1sec')).toBe('time: unknown unit "sec" in duration "1sec"');
    // time's own quoting: every byte outside printable ASCII as \x
    expect(ns('1µ')).toBe('time: unknown unit "\\xc2\\xb5" in duration "1\\xc2\\xb5"');
    expect(ns('1"s"')).toBe('time: unknown unit "\\"s\\"" in duration "1\\"s\\""');
    expect(ns('3000000h')).toBe('time: invalid duration "3000000h"');
  });

  it('json.Unmarshal into map[string]string: syntax errors as the scanner words them, then type errors', () => {
    const un = (s: string) => {
      const r = unmarshalStringMap(s);
      return r.ok ? r.value : r.error;
    };
    expect(un('{"error":"true","http.status_code":"500"}')).toEqual({ error: 'true', 'http.status_code': '500' });
    expect(un(' {"a":"1","a":"2", "b" : null}\n')).toEqual({ a: '2', b: '' });
    expect(un('null')).toBeNull();
    expect(un('{}')).toEqual({});
    expect(un('')).toBe('unexpected end of JSON input');
    expect(un('{"a":"b"')).toBe('unexpected end of JSON input');
    expect(un('{"a')).toBe('unexpected end of JSON input');
    expect(un('{bad}')).toBe("invalid character 'b' looking for beginning of object key string");
    expect(un('{"a" "b"}')).toBe(`invalid character '"' after object key`);
    expect(un('{"a":"b" "c":"d"}')).toBe(`invalid character '"' after object key:value pair`);
    expect(un('{"a":"b"}x')).toBe("invalid character 'x' after top-level value");
    expect(un('{"a":}')).toBe("invalid character '}' looking for beginning of value");
    expect(un('[1,]')).toBe("invalid character ']' looking for beginning of value");
    expect(un('[1 2]')).toBe("invalid character '2' after array element");
    expect(un('{"a":nul}')).toBe("invalid character '}' in literal null (expecting 'l')");
    expect(un('tru')).toBe("invalid character ' ' in literal true (expecting 'e')");
    expect(un('{"a":1.}')).toBe("invalid character '}' after decimal point in numeric literal");
    expect(un('{"a":1e}')).toBe("invalid character '}' in exponent of numeric literal");
    expect(un('{"a":-x}')).toBe("invalid character 'x' in numeric literal");
    expect(un('{"a":"\\x"}')).toBe("invalid character 'x' in string escape code");
    expect(un('{"a":"\\u12g4"}')).toBe("invalid character 'g' in \\u hexadecimal character escape");
    expect(un('{"a":"\t"}')).toBe("invalid character '\\t' in string literal");
    expect(un("{'a':'b'}")).toBe("invalid character '\\'' looking for beginning of object key string");
    expect(un('[1]')).toBe('json: cannot unmarshal array into Go value of type map[string]string');
    expect(un('"x"')).toBe('json: cannot unmarshal string into Go value of type map[string]string');
    expect(un('{"x":123}')).toBe('json: cannot unmarshal number into Go struct field .x of type string');
    // the first wrong value in the document's order, even with integer-like keys
    expect(un('{"b":"ok","2":true,"1":[1]}')).toBe('json: cannot unmarshal bool into Go struct field .2 of type string');
    expect(un('{"o":{"x":1}}')).toBe('json: cannot unmarshal object into Go struct field .o of type string');
  });

  it("trace ids: model.TraceIDFromString, and apiv3's base64 fallback for a path", () => {
    expect(parseModelTraceId('5b8efff798038103d269b633813fc60c')).toEqual({ ok: true, value: { key: '5b8efff798038103d269b633813fc60c', text: '5b8efff798038103d269b633813fc60c' } });
    expect(parseModelTraceId('ABC')).toEqual({ ok: true, value: { key: '00000000000000000000000000000abc', text: '0000000000000abc' } });
    expect(parseModelTraceId('1d269b633813fc60c')).toEqual({ ok: true, value: { key: '0000000000000001d269b633813fc60c', text: '0000000000000001d269b633813fc60c' } });
    expect(parseModelTraceId('x200')).toEqual({ ok: false, error: 'strconv.ParseUint: parsing "x200": invalid syntax' });
    expect(parseModelTraceId('zz269b633813fc60c')).toEqual({ ok: false, error: 'strconv.ParseUint: parsing "z": invalid syntax' });
    expect(parseModelTraceId('')).toEqual({ ok: false, error: 'strconv.ParseUint: parsing "": invalid syntax' });
    expect(parseModelTraceId('1'.repeat(33))).toEqual({ ok: false, error: `TraceID cannot be longer than 32 hex characters: ${'1'.repeat(33)}` });

    const id = Buffer.from('5b8efff798038103d269b633813fc60c', 'hex');
    for (const encoded of [id.toString('base64'), id.toString('base64url'), id.toString('base64').replace(/=+$/, '')]) {
      expect(parsePathTraceId(encoded)).toEqual({ ok: true, value: { key: '5b8efff798038103d269b633813fc60c', text: '5b8efff798038103d269b633813fc60c' } });
    }
    // not hex; raw base64 of two bytes
    expect(parsePathTraceId('xyz')).toEqual({ ok: false, error: 'invalid length for TraceID' });
    // longer than base64 of 16 bytes: the hex error
    expect(parsePathTraceId('z'.repeat(25))).toEqual({ ok: false, error: `strconv.ParseUint: parsing "${'z'.repeat(9)}": invalid syntax` });
    expect(parsePathTraceId('!!')).toEqual({ ok: false, error: 'strconv.ParseUint: parsing "!!": invalid syntax' });
  });
});

describe('/api/traces parameters (parseTraceQueryParams)', () => {
  it("requires a service unless trace ids are given, and defaults as jaeger-query does", () => {
    expect(searchError('')).toBe("parameter 'service' is required");
    expect(searchError('operation=GET')).toBe("parameter 'service' is required");
    expect(searchOk('service=mall')).toEqual({
      service: 'mall',
      operation: '',
      tags: {},
      startUs: NOW_US - 2 * 24 * 3600e6,
      endUs: NOW_US,
      minDurationNs: 0,
      maxDurationNs: 0,
      limit: 100,
      traceIDs: [],
      raw: false,
    });
    // Jaeger UI sends an empty value (query-string's null) for durations it has not got
    expect(searchOk('service=mall&minDuration&maxDuration=&operation=').minDurationNs).toBe(0);
  });

  it('start and end in microseconds since the epoch', () => {
    expect(searchOk('service=mall&start=1700000000000000&end=1700000060000000')).toMatchObject({ startUs: 1700000000000000, endUs: 1700000060000000 });
    expect(searchError('service=mall&start=abc')).toBe(`unable to parse param 'start': strconv.ParseInt: parsing "abc": invalid syntax`);
    expect(searchError('service=mall&end=1.5')).toBe(`unable to parse param 'end': strconv.ParseInt: parsing "1.5": invalid syntax`);
  });

  it('durations in Go syntax, and max not below min', () => {
    expect(searchOk('service=mall&minDuration=1.5ms&maxDuration=1h2m')).toMatchObject({ minDurationNs: 1_500_000, maxDurationNs: 3_720_000_000_000 });
    expect(searchOk('service=mall&minDuration=500us').minDurationNs).toBe(500_000);
    expect(searchOk('service=mall&minDuration=500µs').minDurationNs).toBe(500_000);
    expect(searchError('service=mall&minDuration=x')).toBe(`unable to parse param 'minDuration': time: invalid duration "x"`);
    expect(searchError('service=mall&minDuration=20s&maxDuration=30')).toBe(`unable to parse param 'maxDuration': time: missing unit in duration "30"`);
    expect(searchError('service=mall&minDuration=2s&maxDuration=1s')).toBe("'maxDuration' should be greater than 'minDuration'");
    // equal is allowed; one bound alone is not compared
    expect(searchOk('service=mall&minDuration=1s&maxDuration=1s').maxDurationNs).toBe(1e9);
    expect(searchOk('service=mall&maxDuration=1ms').maxDurationNs).toBe(1e6);
  });

  it('tag=k:v (repeatable; the value keeps its colons) and tags={json} (repeatable, overriding tag)', () => {
    expect(searchOk('service=mall&tag=error:true&tag=http.url:http://x:80/a').tags).toEqual({ error: 'true', 'http.url': 'http://x:80/a' });
    expect(searchOk(`service=mall&tag=a:1&tags=${encodeURIComponent('{"a":"2","b":"x"}')}&tags=${encodeURIComponent('{"c":"y"}')}`).tags).toEqual({ a: '2', b: 'x', c: 'y' });
    expect(searchOk('service=mall&tags=null').tags).toEqual({});
    expect(searchError('service=mall&tag=k:v&tag=k')).toBe("malformed 'tag' parameter, expecting key:value, received: k");
    expect(searchError('service=mall&tag=')).toBe("malformed 'tag' parameter, expecting key:value, received: ");
    expect(searchError(`service=mall&tags=${encodeURIComponent('{"x":123}')}`)).toBe(
      "malformed 'tags' parameter, cannot unmarshal JSON: json: cannot unmarshal number into Go struct field .x of type string",
    );
    expect(searchError('service=mall&tags=error=true')).toBe("malformed 'tags' parameter, cannot unmarshal JSON: invalid character 'e' looking for beginning of value");
  });

  it("limit: Jaeger's default 100; strconv's error as it is, not wrapped", () => {
    expect(searchOk('service=mall&limit=20').limit).toBe(20);
    expect(searchOk('service=mall&limit=').limit).toBe(100);
    expect(searchOk('service=mall&limit=0').limit).toBe(0);
    expect(searchError('service=mall&limit=abc')).toBe('strconv.ParseInt: parsing "abc": invalid syntax');
    expect(searchError('service=mall&limit=99999999999')).toBe('strconv.ParseInt: parsing "99999999999": value out of range');
  });

  it('traceID, repeated, returns those traces whatever the service', () => {
    const parsed = searchOk('traceID=5b8efff798038103d269b633813fc60c&traceID=abc');
    expect(parsed.traceIDs).toEqual([
      { key: '5b8efff798038103d269b633813fc60c', text: '5b8efff798038103d269b633813fc60c' },
      { key: '00000000000000000000000000000abc', text: '0000000000000abc' },
    ]);
    expect(searchError('traceID=100&traceID=x200')).toBe('cannot parse traceID param: strconv.ParseUint: parsing "x200": invalid syntax');
  });

  it('raw is a Go bool', () => {
    expect(searchOk('service=mall&raw=true').raw).toBe(true);
    expect(searchOk('service=mall&raw=0').raw).toBe(false);
    expect(searchError('service=mall&raw=foobar')).toBe(`unable to parse param 'raw': strconv.ParseBool: parsing "foobar": invalid syntax`);
  });

  it("lookback: Jaeger UI's values start the window when start is absent; custom leaves it to start/end", () => {
    expect(searchOk('service=mall&lookback=1h').startUs).toBe(NOW_US - 3600e6);
    expect(searchOk('service=mall&lookback=15m').startUs).toBe(NOW_US - 900e6);
    expect(searchOk('service=mall&lookback=2d').startUs).toBe(NOW_US - 2 * 86400e6);
    expect(searchOk('service=mall&lookback=1w').startUs).toBe(NOW_US - 7 * 86400e6);
    // Jaeger UI sends start and end with every lookback: they decide
    expect(searchOk('service=mall&lookback=1h&start=1600000000000000&end=1600000001000000')).toMatchObject({ startUs: 1600000000000000, endUs: 1600000001000000 });
    // Grafana sends lookback=custom with start and end
    expect(searchOk('service=mall&lookback=custom&start=1600000000000000&end=1600000001000000')).toMatchObject({ startUs: 1600000000000000, endUs: 1600000001000000 });
    expect(searchOk('service=mall&lookback=custom').startUs).toBe(NOW_US - 2 * 86400e6);
    expect(searchError('service=mall&lookback=1.5h')).toMatch(/^unable to parse param 'lookback': expecting 'custom' or a whole number followed by s, m, h, d, w, M or y .*received: 1\.5h$/);
    const month = parseLookback('1M', new Date(2024, 2, 31, 12).getTime());
    expect(month.ok && new Date(month.value as number / 1000)).toEqual(new Date(2024, 1, 29, 12));
  });

  it('a parameter the endpoint does not read is refused, naming it', () => {
    expect(unsupportedParameter(new URLSearchParams('service=mall&lookback=1h&prettyPrint=true'), TRACE_SEARCH_PARAMETERS)).toBeUndefined();
    expect(unsupportedParameter(new URLSearchParams('service=mall&spanKind=server'), TRACE_SEARCH_PARAMETERS)).toMatch(/^parameter 'spanKind' is not supported by this endpoint; it takes service, operation, /);
  });
});

describe('the other endpoints', () => {
  it('/api/traces/{id}: the id, then start, end (µs) and raw, parsed when given', () => {
    expect(parseGetTrace('abc', new URLSearchParams(''))).toEqual({ ok: true, value: { traceId: { key: '00000000000000000000000000000abc', text: '0000000000000abc' }, startUs: undefined, endUs: undefined, raw: false } });
    expect(parseGetTrace('abc', new URLSearchParams('start=10&end=20&raw=true'))).toMatchObject({ ok: true, value: { startUs: 10, endUs: 20, raw: true } });
    expect(parseGetTrace('abc', new URLSearchParams('start=x'))).toEqual({ ok: false, error: `unable to parse param 'start': strconv.ParseInt: parsing "x": invalid syntax` });
    expect(parseGetTrace('xyz', new URLSearchParams(''))).toEqual({ ok: false, error: 'invalid length for TraceID' });
  });

  it('/api/operations requires a service; spanKind is optional', () => {
    expect(parseOperations(new URLSearchParams('service=mall&spanKind=server'))).toEqual({ ok: true, value: { service: 'mall', spanKind: 'server' } });
    expect(parseOperations(new URLSearchParams('service=mall'))).toEqual({ ok: true, value: { service: 'mall', spanKind: '' } });
    expect(parseOperations(new URLSearchParams('spanKind=server'))).toEqual({ ok: false, error: "parameter 'service' is required" });
  });

  it('/api/dependencies: endTs and lookback in milliseconds, lookback 24h by default', () => {
    const deps = (q: string) => parseDependencies(new URLSearchParams(q), NOW_MS);
    expect(deps('')).toEqual({ ok: true, value: { endUs: NOW_US, lookbackUs: 86400e6, service: '' } });
    expect(deps('endTs=1600000000000&lookback=604800000&service=mall')).toEqual({ ok: true, value: { endUs: 1600000000000000, lookbackUs: 604800e6, service: 'mall' } });
    expect(deps('lookback=1h')).toEqual({ ok: false, error: `unable to parse param 'lookback': strconv.ParseInt: parsing "1h": invalid syntax` });
    expect(deps('endTs=now')).toEqual({ ok: false, error: `unable to parse param 'endTs': strconv.ParseInt: parsing "now": invalid syntax` });
  });
});

describe('over HTTP (handleJaegerApi)', () => {
  const T = Date.now() * 1000;
  const traceId = '5b8efff798038103d269b633813fc60c';
  function store(): TraceStore {
    const s = new TraceStore(50);
    const base = { durationUs: 1000, tags: {}, kind: 'server' as const };
    s.add([
      { ...base, traceId, spanId: '00000000000000a1', parentSpanId: undefined, service: 'mall', operation: 'GET /api/mall', startUs: T, process: { 'service.name': 'mall' } },
      { ...base, traceId, spanId: '00000000000000b2', parentSpanId: '00000000000000a1', service: 'users', operation: 'GET /users', startUs: T + 10, process: { 'service.name': 'users' }, tags: { note: '<&>' } },
    ]);
    return s;
  }
  function call(path: string, s = store()): { status: number; headers: Record<string, unknown>; body: string; json: any; handled: boolean } {
    const out = { status: 0, headers: {} as Record<string, unknown>, body: '' };
    const res = {
      writeHead(status: number, headers: Record<string, unknown>) {
        out.status = status;
        out.headers = headers;
        return this;
      },
      end(text: string) {
        out.body = text;
      },
    };
    const handled = handleJaegerApi(s, new URL(path, 'http://viewer'), res as unknown as ServerResponse, {} as IncomingMessage);
    return { ...out, json: out.body ? JSON.parse(out.body) : undefined, handled };
  }

  it('answers with the structuredResponse envelope', () => {
    const services = call('/api/services');
    expect(services.status).toBe(200);
    expect(services.headers['content-type']).toBe('application/json');
    expect(services.body).toBe('{"data":["mall","users"],"total":2,"limit":0,"offset":0,"errors":null}');
    expect(call('/api/services/users/operations').json).toEqual({ data: ['GET /users'], total: 1, limit: 0, offset: 0, errors: null });
    expect(call('/api/services/nobody/operations').json.data).toBeNull();
    expect(call('/api/operations?service=mall&spanKind=server').json).toEqual({ data: [{ name: 'GET /api/mall', spanKind: 'server' }], total: 1, limit: 0, offset: 0, errors: null });
    const search = call('/api/traces?service=users&lookback=1h&limit=20');
    expect(search.json).toMatchObject({ total: 0, limit: 0, offset: 0, errors: null });
    expect(search.json.data.map((t: { traceID: string }) => t.traceID)).toEqual([traceId]);
    // encoding/json escapes <, > and &
    expect(search.body).toContain('"value":"\\u003c\\u0026\\u003e"');
    expect(call('/api/dependencies').json).toEqual({ data: [{ parent: 'mall', child: 'users', callCount: 1 }], total: 0, limit: 0, offset: 0, errors: null });
    expect(call('/api/dependencies?service=gateway').json.data).toEqual([]);
    expect(call(`/api/traces/${traceId}`).json).toMatchObject({ data: [{ traceID: traceId }], total: 0, errors: null });
  });

  it('prettyPrint indents as MarshalIndent with four spaces', () => {
    expect(call('/api/services?prettyPrint=true').body).toBe('{\n    "data": [\n        "mall",\n        "users"\n    ],\n    "total": 2,\n    "limit": 0,\n    "offset": 0,\n    "errors": null\n}');
    expect(call('/api/services?prettyPrint=false').body).not.toContain('\n');
  });

  it("errors as http.Error writes handleError's envelope: text/plain, nosniff, a newline", () => {
    const bad = call('/api/traces?service=mall&minDuration=x');
    expect(bad.status).toBe(400);
    expect(bad.headers).toMatchObject({ 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
    expect(bad.body).toBe('{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":400,"msg":"unable to parse param \'minDuration\': time: invalid duration \\"x\\""}]}\n');
    expect(call('/api/traces').json.errors).toEqual([{ code: 400, msg: "parameter 'service' is required" }]);
    expect(call('/api/operations').json.errors).toEqual([{ code: 400, msg: "parameter 'service' is required" }]);
    expect(call('/api/traces?service=mall&foo=1').json.errors[0].msg).toMatch(/^parameter 'foo' is not supported by this endpoint/);
    expect(call('/api/services?service=mall').status).toBe(400);
    expect(call(`/api/traces/${traceId}?lookback=1h`).status).toBe(400);
    const missing = call('/api/traces/00000000000000000000000000000abc');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 404, msg: 'trace not found' }] });
    expect(call('/api/traces/xyz').json.errors).toEqual([{ code: 400, msg: 'invalid length for TraceID' }]);
    // the memory store refuses a search depth below 1 (a 400 here: the caller's input); above what it keeps, all of it
    expect(call('/api/traces?service=mall&limit=0').json.errors).toEqual([{ code: 400, msg: 'search depth must be greater than 0 and less than max traces' }]);
    expect(call('/api/traces?service=mall&limit=51').status).toBe(200);
  });

  it('traceID search: the traces found, and a code-less error per id that is not', () => {
    const found = call(`/api/traces?traceID=${traceId}&traceID=abc`);
    expect(found.status).toBe(200);
    expect(found.json.data.map((t: { traceID: string }) => t.traceID)).toEqual([traceId]);
    expect(found.json.errors).toEqual([{ msg: 'trace not found', traceID: '0000000000000abc' }]);
  });

  it('leaves other paths to the caller', () => {
    expect(call('/api/metrics/latencies').handled).toBe(false);
    expect(call('/api/services/').handled).toBe(false);
  });
});

describe('Go semantics at the edges', () => {
  it('strconv.Quote: 3- and 4-byte runes, \\u and \\U for what is not printable, \\x for bytes that are not UTF-8', () => {
    expect(goQuote('€ 😀')).toBe('"€ 😀"');
    // U+2028 (a line separator) and U+E0001 (a language tag) are not printable.
    expect(goQuote('\u2028')).toBe('"\\u2028"');
    expect(goQuote('\u{e0001}')).toBe('"\\U000e0001"');
    expect(goQuote('\u0007\b\f\v\r')).toBe('"\\a\\b\\f\\v\\r"');
    // A surrogate, an overlong encoding, a rune past U+10FFFF, a truncated rune, a byte no rune starts with.
    expect(goQuoteBytes(Uint8Array.of(0xed, 0xa0, 0x80))).toBe('"\\xed\\xa0\\x80"');
    expect(goQuoteBytes(Uint8Array.of(0xe0, 0x80, 0x80))).toBe('"\\xe0\\x80\\x80"');
    expect(goQuoteBytes(Uint8Array.of(0xf4, 0x90, 0x80, 0x80))).toBe('"\\xf4\\x90\\x80\\x80"');
    expect(goQuoteBytes(Uint8Array.of(0x61, 0xe6, 0x97))).toBe('"a\\xe6\\x97"');
    expect(goQuoteBytes(Uint8Array.of(0xff, 0x41))).toBe('"\\xffA"');
    expect(parseGoInt('', 64)).toEqual({ ok: false, error: 'strconv.ParseInt: parsing "": invalid syntax' });
  });

  it('time.ParseDuration: where an integer, a fraction or a sum goes past 1<<63', () => {
    const ns = (s: string) => {
      const d = parseGoDuration(s);
      return d.ok ? d.value : d.error;
    };
    expect(ns('99999999999999999999ns')).toBe('time: invalid duration "99999999999999999999ns"');
    expect(ns('9223372036854775809ns')).toBe('time: invalid duration "9223372036854775809ns"');
    // A fraction stops gaining precision where it would overflow, rather than failing.
    expect(ns('0.12345678901234567890123s')).toBe(123_456_789n);
    expect(ns('0.9223372036854775809s')).toBe(922_337_203n);
    expect(ns('9223372036.854775809s')).toBe('time: invalid duration "9223372036.854775809s"');
    expect(ns('9223372036854775807ns2ns')).toBe('time: invalid duration "9223372036854775807ns2ns"');
    expect(ns('9223372036854775807ns1ns')).toBe('time: invalid duration "9223372036854775807ns1ns"');
    expect(ns('-9223372036854775807ns1ns')).toBe(-9223372036854775808n);
  });

  it('json.Unmarshal: escapes, numbers, literals and empty containers through the scanner', () => {
    const un = (s: string) => {
      const r = unmarshalStringMap(s);
      return r.ok ? r.value : r.error;
    };
    expect(un('{"a":"\\b\\f\\n\\r\\t\\\\\\/\\"\\u00e9", "b\\"c" : null }')).toEqual({ a: '\b\f\n\r\t\\/"é', 'b"c': '' });
    expect(un('{"k\\"ey":-0.5e+10}')).toBe('json: cannot unmarshal number into Go struct field .k"ey of type string');
    expect(un('{"a":-1E-2}')).toBe('json: cannot unmarshal number into Go struct field .a of type string');
    expect(un('{"a":0,"b":12.25}')).toBe('json: cannot unmarshal number into Go struct field .a of type string');
    expect(un('{"a":false}')).toBe('json: cannot unmarshal bool into Go struct field .a of type string');
    expect(un('{"a":[ ]}')).toBe('json: cannot unmarshal array into Go struct field .a of type string');
    expect(un('{"a":{ }}')).toBe('json: cannot unmarshal object into Go struct field .a of type string');
    expect(un('[ ]')).toBe('json: cannot unmarshal array into Go value of type map[string]string');
    expect(un('{ }')).toEqual({});
    expect(un('{"a":01}')).toBe("invalid character '1' after object key:value pair");
    expect(un('{"a":-01}')).toBe("invalid character '1' after object key:value pair");
    expect(un('{"a":1e+}')).toBe("invalid character '}' in exponent of numeric literal");
    expect(un('{"a":1.5x}')).toBe("invalid character 'x' after object key:value pair");
    expect(un('{"a":fals}')).toBe("invalid character '}' in literal false (expecting 'e')");
    expect(un('{"a":"x"}}')).toBe("invalid character '}' after top-level value");
    expect(un('{"a":"\\u00e"}')).toBe(`invalid character '"' in \\u hexadecimal character escape`);
  });

  it('trace ids: a bad low half; base64 of 8 bytes; padding that does not fit', () => {
    expect(parseModelTraceId('1zz69b633813fc60c')).toEqual({ ok: false, error: 'strconv.ParseUint: parsing "zz69b633813fc60c": invalid syntax' });
    const eight = Buffer.from('00000000000000ab', 'hex').toString('base64');
    expect(parsePathTraceId(eight)).toEqual({ ok: true, value: { key: '000000000000000000000000000000ab', text: '00000000000000ab' } });
    const id = Buffer.from('5b8efff798038103d269b633813fc60c', 'hex').toString('base64');
    // One '=' too many for 16 bytes: no base64 decoding takes it, so the hex error stands.
    expect(parsePathTraceId(`${id.slice(0, -2)}=`)).toEqual({ ok: false, error: `strconv.ParseUint: parsing ${goQuote(id.slice(0, 7))}: invalid syntax` });
    expect(parseGetTrace('abc', new URLSearchParams('raw=yes'))).toEqual({ ok: false, error: `unable to parse param 'raw': strconv.ParseBool: parsing "yes": invalid syntax` });
  });

  it("lookback in years: dayjs's arithmetic, the day clamped to the month's last", () => {
    const year = parseLookback('1y', new Date(2024, 1, 29, 12).getTime());
    expect(year.ok && new Date((year.value as number) / 1000)).toEqual(new Date(2023, 1, 28, 12));
    const two = parseLookback('2M', new Date(2024, 0, 15, 9).getTime());
    expect(two.ok && new Date((two.value as number) / 1000)).toEqual(new Date(2023, 10, 15, 9));
  });
});
