import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startStub, type Stub } from '@mesh-mall/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from './support/mesh-mall.js';

// A trace of one mall v1 page load for an unknown user, in the JSON shape of Jaeger's query API, recorded from the
// built-in viewer; a stub answers /api/traces as jaeger-query would.
let jaeger: Stub;
let traceId: string;
beforeAll(async () => {
  const fixture = JSON.parse(await readFile(join(REPO_ROOT, 'test/fixtures/jaeger-trace-mall-v1.json'), 'utf8')) as { data: { traceID: string }[] };
  traceId = fixture.data[0]!.traceID;
  jaeger = await startStub((req) => {
    const url = new URL(req.url!, 'http://jaeger');
    if (url.pathname === `/api/traces/${traceId}`) return { body: fixture };
    if (url.pathname === '/api/traces' && url.searchParams.get('service') === 'mall') return { body: { ...fixture, total: 1, limit: 1 } };
    return { status: 404, body: { data: null, errors: [{ code: 404, msg: 'trace not found' }] } };
  });
});
afterAll(() => jaeger.close());

describe('mesh-mall analyze --jaeger', () => {
  it("prints the talk's findings for one trace from a Jaeger query API", async () => {
    const { code, stdout } = await runCli(['analyze', '--jaeger', jaeger.url, '--trace', traceId]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/serial fan-out in mall: request handler: users GET \/users → recommend GET \/recommend → discount GET \/discount never overlap: sum [\d.]+ ms vs max [\d.]+ ms/);
    expect(stdout).toMatch(/N\+1 in recommend: request handler: scores GET \/scores called 6 times, [\d.]+ ms in total/);
    expect(stdout).toContain('error: mall: users GET /users answered 404');
    // The fixture is an older mesh's trace (proxy spans beside the server spans, starts on whole milliseconds): Jaeger's
    // critical path through it reaches only mall and recommend, as Jaeger UI would draw it.
    expect(stdout).toContain('critical path: 28 spans, through mall → recommend');
    expect(jaeger.requests.some((r) => r.url === `/api/traces/${traceId}`)).toBe(true);
  });

  it('reads the newest traces of a service, and says so when a trace is not there', async () => {
    const newest = await runCli(['analyze', '--jaeger', jaeger.url, '--service', 'mall', '--json']);
    expect(JSON.parse(newest.stdout)[0]).toMatchObject({ traceId, nPlusOne: [{ count: 6 }] });
    const missing = await runCli(['analyze', '--jaeger', jaeger.url, '--trace', 'abc123']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('trace abc123 not found');
  });

  it('draws the trace as a terminal waterfall', async () => {
    const { stdout } = await runCli(['traces', '--jaeger', jaeger.url, '--trace', traceId]);
    expect(stdout.split('\n')[0]).toMatch(new RegExp(`^trace ${traceId} \\([\\d.]+ ms\\)$`));
    expect(stdout).toMatch(/ {4}recommend: scores GET \/scores .*│ *█+ *│ [\d.]+ ms/);
  });
});
