import { Agent, errors as undiciErrors, request } from 'undici';
import { eventLoopLookup } from './dns-lookup.js';
import type { z } from 'zod';
import type { BaseConfig } from './config.js';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { spanStartTime } from './telemetry/clock.js';
import { traceDetail } from './telemetry/detail.js';
import { outboundHeaders } from './propagation.js';

export type UpstreamFailure = 'timeout' | 'connect' | 'status' | 'invalid-response';

/** A downstream call that did not produce the expected answer; `status` is set when the callee answered. */
export class UpstreamError extends Error {
  constructor(
    readonly service: string,
    readonly kind: UpstreamFailure,
    message: string,
    readonly status?: number,
  ) {
    super(`${service}: ${message}`);
    this.name = 'UpstreamError';
  }
}

export interface ServiceClientOptions {
  /** Where the service lives as the cluster names it, e.g. http://users:7000 */
  baseUrl: string;
  timeoutMs: number;
  /**
   * The local runtime's sidecar listener. When set, the connection goes there and the Host header keeps the
   * cluster name, as Envoy sees it after iptables redirects an outbound call.
   */
  outboundUrl?: string | undefined;
}

export interface CallOptions<T> {
  query?: Record<string, string>;
  body?: unknown;
  /** Validates a 2xx answer's JSON body: the callee's contract, checked at the boundary. */
  schema: z.ZodType<T>;
  /** Overrides the client's timeout for this call. */
  timeoutMs?: number;
}

export interface UpstreamResponse<T> {
  status: number;
  body: T;
}

// Names resolved on the event loop (dns-lookup.ts), so a DNS outage does not fill the thread pool.
const agent = new Agent({ keepAliveTimeout: 10_000, connections: 64, connect: { lookup: eventLoopLookup() } });
const tracer = trace.getTracer('@mesh-mall/kit');
/** The call span is the client span, unless the HTTP client's instrumentation makes one under it (TRACE_DETAIL=full). */
const CALL_SPAN_KIND = traceDetail() === 'full' ? SpanKind.INTERNAL : SpanKind.CLIENT;

/**
 * A JSON client for one downstream service. Every call carries the propagated headers of the request being served
 * and ends with an UpstreamError after its timeout.
 */
export class ServiceClient {
  private readonly origin: string;
  private readonly host: string;
  private readonly address: { hostname: string; port: number };

  constructor(
    readonly service: string,
    private readonly options: ServiceClientOptions,
  ) {
    const target = new URL(options.baseUrl);
    this.host = target.host;
    this.address = { hostname: target.hostname, port: Number(target.port) || 80 };
    this.origin = options.outboundUrl ? new URL(options.outboundUrl).origin : target.origin;
  }

  /** GET or POST and validate a 2xx JSON answer; any other status is an UpstreamError carrying it. */
  async call<T>(method: 'GET' | 'POST', path: string, options: CallOptions<T>): Promise<T> {
    const response = await this.send(method, path, options);
    if (response.status < 200 || response.status >= 300) {
      throw new UpstreamError(this.service, 'status', `answered ${response.status}`, response.status);
    }
    return response.body;
  }

  /**
   * Like call, but hands back any answered status; the body is validated only for 2xx. Traced as the call's client
   * span, named for the operation (e.g. `scores GET /scores`), whose context the request carries; with TRACE_DETAIL
   * full the HTTP client's own span is its child and carries the context instead.
   */
  send<T>(method: 'GET' | 'POST', path: string, options: CallOptions<T>): Promise<UpstreamResponse<T>> {
    const attributes = { 'peer.service': this.service, 'http.request.method': method, 'server.address': this.address.hostname, 'server.port': this.address.port, 'url.full': `http://${this.host}${path}` };
    return tracer.startActiveSpan(`${this.service} ${method} ${path}`, { kind: CALL_SPAN_KIND, attributes, startTime: spanStartTime() }, async (span) => {
      try {
        const response = await this.sendNow(method, path, options);
        span.setAttribute('http.response.status_code', response.status);
        if (response.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR, message: `${this.service} answered ${response.status}` });
        return response;
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    });
  }

  private async sendNow<T>(method: 'GET' | 'POST', path: string, options: CallOptions<T>): Promise<UpstreamResponse<T>> {
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    const search = options.query ? `?${new URLSearchParams(options.query)}` : '';
    const headers: Record<string, string> = { ...outboundHeaders(), host: this.host, accept: 'application/json' };
    // The call span's context, in W3C and B3 (the propagators the SDK was given); nothing without a running SDK.
    if (CALL_SPAN_KIND === SpanKind.CLIENT) propagation.inject(context.active(), headers);
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    let status: number;
    let text: string;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      ({ status, text } = await abortable(signal, async () => {
        const response = await request(`${this.origin}${path}${search}`, { method, headers, body: payload, dispatcher: agent, signal });
        return { status: response.statusCode, text: await response.body.text() };
      }));
    } catch (error) {
      throw this.failure(error, timeoutMs);
    }
    if (status < 200 || status >= 300) return { status, body: undefined as T };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new UpstreamError(this.service, 'invalid-response', `answered ${status} with a body that is not JSON`, status);
    }
    const parsed = options.schema.safeParse(json);
    if (!parsed.success) {
      throw new UpstreamError(this.service, 'invalid-response', `answer does not match its contract: ${parsed.error.message}`, status);
    }
    return { status, body: parsed.data };
  }

  private failure(error: unknown, timeoutMs: number): UpstreamError {
    // Stryker disable next-line OptionalChaining: what is caught here is never null or undefined (undici's errors, or a signal's reason, which is an Error whenever aborted without one)
    const name = (error as Error)?.name;
    if (name === 'TimeoutError' || name === 'AbortError' || error instanceof undiciErrors.HeadersTimeoutError) {
      return new UpstreamError(this.service, 'timeout', `no answer within ${timeoutMs} ms`);
    }
    // Stryker disable next-line OptionalChaining: as above, the error is never null or undefined
    return new UpstreamError(this.service, 'connect', (error as Error)?.message ?? String(error));
  }
}

/**
 * Settles with `work`, or rejects with the signal's reason once it aborts, whichever is first: undici did not end a
 * request whose DNS lookup was still pending at its timeout (cluster DNS not answering: EAI_AGAIN after 10 s, where the
 * call's budget was 1 s).
 */
export function abortable<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work().then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * A client for `service` at `baseUrl`, with the runtime's sidecar if any, and `timeoutMs` per call (default: the
 * service's UPSTREAM_TIMEOUT_MS).
 */
export function serviceClient(
  config: Pick<BaseConfig, 'UPSTREAM_TIMEOUT_MS' | 'MESH_OUTBOUND_URL'>,
  service: string,
  baseUrl: string,
  timeoutMs = config.UPSTREAM_TIMEOUT_MS,
): ServiceClient {
  return new ServiceClient(service, {
    baseUrl,
    timeoutMs,
    outboundUrl: config.MESH_OUTBOUND_URL,
  });
}
