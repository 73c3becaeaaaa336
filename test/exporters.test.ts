import { traceExporterFromEnv } from '@mesh-mall/kit';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createServer } from 'node:http';
import { promisify } from 'node:util';
import { decodeTraces } from '@mesh-mall/runtime';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/mesh-mall.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => Promise.all(closers.splice(0).map((close) => close())));

interface Received {
  method: string;
  url: string;
  contentType: string | undefined;
  body: Buffer;
}

/** A collector that records what arrives with its raw body (protobuf and thrift are binary) and answers 200. */
async function fakeCollector(): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    received.push({ method: req.method!, url: req.url!, contentType: req.headers['content-type'], body: Buffer.concat(chunks) });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, received };
}

async function emitSpan(exporter: SpanExporter): Promise<void> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'recommend', 'service.version': 'v3' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  provider.getTracer('test').startSpan('scores GET /scores', { attributes: { 'peer.service': 'scores' } }).end();
  await provider.forceFlush();
  await provider.shutdown();
}

describe('span exporters chosen by OTEL_TRACES_EXPORTER', () => {
  it('otlp sends OTLP/HTTP protobuf to OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces', async () => {
    const collector = await fakeCollector();
    await emitSpan((await traceExporterFromEnv({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url }))!);
    expect(collector.received).toHaveLength(1);
    expect(collector.received[0]).toMatchObject({ method: 'POST', url: '/v1/traces', contentType: 'application/x-protobuf' });
    const [span] = decodeTraces(collector.received[0]!.body, 'application/x-protobuf');
    expect(span).toMatchObject({ service: 'recommend', operation: 'scores GET /scores', tags: { 'peer.service': 'scores' }, process: { 'service.version': 'v3' } });
  });

  it('otlp is the default when only OTEL_EXPORTER_OTLP_ENDPOINT is set; none without it', async () => {
    const collector = await fakeCollector();
    await emitSpan((await traceExporterFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url }))!);
    expect(collector.received.map((r) => r.url)).toEqual(['/v1/traces']);
    expect(await traceExporterFromEnv({})).toBeUndefined();
  });

  it('jaeger sends Thrift over HTTP to a Jaeger v1 collector (OTEL_EXPORTER_JAEGER_ENDPOINT)', async () => {
    const collector = await fakeCollector();
    await emitSpan((await traceExporterFromEnv({ OTEL_TRACES_EXPORTER: 'jaeger', OTEL_EXPORTER_JAEGER_ENDPOINT: `${collector.url}/api/traces` }))!);
    expect(collector.received).toHaveLength(1);
    expect(collector.received[0]).toMatchObject({ method: 'POST', url: '/api/traces', contentType: 'application/x-thrift' });
    expect(collector.received[0]!.body.includes(Buffer.from('scores GET /scores'))).toBe(true);
    expect(collector.received[0]!.body.includes(Buffer.from('recommend'))).toBe(true);
  });

  it('keeps every OpenTelemetry package on one release line: npm ls finds no invalid peer', async () => {
    const { stdout } = await promisify(execFile)('npm', ['ls', '--all', '--json', '@opentelemetry/api'], { cwd: REPO_ROOT, maxBuffer: 32 * 1024 * 1024 });
    expect(stdout).not.toMatch(/invalid/);
    expect(JSON.parse(stdout).problems ?? []).toEqual([]);
  });

  it('refuses an exporter it does not know, by name', async () => {
    await expect(traceExporterFromEnv({ OTEL_TRACES_EXPORTER: 'zipkin' })).rejects.toThrow('OTEL_TRACES_EXPORTER=zipkin is not one of otlp, jaeger, console, none');
  });
});

/** Runs the echo service as a pod runs (telemetry preloaded), serves one request, stops it; what reached the collector. */
async function exportedByAPod(env: Record<string, string>): Promise<{ paths: Set<string>; spans: string[] }> {
  const collector = await fakeCollector();
  const child = spawn(process.execPath, ['--import', '@mesh-mall/kit/telemetry', join(REPO_ROOT, 'services/echo/dist/main.js')], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', SHUTDOWN_DELAY_MS: '0', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  closers.push(async () => void child.kill('SIGKILL'));
  let port: number | undefined;
  for await (const line of createInterface({ input: child.stdout! })) {
    const entry = JSON.parse(line) as { msg?: string; port?: number };
    if (entry.msg === 'listening') {
      port = entry.port;
      break;
    }
  }
  expect((await fetch(`http://127.0.0.1:${port}/anything`)).status).toBe(200);
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
  const traces = collector.received.filter((r) => r.url === '/v1/traces');
  return { paths: new Set(collector.received.map((r) => r.url)), spans: traces.flatMap((r) => decodeTraces(r.body, r.contentType ?? '')).map((span) => span.operation).sort() };
}

describe('what a pod exports', () => {
  it('only traces by default: no OTLP metrics or logs unless OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER ask', async () => {
    expect((await exportedByAPod({})).paths).toEqual(new Set(['/v1/traces']));
  });

  it('one server span per request unless TRACE_DETAIL=full adds the framework’s own spans', async () => {
    // The express instrumentation names echo's wildcard route `/`; the mall's routes are named in the tracing act.
    expect((await exportedByAPod({})).spans).toEqual(['GET /']);
    expect((await exportedByAPod({ TRACE_DETAIL: 'full' })).spans).toEqual(['GET /', 'request handler']);
  });

  it('metrics too when OTEL_METRICS_EXPORTER asks for them', async () => {
    expect((await exportedByAPod({ OTEL_METRICS_EXPORTER: 'otlp' })).paths).toEqual(new Set(['/v1/traces', '/v1/metrics']));
  });
});
