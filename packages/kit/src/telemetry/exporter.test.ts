import { JaegerExporter } from '@opentelemetry/exporter-jaeger';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startStub, type Stub } from '../testing.js';
import { traceExporterFromEnv } from './exporter.js';

const stubs: Stub[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all([...stubs.splice(0).map((s) => s.close()), ...cleanups.splice(0).map((c) => c())]);
});

async function collector(): Promise<Stub> {
  const stub = await startStub(() => ({ body: {} }));
  stubs.push(stub);
  return stub;
}

/** Sends one span through `exporter`; resolves once it has been handed over. */
async function exportOneSpan(exporter: SpanExporter): Promise<void> {
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.getTracer('test').startSpan('one').end();
  await provider.forceFlush();
  await provider.shutdown();
}

describe('the span exporter OTEL_TRACES_EXPORTER names', () => {
  it('is none when nothing is configured', async () => {
    expect(await traceExporterFromEnv({})).toBeUndefined();
    expect(await traceExporterFromEnv({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBeUndefined();
  });

  it('is OTLP/HTTP protobuf to <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces when an endpoint is set, a trailing slash or not', async () => {
    for (const suffix of ['', '/']) {
      const stub = await collector();
      const exporter = await traceExporterFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: `${stub.url}${suffix}` });
      expect(exporter).toBeInstanceOf(OTLPTraceExporter);
      await exportOneSpan(exporter!);
      expect(stub.requests.map((r) => [r.method, r.url, r.headers['content-type']])).toEqual([['POST', '/v1/traces', 'application/x-protobuf']]);
    }
  });

  it('keeps its connection to the collector open from one export to the next', async () => {
    let connections = 0;
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      req.resume().once('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
    }).on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const exporter = (await traceExporterFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${port}/v1/traces` }))!;
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    for (const name of ['first', 'second']) {
      provider.getTracer('test').startSpan(name).end();
      await provider.forceFlush();
    }
    await provider.shutdown();
    expect({ requests, connections }).toEqual({ requests: 2, connections: 1 });
  });

  it('sends to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is written', async () => {
    const stub = await collector();
    const exporter = await traceExporterFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${stub.url}/custom/traces`, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' });
    await exportOneSpan(exporter!);
    expect(stub.requests.map((r) => r.url)).toEqual(['/custom/traces']);
  });

  it('is OTLP to the standard local port when asked for by name without an endpoint', async () => {
    expect(await traceExporterFromEnv({ OTEL_TRACES_EXPORTER: 'otlp' })).toBeInstanceOf(OTLPTraceExporter);
  });

  it('takes the first of a list, spaces ignored', async () => {
    expect(await traceExporterFromEnv({ OTEL_TRACES_EXPORTER: ' console , otlp' })).toBeInstanceOf(ConsoleSpanExporter);
    expect(await traceExporterFromEnv({ OTEL_TRACES_EXPORTER: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBeInstanceOf(OTLPTraceExporter);
  });

  it('is Jaeger’s Thrift over HTTP to OTEL_EXPORTER_JAEGER_ENDPOINT', async () => {
    const stub = await collector();
    const exporter = await traceExporterFromEnv({ OTEL_TRACES_EXPORTER: 'jaeger', OTEL_EXPORTER_JAEGER_ENDPOINT: `${stub.url}/api/traces` });
    expect(exporter).toBeInstanceOf(JaegerExporter);
    await exportOneSpan(exporter!);
    expect(stub.requests.map((r) => [r.method, r.url, r.headers['content-type']])).toEqual([['POST', '/api/traces', 'application/x-thrift']]);
    expect(await traceExporterFromEnv({ OTEL_TRACES_EXPORTER: 'jaeger' })).toBeInstanceOf(JaegerExporter);
  });

  it('refuses an exporter it does not know, naming the choices', async () => {
    await expect(traceExporterFromEnv({ OTEL_TRACES_EXPORTER: 'zipkin' })).rejects.toThrow(new Error('OTEL_TRACES_EXPORTER=zipkin is not one of otlp, jaeger, console, none'));
  });
});
