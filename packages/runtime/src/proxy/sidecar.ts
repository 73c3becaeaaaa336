import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import type { Pod } from './cluster.js';
import { AttemptError, BodyTooLarge, endToEnd, readBody, relay, send, type AttemptFailure, type Headers } from './forward.js';
import { applyHeaderOperations, rewriteUri } from './istio/rewrite.js';
import { randomHex } from './random-ids.js';
import type { Retries } from './istio/schemas.js';
import type { HopRecorder } from './hop-recorder.js';
import type { IngressIdentity, ResponseFlag, RouteDecision, Router, SourceIdentity, UpstreamRef } from './router.js';

export interface SidecarOptions {
  identity: SourceIdentity;
  router: Router;
  hops: HopRecorder;
  /** Set for the ingress gateway: routes come from Gateways and the VirtualServices bound to them. */
  ingress?: IngressIdentity;
}

/** Istio's retry policy when a route sets none. */
const DEFAULT_RETRIES: Retries = { attempts: 2, retryOn: 'connect-failure,refused-stream' };
/** Envoy buffers a request it may retry; bodies beyond this are refused rather than cut. */
const BODY_LIMIT = 1024 * 1024;

interface Outcome {
  status: number;
  flag?: ResponseFlag;
  pod?: Pod;
  attempts: number;
}

/**
 * A workload's proxy: the local stand-in for its Envoy. Every call the workload makes arrives here with the cluster
 * name in Host; it is routed for this caller, faults and header rules applied, sent (with retries and timeouts) to an
 * endpoint that passes the destination's AuthorizationPolicy, logged as one hop and counted in the metrics.
 */
export class Sidecar {
  private readonly server: Server;

  constructor(private readonly options: SidecarOptions) {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
  }

  /** The bound port, once listening. */
  get port(): number | undefined {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : undefined;
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.port ?? port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = Date.now();
    const started = performance.now();
    const { identity, router } = this.options;
    // Envoy gives a request its id where it enters the mesh.
    if (typeof req.headers['x-request-id'] !== 'string') req.headers['x-request-id'] = randomUUID();
    const span = proxySpan(req);
    const url = req.url ?? '/';
    const decision = router.decide({ authority: req.headers.host ?? '', method: req.method ?? 'GET', url, headers: req.headers }, identity, this.options.ingress);
    let outcome: Outcome;
    try {
      outcome = decision.kind === 'reject' ? answer(res, decision.status, decision.reason, decision.flag) : await this.route(req, res, decision);
    } catch (error) {
      outcome = error instanceof BodyTooLarge ? answer(res, 413, 'request body too large') : answer(res, 503, String(error), 'UF');
    }
    this.options.hops.record({
      source: identity,
      target: decision.target,
      pod: outcome.pod,
      routeName: decision.kind === 'route' ? (decision.choice?.name ?? 'default') : undefined,
      method: req.method ?? '',
      path: url,
      status: outcome.status,
      flag: outcome.flag,
      attempts: outcome.attempts,
      startedAt,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      requestId: req.headers['x-request-id'] as string,
      endUser: typeof req.headers['end-user'] === 'string' ? req.headers['end-user'] : undefined,
      reason: decision.kind === 'reject' ? decision.reason : undefined,
      span,
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse, decision: Extract<RouteDecision, { kind: 'route' }>): Promise<Outcome> {
    const { router } = this.options;
    const route = decision.choice?.route;
    const fault = route?.fault;
    if (fault?.delay && chance(fault.delay.percentage?.value)) await sleep(fault.delay.fixedDelay);
    if (fault?.abort && chance(fault.abort.percentage?.value)) return answer(res, fault.abort.httpStatus, 'fault filter abort', 'FI');

    const body = await readBody(req, BODY_LIMIT);
    const headers = endToEnd(req.headers);
    applyHeaderOperations(headers, route?.headers?.request);
    applyHeaderOperations(headers, decision.choice?.destination.headers?.request);
    if (route?.rewrite?.authority) headers.host = route.rewrite.authority;
    const path = route?.rewrite?.uri !== undefined ? rewriteUri(req.url ?? '/', route.rewrite.uri, decision.choice?.matched) : (req.url ?? '/');
    const request = { method: req.method ?? 'GET', path, headers, body };

    if (decision.mirror && chance(route?.mirrorPercentage?.value)) this.mirror(decision.mirror, request);

    const retries = route?.retries ?? DEFAULT_RETRIES;
    const retryOn = retryConditions(retries);
    const maxAttempts = 1 + retries.attempts;
    const clientGone = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) clientGone.abort('client gone');
    });
    const deadline = route?.timeout !== undefined ? timeoutSignal(route.timeout) : undefined;
    if (!router.tryAcquire(decision.upstream)) return answer(res, 503, 'upstream overflow: connection pool limits reached', 'UO');
    try {
      return await this.attempts(res, decision, request, { retries, retryOn, maxAttempts, clientGone, deadline });
    } finally {
      router.release(decision.upstream);
    }
  }

  private async attempts(
    res: ServerResponse,
    decision: Extract<RouteDecision, { kind: 'route' }>,
    request: { method: string; path: string; headers: Headers; body: Buffer | undefined },
    plan: { retries: Retries; retryOn: ReadonlySet<string>; maxAttempts: number; clientGone: AbortController; deadline: AbortSignal | undefined },
  ): Promise<Outcome> {
    const { router, identity } = this.options;
    const route = decision.choice?.route;
    const { retries, retryOn, maxAttempts, clientGone, deadline } = plan;

    let attempts = 0;
    let last: Outcome = { status: 503, flag: 'UH', attempts: 0 };
    while (attempts < maxAttempts) {
      const pod = router.pickEndpoint(decision.upstream);
      if (!pod) return answer(res, 503, 'no healthy upstream', 'UH', attempts);
      if (!router.authorize(pod, identity, request.method, request.path)) {
        return { ...answerText(res, 403, 'RBAC: access denied'), pod, attempts, flag: 'UAEX' };
      }
      attempts++;
      const signals = [clientGone.signal, ...(deadline ? [deadline] : []), ...(retries.perTryTimeout ? [timeoutSignal(retries.perTryTimeout)] : [])];
      let upstream: Dispatcher.ResponseData;
      router.active.set(pod, (router.active.get(pod) ?? 0) + 1);
      try {
        upstream = await send(`http://127.0.0.1:${pod.port}`, request, signals.length === 1 ? signals[0]! : AbortSignal.any(signals));
      } catch (error) {
        router.active.set(pod, (router.active.get(pod) ?? 1) - 1);
        const failure: AttemptFailure = error instanceof AttemptError ? error.failure : 'reset';
        router.report(decision.upstream, pod, 503);
        if (deadline?.aborted) return answer(res, 504, 'upstream request timeout', 'UT', attempts, pod);
        if (clientGone.signal.aborted) return { status: 499, flag: 'DC', pod, attempts };
        last = failure === 'timeout' ? { status: 504, flag: 'UT', pod, attempts } : { status: 503, flag: 'UF', pod, attempts };
        if (attempts < maxAttempts && retriable(failure, last.status, retryOn)) continue;
        const reason = failure === 'timeout' ? 'upstream request timeout' : 'upstream connect error or disconnect/reset before headers';
        return answer(res, last.status, reason, attempts > 1 ? 'URX' : last.flag, attempts, pod);
      }
      router.report(decision.upstream, pod, upstream.statusCode);
      if (attempts < maxAttempts && retriable(undefined, upstream.statusCode, retryOn)) {
        router.active.set(pod, (router.active.get(pod) ?? 1) - 1);
        // The answer is thrown away for a retry; a reset while draining it must not cost the retry.
        await upstream.body.dump().catch(() => undefined);
        continue;
      }
      const responseHeaders = endToEnd(upstream.headers as NodeJS.Dict<string | string[]>);
      applyHeaderOperations(responseHeaders, route?.headers?.response);
      applyHeaderOperations(responseHeaders, decision.choice?.destination.headers?.response);
      try {
        await relay(upstream, res, responseHeaders);
      } catch {
        res.destroy();
      } finally {
        router.active.set(pod, (router.active.get(pod) ?? 1) - 1);
      }
      return { status: upstream.statusCode, pod, attempts };
    }
    return last;
  }

  /** A copy sent and forgotten, with `-shadow` appended to the host as Envoy does. */
  private mirror(upstream: UpstreamRef, request: { method: string; path: string; headers: Headers; body: Buffer | undefined }): void {
    const pod = this.options.router.pickEndpoint(upstream);
    if (!pod) return;
    const host = String(request.headers.host ?? upstream.target.fqdn).replace(/(:\d+)?$/, '-shadow$1');
    // Nobody waits for the shadow's answer, so nothing about it (a reset mid-body included) may go unhandled.
    send(`http://127.0.0.1:${pod.port}`, { ...request, headers: { ...request.headers, host } }, AbortSignal.timeout(10_000))
      .then((response) => response.body.dump())
      .catch(() => undefined);
  }
}

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;

/**
 * The proxy's own span for this hop. Trace headers pass on untouched, so the proxy span and the callee's server span
 * are both children of the caller's span; a request that arrives without a trace (at the ingress) starts one here,
 * with the proxy span as its root, as Envoy does at the edge.
 */
function proxySpan(req: IncomingMessage): { traceId: string; spanId: string; parentSpanId: string | undefined } {
  const spanId = randomHex(8);
  const w3c = TRACEPARENT.exec(String(req.headers.traceparent ?? ''));
  if (w3c) return { traceId: w3c[1]!, spanId, parentSpanId: w3c[2]! };
  const b3Trace = req.headers['x-b3-traceid'];
  if (typeof b3Trace === 'string' && /^[\da-f]{16,32}$/.test(b3Trace)) {
    return { traceId: b3Trace.padStart(32, '0'), spanId, parentSpanId: String(req.headers['x-b3-spanid'] ?? '') || undefined };
  }
  const traceId = randomHex(16);
  req.headers.traceparent = `00-${traceId}-${spanId}-01`;
  return { traceId, spanId, parentSpanId: undefined };
}

const parsedRetryOn = new WeakMap<Retries, ReadonlySet<string>>();

/** A route's retryOn as a set, parsed once per configuration rather than per request. */
function retryConditions(retries: Retries): ReadonlySet<string> {
  let conditions = parsedRetryOn.get(retries);
  if (!conditions) {
    conditions = new Set((retries.retryOn ?? '').split(',').map((c) => c.trim()));
    parsedRetryOn.set(retries, conditions);
  }
  return conditions;
}

function retriable(failure: AttemptFailure | undefined, status: number, retryOn: ReadonlySet<string>): boolean {
  if (failure === 'connect-failure') return retryOn.has('connect-failure') || retryOn.has('5xx') || retryOn.has('gateway-error');
  if (failure === 'reset') return retryOn.has('reset') || retryOn.has('refused-stream') || retryOn.has('5xx');
  if (failure === 'timeout') return retryOn.has('5xx') || retryOn.has('gateway-error');
  if (status >= 500 && retryOn.has('5xx')) return true;
  if (status >= 502 && status <= 504 && retryOn.has('gateway-error')) return true;
  return status === 409 && retryOn.has('retriable-4xx');
}

function timeoutSignal(ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort('timeout'), ms).unref();
  return controller.signal;
}

/** Istio percentages: absent means always. */
function chance(percent: number | undefined): boolean {
  return percent === undefined || Math.random() * 100 < percent;
}

function answer(res: ServerResponse, status: number, reason: string, flag?: ResponseFlag, attempts = 0, pod?: Pod): Outcome {
  if (!res.headersSent) {
    const body = JSON.stringify({ error: STATUS_CODES[status] ?? 'Error', message: reason });
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  }
  return { status, ...(flag ? { flag } : {}), attempts, ...(pod ? { pod } : {}) };
}

/** Envoy's own plain-text answers, such as RBAC's. */
function answerText(res: ServerResponse, status: number, text: string): { status: number } {
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) }).end(text);
  return { status };
}
