/**
 * The query parameters of Jaeger's HTTP query API, parsed as jaeger-query parses them: the same defaults, the same
 * order of checks and the same error messages, down to the Go standard library's (strconv, time.ParseDuration,
 * encoding/json). Pure: a typed query or an error message, never a response.
 *
 * Sources (jaegertracing/jaeger): cmd/jaeger/internal/extension/jaegerquery/internal/query_parser.go
 * (parseTraceQueryParams, parseTime, parseDuration, parseBool, parseTags, validateQuery,
 * parseDependenciesQueryParams) and http_handler.go (getOperations, parseGetTraceParameters), as of 7f2a6ef2f^, the
 * last version with the v1 search endpoints; cmd/query/app/ before the v2 move has the same code.
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (error: string): Parsed<never> => ({ ok: false, error });

// ---------------------------------------------------------------------------------------------------------------
// Go's formatting of values in error messages

const utf8 = (s: string) => new TextEncoder().encode(s);
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const isPrint = (ch: string) => ch === ' ' || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch);

/** One rune decoded as utf8.DecodeRune does: [rune, width], or [-1, 1] for a byte that starts no valid sequence. */
function decodeRune(b: Uint8Array, i: number): [number, number] {
  const c0 = b[i]!;
  if (c0 < 0x80) return [c0, 1];
  const cont = (k: number) => i + k < b.length && (b[i + k]! & 0xc0) === 0x80;
  if (c0 >= 0xc2 && c0 <= 0xdf && cont(1)) return [((c0 & 0x1f) << 6) | (b[i + 1]! & 0x3f), 2];
  if (c0 >= 0xe0 && c0 <= 0xef && cont(1) && cont(2)) {
    const r = ((c0 & 0x0f) << 12) | ((b[i + 1]! & 0x3f) << 6) | (b[i + 2]! & 0x3f);
    if (r >= 0x800 && (r < 0xd800 || r > 0xdfff)) return [r, 3];
  }
  if (c0 >= 0xf0 && c0 <= 0xf4 && cont(1) && cont(2) && cont(3)) {
    const r = ((c0 & 0x07) << 18) | ((b[i + 1]! & 0x3f) << 12) | ((b[i + 2]! & 0x3f) << 6) | (b[i + 3]! & 0x3f);
    if (r >= 0x10000 && r <= 0x10ffff) return [r, 4];
  }
  return [-1, 1];
}

/** strconv.Quote of a byte string: Go-syntax escapes for what is not printable, \x for bytes that are not UTF-8. */
export function goQuoteBytes(b: Uint8Array): string {
  let out = '"';
  for (let i = 0; i < b.length; ) {
    const [r, width] = decodeRune(b, i);
    i += width;
    if (r < 0) {
      out += `\\x${hex(b[i - 1]!, 2)}`;
      continue;
    }
    const ch = String.fromCodePoint(r);
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (isPrint(ch)) out += ch;
    else {
      const named: Record<number, string> = { 7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v' };
      if (named[r]) out += named[r];
      else if (r < 0x20 || r === 0x7f) out += `\\x${hex(r, 2)}`;
      else if (r < 0x10000) out += `\\u${hex(r, 4)}`;
      else out += `\\U${hex(r, 8)}`;
    }
  }
  return `${out}"`;
}

/** strconv.Quote. */
export const goQuote = (s: string) => goQuoteBytes(utf8(s));

/** The time package's own quote (time/format.go): every byte outside printable ASCII as \x. */
function timeQuote(b: Uint8Array): string {
  let out = '"';
  for (const c of b) {
    if (c >= 0x80 || c < 0x20) out += `\\x${hex(c, 2)}`;
    else out += (c === 0x22 || c === 0x5c ? '\\' : '') + String.fromCharCode(c);
  }
  return `${out}"`;
}

// ---------------------------------------------------------------------------------------------------------------
// strconv

const MAX_UINT64 = (1n << 64n) - 1n;

/** strconv.ParseUint(s, base, bitSize) without base 0: [value] or the NumError's reason. */
function parseUint(b: Uint8Array, base: 10 | 16, bitSize: number): bigint | 'invalid syntax' | 'value out of range' {
  if (b.length === 0) return 'invalid syntax';
  const cutoff = MAX_UINT64 / BigInt(base) + 1n;
  const maxVal = (1n << BigInt(bitSize)) - 1n;
  let n = 0n;
  for (const c of b) {
    const lower = c | 0x20;
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : lower >= 0x61 && lower <= 0x7a ? lower - 0x61 + 10 : 99;
    if (d >= base) return 'invalid syntax';
    if (n >= cutoff) return 'value out of range';
    n = n * BigInt(base) + BigInt(d);
    if (n > maxVal) return 'value out of range';
  }
  return n;
}

/** strconv.ParseInt(s, 10, bitSize). */
export function parseGoInt(s: string, bitSize: 32 | 64): Parsed<bigint> {
  const error = (reason: string) => fail(`strconv.ParseInt: parsing ${goQuote(s)}: ${reason}`);
  if (s === '') return error('invalid syntax');
  const neg = s[0] === '-';
  const un = parseUint(utf8(s[0] === '+' || s[0] === '-' ? s.slice(1) : s), 10, bitSize);
  if (un === 'invalid syntax') return error(un);
  const cutoff = 1n << BigInt(bitSize - 1);
  if (un === 'value out of range' || (!neg && un >= cutoff) || (neg && un > cutoff)) return error('value out of range');
  return ok(neg ? -un : un);
}

/** strconv.ParseBool. */
export function parseGoBool(s: string): Parsed<boolean> {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return ok(true);
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return ok(false);
  return fail(`strconv.ParseBool: parsing ${goQuote(s)}: invalid syntax`);
}

// ---------------------------------------------------------------------------------------------------------------
// time.ParseDuration (time/format.go), in nanoseconds

const UNITS = new Map<string, bigint>([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n], // U+00B5 micro sign
  ['μs', 1_000n], // U+03BC Greek mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);
const ONE_63 = 1n << 63n;

export function parseGoDuration(text: string): Parsed<bigint> {
  const orig = utf8(text);
  const invalid = () => fail(`time: invalid duration ${timeQuote(orig)}`);
  let s = orig;
  let neg = false;
  if (s.length > 0 && (s[0] === 0x2d || s[0] === 0x2b)) {
    neg = s[0] === 0x2d;
    s = s.subarray(1);
  }
  if (s.length === 1 && s[0] === 0x30) return ok(0n);
  if (s.length === 0) return invalid();
  const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;
  let d = 0n;
  while (s.length > 0) {
    if (!(s[0] === 0x2e || isDigit(s[0]))) return invalid();
    // leadingInt
    let v = 0n;
    let i = 0;
    for (; i < s.length && isDigit(s[i]); i++) {
      if (v > ONE_63 / 10n) return invalid();
      v = v * 10n + BigInt(s[i]! - 0x30);
      if (v > ONE_63) return invalid();
    }
    const pre = i > 0;
    s = s.subarray(i);
    // leadingFraction: stops accumulating precision on overflow instead of failing
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s.length > 0 && s[0] === 0x2e) {
      s = s.subarray(1);
      let overflow = false;
      let j = 0;
      for (; j < s.length && isDigit(s[j]); j++) {
        if (overflow) continue;
        if (f > (ONE_63 - 1n) / 10n) {
          overflow = true;
          continue;
        }
        const y = f * 10n + BigInt(s[j]! - 0x30);
        if (y > ONE_63) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = j > 0;
      s = s.subarray(j);
    }
    if (!pre && !post) return invalid();
    let u = 0;
    while (u < s.length && !(s[u] === 0x2e || isDigit(s[u]))) u++;
    if (u === 0) return fail(`time: missing unit in duration ${timeQuote(orig)}`);
    const unitBytes = s.subarray(0, u);
    s = s.subarray(u);
    const unit = UNITS.get(new TextDecoder().decode(unitBytes));
    if (unit === undefined) return fail(`time: unknown unit ${timeQuote(unitBytes)} in duration ${timeQuote(orig)}`);
    if (v > ONE_63 / unit) return invalid();
    v *= unit;
    if (f > 0n) {
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > ONE_63) return invalid();
    }
    d += v;
    if (d > ONE_63) return invalid();
  }
  if (neg) return ok(-d);
  if (d > ONE_63 - 1n) return invalid();
  return ok(d);
}

// ---------------------------------------------------------------------------------------------------------------
// encoding/json: json.Unmarshal(data, &map[string]string{})

/** quoteChar (encoding/json/scanner.go). */
function quoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return `'"'`;
  const q = goQuote(String.fromCharCode(c));
  return `'${q.slice(1, -1)}'`;
}

/**
 * encoding/json's checkValid: the scanner's state machine (scanner.go), so a syntax error reads as Go's does.
 * Returns the error text, or undefined when `b` is one valid JSON value.
 */
function checkValid(b: Uint8Array): string | undefined {
  type Step = (c: number) => void;
  const stack: ('key' | 'value' | 'array')[] = [];
  let err: string | undefined;
  let endTop = false;
  const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
  const isHex = (c: number) => (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
  const error = (c: number, context: string) => {
    err = `invalid character ${quoteChar(c)} ${context}`;
    step = () => undefined;
  };
  const endTopStep: Step = (c) => {
    if (!isSpace(c)) error(c, 'after top-level value');
  };
  const endValue: Step = (c) => {
    const n = stack.length;
    if (n === 0) {
      step = endTopStep;
      endTop = true;
      return endTopStep(c);
    }
    if (isSpace(c)) {
      step = endValue;
      return;
    }
    const ps = stack[n - 1];
    if (ps === 'key') {
      if (c === 0x3a) {
        stack[n - 1] = 'value';
        step = beginValue;
        return;
      }
      return error(c, 'after object key');
    }
    if (ps === 'value') {
      if (c === 0x2c) {
        stack[n - 1] = 'key';
        step = beginString;
        return;
      }
      if (c === 0x7d) {
        stack.pop();
        step = endValue;
        return;
      }
      return error(c, 'after object key:value pair');
    }
    if (c === 0x2c) {
      step = beginValue;
      return;
    }
    if (c === 0x5d) {
      stack.pop();
      step = endValue;
      return;
    }
    return error(c, 'after array element');
  };
  const literal = (rest: string, name: string): Step => {
    let i = 0;
    const next: Step = (c) => {
      if (c !== rest.charCodeAt(i)) return error(c, `in literal ${name} (expecting ${quoteChar(rest.charCodeAt(i))})`);
      i++;
      step = i === rest.length ? endValue : next;
    };
    return next;
  };
  const inString: Step = (c) => {
    if (c === 0x22) step = endValue;
    else if (c === 0x5c) step = inStringEsc;
    else if (c < 0x20) error(c, 'in string literal');
  };
  const inStringEsc: Step = (c) => {
    if ([0x62, 0x66, 0x6e, 0x72, 0x74, 0x5c, 0x2f, 0x22].includes(c)) step = inString;
    else if (c === 0x75) {
      let k = 0;
      const escU: Step = (h) => {
        if (!isHex(h)) return error(h, 'in \\u hexadecimal character escape');
        step = ++k === 4 ? inString : escU;
      };
      step = escU;
    } else error(c, 'in string escape code');
  };
  const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
  const eSign: Step = (c) => {
    if (isDigit(c)) step = e0;
    else error(c, 'in exponent of numeric literal');
  };
  const e0: Step = (c) => {
    if (!isDigit(c)) endValue(c);
  };
  const e: Step = (c) => {
    if (c === 0x2b || c === 0x2d) step = eSign;
    else eSign(c);
  };
  const dot0: Step = (c) => {
    if (isDigit(c)) return;
    if (c === 0x65 || c === 0x45) step = e;
    else endValue(c);
  };
  const dot: Step = (c) => {
    if (isDigit(c)) step = dot0;
    else error(c, 'after decimal point in numeric literal');
  };
  const zero: Step = (c) => {
    if (c === 0x2e) step = dot;
    else if (c === 0x65 || c === 0x45) step = e;
    else endValue(c);
  };
  const one: Step = (c) => {
    if (!isDigit(c)) zero(c);
  };
  const neg: Step = (c) => {
    if (c === 0x30) step = zero;
    else if (c >= 0x31 && c <= 0x39) step = one;
    else error(c, 'in numeric literal');
  };
  const beginValue: Step = (c) => {
    if (isSpace(c)) return;
    switch (c) {
      case 0x7b:
        stack.push('key');
        step = beginStringOrEmpty;
        return;
      case 0x5b:
        stack.push('array');
        step = beginValueOrEmpty;
        return;
      case 0x22:
        step = inString;
        return;
      case 0x2d:
        step = neg;
        return;
      case 0x30:
        step = zero;
        return;
      case 0x74:
        step = literal('rue', 'true');
        return;
      case 0x66:
        step = literal('alse', 'false');
        return;
      case 0x6e:
        step = literal('ull', 'null');
        return;
    }
    if (c >= 0x31 && c <= 0x39) step = one;
    else error(c, 'looking for beginning of value');
  };
  const beginValueOrEmpty: Step = (c) => {
    if (isSpace(c)) return;
    if (c === 0x5d) return endValue(c);
    beginValue(c);
  };
  const beginString: Step = (c) => {
    if (isSpace(c)) return;
    if (c === 0x22) step = inString;
    else error(c, 'looking for beginning of object key string');
  };
  const beginStringOrEmpty: Step = (c) => {
    if (isSpace(c)) return;
    if (c === 0x7d) {
      stack[stack.length - 1] = 'value';
      return endValue(c);
    }
    beginString(c);
  };
  let step: Step = beginValue;
  for (const c of b) {
    step(c);
    if (err) return err;
  }
  // scanner.eof: a trailing space ends a number; anything still open is the end of the input
  if (endTop) return undefined;
  step(0x20);
  if (err) return err;
  if (endTop) return undefined;
  return 'unexpected end of JSON input';
}

/**
 * json.Unmarshal into a map[string]string, as parseTags does with each `tags` parameter: Go's syntax errors first
 * (checkValid), then the first value that is not a string (null stores ""), named as Go 1.24+ names a map key
 * ("Go struct field .key"). `null` is no map at all.
 */
export function unmarshalStringMap(text: string): Parsed<Record<string, string> | null> {
  const syntax = checkValid(utf8(text));
  if (syntax) return fail(syntax);
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v === 'boolean' ? 'bool' : typeof v);
  // Object keys in document order (JSON.parse would put integer-like keys first).
  const entries = objectEntriesInOrder(text);
  if (entries === undefined) {
    const top = kind(JSON.parse(text));
    return top === 'null' ? ok(null) : fail(`json: cannot unmarshal ${top} into Go value of type map[string]string`);
  }
  const map: Record<string, string> = {};
  let firstError: string | undefined;
  for (const [key, value] of entries) {
    const k = kind(value);
    if (k === 'string' || k === 'null') map[key] = (value as string | null) ?? '';
    else firstError ??= `json: cannot unmarshal ${k} into Go struct field .${key} of type string`;
  }
  return firstError ? fail(firstError) : ok(map);
}

/** The [key, value] pairs of a valid JSON text that is an object, in document order; undefined for any other value. */
function objectEntriesInOrder(text: string): [string, unknown][] | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const skipValue = (): string => {
    const start = i;
    let depth = 0;
    do {
      const c = text[i]!;
      if (c === '"') {
        i++;
        while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
        i++;
      } else if (c === '{' || c === '[') {
        depth++;
        i++;
      } else if (c === '}' || c === ']') {
        depth--;
        i++;
      } else if (depth > 0 && ' \t\r\n,:'.includes(c)) i++;
      else while (i < text.length && !' \t\r\n,:]}'.includes(text[i]!)) i++;
    } while (depth > 0);
    return text.slice(start, i);
  };
  ws();
  if (text[i] !== '{') return undefined;
  i++;
  const entries: [string, unknown][] = [];
  for (;;) {
    ws();
    if (text[i] === '}') return entries;
    const key = JSON.parse(skipValue()) as string;
    ws();
    i++; // ':'
    ws();
    entries.push([key, JSON.parse(skipValue())]);
    ws();
    if (text[i] === ',') i++;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Trace ids

/** A trace id as Jaeger's model holds it: the store's 32-digit key, and the text model.TraceID.String() renders. */
export interface TraceIdParam {
  key: string;
  text: string;
}

function traceId(high: bigint, low: bigint): TraceIdParam {
  const h = hex(Number(high >> 32n), 8) + hex(Number(high & 0xffffffffn), 8);
  const l = hex(Number(low >> 32n), 8) + hex(Number(low & 0xffffffffn), 8);
  return { key: h + l, text: high === 0n ? l : h + l };
}

/** model.TraceIDFromString (jaeger-idl model/v1/ids.go): up to 32 hex digits, the last 16 the low half. */
export function parseModelTraceId(s: string): Parsed<TraceIdParam> {
  const b = utf8(s);
  if (b.length > 32) return fail(`TraceID cannot be longer than 32 hex characters: ${s}`);
  const uint = (part: Uint8Array): Parsed<bigint> => {
    const v = parseUint(part, 16, 64);
    return typeof v === 'bigint' ? ok(v) : fail(`strconv.ParseUint: parsing ${goQuoteBytes(part)}: ${v}`);
  };
  if (b.length > 16) {
    const hi = uint(b.subarray(0, b.length - 16));
    if (!hi.ok) return hi;
    const lo = uint(b.subarray(b.length - 16));
    if (!lo.ok) return lo;
    return ok(traceId(hi.value, lo.value));
  }
  const lo = uint(b);
  return lo.ok ? ok(traceId(0n, lo.value)) : lo;
}

/** Go's base64 DecodeString for the four encodings apiv3 tries: the decoded length, or undefined when it fails. */
function base64Length(s: string, alphabet: RegExp, padded: boolean): number | undefined {
  const data = s.replace(/[\r\n]/g, '');
  if (padded) {
    if (data.length % 4 !== 0) return undefined;
    const pads = /={1,2}$/.exec(data)?.[0].length ?? 0;
    const body = data.slice(0, data.length - pads);
    if (!alphabet.test(body) || (pads > 0 && (body.length % 4) + pads !== 4)) return undefined;
    return (data.length / 4) * 3 - pads;
  }
  if (!alphabet.test(data) || data.length % 4 === 1) return undefined;
  return Math.floor((data.length * 6) / 8);
}

/**
 * apiv3.TraceIDFromString (apiv3/http_gateway.go), which getTrace uses for `/api/traces/{id}`: hex as
 * model.TraceIDFromString, else (24 characters or fewer) standard or URL base64, padded or raw, of 8 or 16 bytes.
 */
export function parsePathTraceId(s: string): Parsed<TraceIdParam> {
  const asHex = parseModelTraceId(s);
  if (asHex.ok || s.length > 24) return asHex;
  const std = /^[A-Za-z0-9+/]*$/;
  const url = /^[A-Za-z0-9_-]*$/;
  for (const [alphabet, padded, encoding] of [
    [std, true, 'base64'],
    [url, true, 'base64url'],
    [std, false, 'base64'],
    [url, false, 'base64url'],
  ] as const) {
    const length = base64Length(s, alphabet, padded);
    if (length === undefined) continue;
    if (length !== 16 && length !== 8) return fail('invalid length for TraceID');
    const bytes = Buffer.from(s.replace(/[\r\n=]/g, ''), encoding);
    const high = length === 16 ? bytes.readBigUInt64BE(0) : 0n;
    return ok(traceId(high, bytes.readBigUInt64BE(length - 8)));
  }
  return asHex;
}

// ---------------------------------------------------------------------------------------------------------------
// The endpoints' parameters

const first = (params: URLSearchParams, name: string) => params.get(name) ?? '';
const parseError = (name: string, error: string) => `unable to parse param '${name}': ${error}`;

/** time.Unix(0, 0).Add(time.Duration(t) * units), in microseconds: Go's int64 arithmetic wraps, and so does this. */
const unitsToUs = (t: bigint, unitNs: bigint) => Number(BigInt.asIntN(64, t * unitNs) / 1000n);

/** queryParser.parseTime: `units` since the epoch, or `fallbackUs` when the parameter is empty. */
function parseTime(params: URLSearchParams, name: string, unitNs: bigint, fallbackUs: number): Parsed<number> {
  const value = first(params, name);
  if (value === '') return ok(fallbackUs);
  const t = parseGoInt(value, 64);
  return t.ok ? ok(unitsToUs(t.value, unitNs)) : fail(parseError(name, t.error));
}

/**
 * A parameter the endpoint does not read is refused, naming it (jaeger-query ignores it; the runtime never answers
 * as if it had applied a filter it did not). `prettyPrint` is read by every endpoint (writeJSON).
 */
export function unsupportedParameter(params: URLSearchParams, supported: readonly string[]): string | undefined {
  for (const name of params.keys()) {
    if (name !== 'prettyPrint' && !supported.includes(name)) return `parameter '${name}' is not supported by this endpoint; it takes ${[...supported, 'prettyPrint'].join(', ')}`;
  }
  return undefined;
}

/** defaultQueryLimit and defaultTraceQueryLookbackDuration (query_parser.go, default_params.go). */
export const DEFAULT_QUERY_LIMIT = 100;
const DEFAULT_TRACE_LOOKBACK_US = 2 * 24 * 3600 * 1_000_000;

export interface TraceSearchQuery {
  service: string;
  operation: string;
  /** `tag=k:v` then `tags={json}`, later ones overriding earlier (parseTags). */
  tags: Record<string, string>;
  startUs: number;
  endUs: number;
  /** 0: no bound (as Jaeger). */
  minDurationNs: number;
  maxDurationNs: number;
  limit: number;
  traceIDs: TraceIdParam[];
  raw: boolean;
}

export const TRACE_SEARCH_PARAMETERS = ['service', 'operation', 'tag', 'tags', 'start', 'end', 'limit', 'minDuration', 'maxDuration', 'traceID', 'raw', 'lookback'] as const;

/**
 * Jaeger UI's lookback (SearchForm.jsx lookbackToTimestamp: dayjs(now).subtract(n, unit)), or `custom`.
 * jaeger-query itself never reads it: Jaeger UI and Grafana send start/end with it. The runtime reads it only when
 * `start` is absent, as the start of the window (so `?service=mall&lookback=1h` means the last hour).
 */
export function parseLookback(value: string, nowMs: number): Parsed<number | 'custom'> {
  if (value === 'custom') return ok('custom');
  const match = /^(\d+)([smhdwMy])$/.exec(value);
  if (!match) return fail(parseError('lookback', `expecting 'custom' or a whole number followed by s, m, h, d, w, M or y (as Jaeger UI sends), received: ${value}`));
  const n = Number(match[1]);
  const unit = match[2]!;
  if (unit === 'M' || unit === 'y') {
    // dayjs month arithmetic: the same day of the month, clamped to the month's last day, in local time.
    const date = new Date(nowMs);
    const day = date.getDate();
    date.setDate(1);
    date.setMonth(date.getMonth() - n * (unit === 'y' ? 12 : 1));
    date.setDate(Math.min(day, new Date(date.getFullYear(), date.getMonth() + 1, 0).getDate()));
    return ok(date.getTime() * 1000);
  }
  const ms = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[unit as 's']!;
  return ok((nowMs - n * ms) * 1000);
}

/** parseTraceQueryParams + validateQuery: `/api/traces`. */
export function parseTraceSearch(params: URLSearchParams, nowMs: number): Parsed<TraceSearchQuery> {
  const nowUs = nowMs * 1000;
  const service = first(params, 'service');
  const operation = first(params, 'operation');
  const startGiven = first(params, 'start') !== '';
  const start = parseTime(params, 'start', 1000n, nowUs - DEFAULT_TRACE_LOOKBACK_US);
  if (!start.ok) return start;
  const end = parseTime(params, 'end', 1000n, nowUs);
  if (!end.ok) return end;

  // parseTags
  const tags: Record<string, string> = {};
  for (const tag of params.getAll('tag')) {
    const parts = tag.split(':');
    if (parts.length <= 1) return fail(`malformed 'tag' parameter, expecting key:value, received: ${tag}`);
    tags[parts[0]!] = parts.slice(1).join(':');
  }
  for (const json of params.getAll('tags')) {
    const map = unmarshalStringMap(json);
    if (!map.ok) return fail(`malformed 'tags' parameter, cannot unmarshal JSON: ${map.error}`);
    Object.assign(tags, map.value);
  }

  let limit = DEFAULT_QUERY_LIMIT;
  if (first(params, 'limit') !== '') {
    // Not wrapped in "unable to parse param": parseTraceQueryParams returns strconv's error as it is.
    const parsed = parseGoInt(first(params, 'limit'), 32);
    if (!parsed.ok) return parsed;
    limit = Number(parsed.value);
  }

  const durations: number[] = [];
  for (const name of ['minDuration', 'maxDuration']) {
    const value = first(params, name);
    if (value === '') {
      durations.push(0);
      continue;
    }
    const d = parseGoDuration(value);
    if (!d.ok) return fail(parseError(name, d.error));
    durations.push(Number(d.value));
  }

  const traceIDs: TraceIdParam[] = [];
  for (const id of params.getAll('traceID')) {
    const parsed = parseModelTraceId(id);
    if (!parsed.ok) return fail(`cannot parse traceID param: ${parsed.error}`);
    traceIDs.push(parsed.value);
  }

  let raw = false;
  if (first(params, 'raw') !== '') {
    const parsed = parseGoBool(first(params, 'raw'));
    if (!parsed.ok) return fail(parseError('raw', parsed.error));
    raw = parsed.value;
  }

  let startUs = start.value;
  if (first(params, 'lookback') !== '') {
    const lookback = parseLookback(first(params, 'lookback'), nowMs);
    if (!lookback.ok) return lookback;
    if (!startGiven && lookback.value !== 'custom') startUs = lookback.value;
  }

  // validateQuery
  const [minDurationNs, maxDurationNs] = durations as [number, number];
  if (traceIDs.length === 0 && service === '') return fail("parameter 'service' is required");
  if (minDurationNs !== 0 && maxDurationNs !== 0 && maxDurationNs < minDurationNs) return fail("'maxDuration' should be greater than 'minDuration'");

  return ok({ service, operation, tags, startUs, endUs: end.value, minDurationNs, maxDurationNs, limit, traceIDs, raw });
}

export interface GetTraceQuery {
  traceId: TraceIdParam;
  /** Parsed and checked as Jaeger does; the memory store, like Jaeger's, does not narrow a lookup by id with them. */
  startUs: number | undefined;
  endUs: number | undefined;
  raw: boolean;
}

export const GET_TRACE_PARAMETERS = ['start', 'end', 'raw'] as const;

/** parseGetTraceParameters: `/api/traces/{id}`, the id already unescaped from the path. */
export function parseGetTrace(id: string, params: URLSearchParams): Parsed<GetTraceQuery> {
  const traceId = parsePathTraceId(id);
  if (!traceId.ok) return traceId;
  const times: (number | undefined)[] = [];
  for (const name of ['start', 'end']) {
    if (first(params, name) === '') {
      times.push(undefined);
      continue;
    }
    const t = parseTime(params, name, 1000n, 0);
    if (!t.ok) return t;
    times.push(t.value);
  }
  let raw = false;
  if (first(params, 'raw') !== '') {
    const parsed = parseGoBool(first(params, 'raw'));
    if (!parsed.ok) return fail(parseError('raw', parsed.error));
    raw = parsed.value;
  }
  return ok({ traceId: traceId.value, startUs: times[0], endUs: times[1], raw });
}

export const OPERATIONS_PARAMETERS = ['service', 'spanKind'] as const;

/** getOperations: `/api/operations?service=&spanKind=`; an empty spanKind means every kind. */
export function parseOperations(params: URLSearchParams): Parsed<{ service: string; spanKind: string }> {
  const service = first(params, 'service');
  if (service === '') return fail("parameter 'service' is required");
  return ok({ service, spanKind: first(params, 'spanKind') });
}

/** defaultDependencyLookbackDuration (default_params.go). */
const DEFAULT_DEPENDENCY_LOOKBACK_MS = 24 * 3600 * 1000;

export const DEPENDENCIES_PARAMETERS = ['endTs', 'lookback', 'service'] as const;

/** parseDependenciesQueryParams: endTs and lookback in milliseconds; `service` keeps the links that touch it. */
export function parseDependencies(params: URLSearchParams, nowMs: number): Parsed<{ endUs: number; lookbackUs: number; service: string }> {
  const endTs = parseTime(params, 'endTs', 1_000_000n, nowMs * 1000);
  if (!endTs.ok) return endTs;
  let lookbackUs = DEFAULT_DEPENDENCY_LOOKBACK_MS * 1000;
  if (first(params, 'lookback') !== '') {
    const lookback = parseGoInt(first(params, 'lookback'), 64);
    if (!lookback.ok) return fail(parseError('lookback', lookback.error));
    lookbackUs = unitsToUs(lookback.value, 1_000_000n);
  }
  return ok({ endUs: endTs.value, lookbackUs, service: first(params, 'service') });
}
