import { connect } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { userNameSchema } from '@mesh-mall/kit';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, startMeshMall, type MeshMall, type PodInfo } from './support/mesh-mall.js';
import { seeded, type Random } from './support/seeded.js';

/**
 * Hostile input against every public endpoint of every service and the gateway, from a fixed seed so a failure
 * replays: malformed and oversized query strings, cookies, headers, JSON bodies, MongoDB operator objects, unicode,
 * path traversal, and raw requests no HTTP client would send. Every request is answered with a status the contracts
 * name — never a 5xx, never a connection dropped without an answer — nothing crashes or restarts, and the stored users
 * change only by valid logins.
 */

const SEED = 20261122;
const REQUESTS = 10_000;

/**
 * The statuses hostile requests may get: the pages and APIs' own answers (200, 201 for a user created) and their
 * refusals — 400 malformed, 404 no such route or user, 413 a body over BODY_LIMIT_BYTES, 415 a body that is not JSON,
 * 431 headers or a URL over Node's 16 KiB header limit.
 */
const ANSWERS = ['200', '201', '400', '404', '413', '415', '431'];

const HOSTILE = [
  '', ' ', 'jason', 'fox', 'Jason', 'a', '0', '-1', '1e309', 'NaN', 'Infinity', '0x10', '9'.repeat(400), '1,,2', ',', '7,8,9,10,11,12,13,14,15',
  '../../etc/passwd', '..%2f..%2fetc%2fpasswd', '%2e%2e/', '..\\..\\windows', '/etc/passwd\u0000.svg', '%00', '%', '%ZZ', '%%',
  '{"$gt":""}', '$gt', '$where', '$ne', "'; DROP TABLE users; --", '" OR "1"="1', '<script>alert(1)</script>', '${7*7}', '{{7*7}}',
  '😀', 'ﬀ', '\u202egnp.exe', 'Ωmega', '名前', 'é', '\ud800', '\t', 'null', 'true', '[]', '{}', '__proto__', 'constructor', 'prototype',
];

const hostile = (r: Random): string => {
  const roll = r.int(10);
  if (roll === 0) return 'x'.repeat(r.pick([33, 500, 4000, 9000]));
  if (roll === 1) return r.pick(HOSTILE) + r.pick(HOSTILE);
  return r.pick(HOSTILE);
};

/** A header value an HTTP client can send: control characters and non-latin text percent-encoded. */
const headerSafe = (value: string) => (/^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '?')));

const QUERY_KEYS = ['name', 'ids', 'name[$gt]', 'ids[]', 'ids[$ne]', '__proto__[x]', 'constructor[prototype][x]', '', '&', '=', 'x'];

function query(r: Random): string {
  const pairs = Array.from({ length: r.int(4) }, () => {
    const key = r.pick(QUERY_KEYS);
    const value = hostile(r);
    return r.int(3) === 0 ? `${key}=${value.replace(/[#\s]/g, '')}` : `${encodeURIComponent(key)}=${encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '?'))}`;
  });
  return pairs.length ? `?${pairs.join('&')}` : '';
}

function jsonBody(r: Random): string {
  switch (r.int(9)) {
    case 0:
      return JSON.stringify({ name: hostile(r) });
    case 1:
      return JSON.stringify({ name: { $gt: '' } });
    case 2:
      return JSON.stringify({ name: ['jason'], $where: 'sleep(1000)' });
    case 3:
      return JSON.stringify({ __proto__: { admin: true }, constructor: { prototype: { polluted: true } }, name: 'x' });
    case 4:
      return '{"name":' + '['.repeat(2000) + ']'.repeat(2000) + '}';
    case 5:
      return JSON.stringify({ name: 'y'.repeat(r.pick([33, 20_000, 40_000])) });
    case 6:
      return r.pick(['', '{', 'null', '[]', '"jason"', '{"name":}', 'name=jason', '\u0000', '{"name":"jason"']);
    case 7:
      return JSON.stringify({ name: r.pick(['fuzz-a', 'fuzz_b', 'zz9']) });
    default:
      return JSON.stringify({ name: hostile(r), extra: hostile(r) });
  }
}

interface Target {
  label: string;
  origin: string;
  paths: string[];
  /** Where a POST with a valid name creates a user. */
  creates?: string;
}

const METHODS = ['GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] as const;

interface Figures {
  /** Answers by HTTP status. */
  byStatus: Record<string, number>;
  fiveXx: string[];
  /** Requests whose connection broke, or that timed out, without an answer: each is a failure, none is expected. */
  unanswered: string[];
  created: Set<string>;
}

async function fuzz(targets: Target[], r: Random, figures: Figures): Promise<void> {
  const agent = new Agent({ connections: 16 });
  let next = 0;
  const one = async () => {
    const target = r.pick(targets);
    const path = r.int(8) === 0 ? r.pick(['/', '//', '/%2e%2e/%2e%2e/etc/passwd', '/../../package.json', `/${'p'.repeat(6000)}`, '/users/../users', '/\u00e9'.normalize()]) : r.pick(target.paths);
    const method = r.pick(METHODS);
    const headers: Record<string, string> = {};
    if (r.int(2) === 0) headers.cookie = r.int(3) === 0 ? `user=${headerSafe(hostile(r))}; user=fox` : `user=${headerSafe(hostile(r))}`;
    if (r.int(3) === 0) headers['end-user'] = headerSafe(hostile(r));
    if (r.int(4) === 0) headers['x-request-id'] = headerSafe(hostile(r));
    if (r.int(4) === 0) headers.traceparent = r.pick(['00-zz-zz-01', '00-' + '0'.repeat(32) + '-' + '0'.repeat(16) + '-01', headerSafe(hostile(r))]);
    if (r.int(6) === 0) headers['x-b3-traceid'] = headerSafe(hostile(r));
    if (r.int(6) === 0) headers.baggage = headerSafe(hostile(r));
    if (r.int(8) === 0) headers.host = r.pick(['evil.example', 'mall.base.svc.cluster.local', 'localhost:1', headerSafe(hostile(r)) || 'x']);
    let body: string | undefined;
    if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
      body = jsonBody(r);
      headers['content-type'] = r.pick(['application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'multipart/form-data']);
    }
    const url = `${target.origin}${path}${query(r)}`;
    try {
      const response = await request(url, { method, headers, body, dispatcher: agent, headersTimeout: 20_000, bodyTimeout: 20_000 });
      await response.body.dump();
      const status = String(response.statusCode);
      figures.byStatus[status] = (figures.byStatus[status] ?? 0) + 1;
      if (response.statusCode >= 500) figures.fiveXx.push(`${response.statusCode} ${method} ${target.label} ${url.slice(0, 200)}`);
      const name = body && method === 'POST' ? validName(body) : undefined;
      if (name && path === target.creates && response.statusCode < 300) figures.created.add(name);
    } catch (error) {
      // Every one of these requests is a complete HTTP message an HTTP client wrote: each deserves an answer, a refusal
      // at worst. A reset, a socket closed early or a timeout is a server that gave up on a request it had.
      figures.unanswered.push(`${(error as { code?: string }).code ?? (error as Error).message}: ${method} ${target.label} ${headers['content-type'] ?? ''} ${url.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next++ < REQUESTS) await one();
  }));
  await agent.close();
}

function validName(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { name?: unknown };
    const name = userNameSchema.safeParse(parsed?.name);
    return name.success ? name.data : undefined;
  } catch {
    return undefined;
  }
}

interface RawCase {
  text: string;
  /** What every target answers: a status, or `closed` where closing without an answer is the correct behaviour. */
  expected: (target: string) => string;
  /**
   * The request is unfinished, and the client half-closes after it, which is what ends it: RFC 9112 §6.3 (a body cut
   * short by the sender's close is an incomplete message; the recipient closes) and §2.2 (empty lines before a request
   * line are ignored, so three of them ask nothing). A
   * finished request is sent without half-closing: Node's servers and Envoy take a client's FIN before the answer as
   * the client gone (Node's httpAllowHalfOpen is false), so a half-close would race a slow page's answer.
   */
  unfinished?: boolean;
}

const refused = (status: string) => () => status;

/** Requests an HTTP client refuses to write: broken request lines, bad headers, smuggling attempts. */
const RAW: RawCase[] = [
  // The page through the gateway and the mall; a service has no route /.
  { text: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', expected: (target) => (target === 'gateway' || target === 'mall-v1' ? '200' : '404') },
  { text: 'GET /\u0000 HTTP/1.1\r\nHost: x\r\n\r\n', expected: refused('400') },
  { text: 'GET / HTTP/9.9\r\nHost: x\r\n\r\n', expected: refused('400') },
  { text: 'BREW /coffee HTCPCP/1.0\r\n\r\n', expected: refused('400') },
  { text: 'GET /api/mall HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', expected: refused('400') },
  { text: 'GET /api/mall HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n', expected: refused('400') },
  // Content-Length with Transfer-Encoding: refused whole (RFC 9112 §6.1), so nothing is smuggled.
  { text: 'POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n', expected: refused('400') },
  { text: 'POST /users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n', expected: refused('400') },
  { text: 'POST /users HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nContent-Type: application/json\r\n\r\n{"name":', expected: refused('400'), unfinished: true },
  { text: `GET /scores?ids=7 HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`, expected: refused('431') },
  // obs-text in a header value is legal HTTP/1.1 (RFC 9110 §5.5): products answers, everyone else has no /products.
  { text: 'GET /products?ids=1 HTTP/1.1\r\nHost: x\r\nCookie: user=\u00ff\u00fe\r\n\r\n', expected: (target) => (target.startsWith('products-') ? '200' : '404') },
  // No request at all: there is nothing to answer, and the server closes when the client does.
  { text: '\r\n\r\n\r\n', expected: () => 'closed', unfinished: true },
  { text: 'GET ' + '/a'.repeat(20_000) + ' HTTP/1.1\r\nHost: x\r\n\r\n', expected: refused('431') },
];

/** How long a raw request may wait for its answer: a page under load takes well under a second. */
const RAW_ANSWER_MS = 10_000;

/** Sends raw bytes; resolves with the status line's code, `closed` (no answer), or why there was none. */
function raw(port: number, { text, unfinished }: RawCase): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let failure: string | undefined;
    const timer = setTimeout(() => {
      failure = `no answer in ${RAW_ANSWER_MS} ms`;
      socket.destroy();
    }, RAW_ANSWER_MS);
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) socket.destroy();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => (failure ??= `closed (${error.code ?? error.message})`));
    socket.on('close', () => {
      clearTimeout(timer);
      const status = /^HTTP\/1\.[01] (\d{3}) /.exec(answer)?.[1];
      resolve(status ?? (answer ? `not HTTP: ${JSON.stringify(answer.slice(0, 80))}` : (failure ?? 'closed')));
    });
    if (unfinished) socket.end(Buffer.from(text, 'latin1'));
    else socket.write(Buffer.from(text, 'latin1'));
  });
}

async function storedUsers(mesh: MeshMall): Promise<Map<string, string>> {
  const text = await readFile(join(mesh.stateDir, 'data/base/users-v1/users.jsonl'), 'utf8').catch(() => '');
  const users = new Map<string, string>();
  for (const line of text.split('\n').filter(Boolean)) {
    const user = JSON.parse(line) as { name: string };
    users.set(user.name, line);
  }
  return users;
}

let mesh: MeshMall;
beforeAll(async () => {
  mesh = await startMeshMall({ args: ['--env', 'LATENCY_MS=0'] });
  await mesh.apply('install/fox-apps.yaml', 'istio/fox-routing.yaml');
  for (const name of ['jason', 'fox']) {
    const login = await fetch(`${mesh.gateway}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
    expect(login.status).toBe(200);
  }
});
afterAll(async () => {
  await mesh?.stop();
});

describe(`fuzzing every endpoint (seed ${SEED})`, () => {
  it(`${REQUESTS} malformed requests and each raw one to every target: each answered as the contracts say, no crash, no restart, users changed only by valid logins`, async () => {
    const podsBefore = await mesh.pods();
    const usersBefore = await storedUsers(mesh);
    const port = (workload: string) => podsBefore.find((p) => p.workload === workload)!.port;
    const direct = (workload: string, paths: string[], creates?: string): Target => ({ label: workload, origin: `http://127.0.0.1:${port(workload)}`, paths, ...(creates ? { creates } : {}) });
    const targets: Target[] = [
      { label: 'gateway', origin: mesh.gateway, paths: ['/', '/login', '/api/mall', '/api/login', '/api/logout', '/assets/products/1.svg', '/assets/avatars/x.svg', '/assets/%2e%2e/x.svg', '/assets/favicon.svg'], creates: '/api/login' },
      direct('mall-v1', ['/', '/api/mall', '/api/login', '/api/logout', '/assets/banners/recommend.svg'], '/api/login'),
      direct('users-v1', ['/users', '/users/', '/users/jason'], '/users'),
      direct('recommend-v1', ['/recommend']),
      direct('scores-v1', ['/scores']),
      direct('products-v1', ['/products']),
      direct('products-v2', ['/products']),
      direct('discount-v1', ['/discount']),
      direct('discount-v2', ['/discount']),
      direct('favorites-v1', ['/favorites']),
    ];
    const random = seeded(SEED);
    const figures: Figures = { byStatus: {}, fiveXx: [], unanswered: [], created: new Set() };
    await fuzz(targets, random, figures);

    // Every raw request to every target, each answer compared with what it must be.
    const rawStatus: Record<string, number> = {};
    const rawAnswers: string[] = [];
    const rawExpected: string[] = [];
    for (const [i, rawCase] of RAW.entries()) {
      for (const target of targets) {
        const status = await raw(Number(new URL(target.origin).port), rawCase);
        rawStatus[status] = (rawStatus[status] ?? 0) + 1;
        rawAnswers.push(`raw #${i} to ${target.label}: ${status}`);
        rawExpected.push(`raw #${i} to ${target.label}: ${rawCase.expected(target.label)}`);
      }
    }

    const answered = Object.values(figures.byStatus).reduce((a, b) => a + b, 0);
    console.log(`fuzz: ${answered} of ${REQUESTS} requests answered, by status ${JSON.stringify(figures.byStatus)}; ${rawAnswers.length} raw by status ${JSON.stringify(rawStatus)}; users created by valid logins: ${figures.created.size}`);
    expect(figures.unanswered).toEqual([]);
    expect(answered).toBe(REQUESTS);
    expect(figures.fiveXx).toEqual([]);
    expect(Object.keys(figures.byStatus).filter((status) => !ANSWERS.includes(status))).toEqual([]);
    expect(rawAnswers).toEqual(rawExpected);

    const podsAfter = await mesh.pods();
    const identity = (pods: PodInfo[]) => pods.map((p) => `${p.workload} ${p.pid} restarts=${p.restarts}`).sort();
    expect(identity(podsAfter)).toEqual(identity(podsBefore).map((line) => line.replace(/restarts=\d+/, 'restarts=0')));
    for (const pod of podsAfter) expect(isAlive(pod.pid), pod.workload).toBe(true);
    expect((await fetch(`${mesh.gateway}/api/mall`)).status).toBe(200);

    const usersAfter = await storedUsers(mesh);
    for (const [name, line] of usersBefore) expect(usersAfter.get(name), name).toBe(line);
    expect([...usersAfter.keys()].sort()).toEqual([...new Set([...usersBefore.keys(), ...figures.created])].sort());
  }, 120_000);
});
