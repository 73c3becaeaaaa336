import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import type { Pod, SourceIdentity } from '../k8s/identity.js';
import type { IngressIdentity } from '../istio/compile.js';
import { unroutedOperation } from '../istio/envoy-names.js';
import { applyHeaderOperations, rewritePath } from '../istio/rewrite.js';
import type { RetryPolicy, UpstreamRef } from '../istio/route-table.js';
import { endToEnd, headerBytes, type Headers } from '../lib/headers.js';
import { BodyTooLarge } from '../lib/read-body.js';
import type { HopRecorder } from '../telemetry/hop-recorder.js';
import { AttemptError, readBody, relay, send, type AttemptFailure } from './forward.js';
import { retriable } from './retry.js';
import { Clusters } from './clusters.js';
import type { ResponseFlag, ResponseFlags, RouteDecision, Router } from './router.js';
import { normalizePath } from './normalize-path.js';
import { proxySpan } from './trace-context.js';

export interface SidecarOptions {
  identity: SourceIdentity;
  router: Router;
  /** Where each hop goes once it ends. */
  hops: Pick<HopRecorder, 'record'>;
  /** Set for the ingress gateway: routes come from Gateways and the VirtualServices bound to them. */
  ingress?: IngressIdentity;
}

/** Envoy's RBAC filter's answer to a denied request. */
const RBAC_DENIED = 'RBAC: access denied';
/** Envoy buffers a request it may retry; bodies beyond this are refused rather than cut. */
const BODY_LIMIT = 1024 * 1024;

interface Outcome {
  status: number;
  flag?: ResponseFlags;
  pod?: Pod;
  attempts: number;
  /** What was sent back to the caller, when the proxy answered or relayed an answer. */
  sent?: { headerBytes: number; bodyBytes: number };
}

/**
 * A workload's proxy: the local stand-in for its Envoy. Every call the workload makes arrives here with the cluster
 * name in Host; it is routed for this caller, faults and header rules applied, sent (with retries and timeouts) to an
 * endpoint that passes the destination's AuthorizationPolicy, logged as one hop and counted in the metrics.
 */
export class Sidecar {
  private readonly server: Server;
  /** This proxy's own load balancing, outlier detection and circuit breakers, as each Envoy has its own. */
  private readonly clusters: Clusters;

  /** Envoy's node id for this proxy, which its spans carry. */
  private readonly nodeId: string;

  constructor(private readonly options: SidecarOptions) {
    const { identity } = options;
    // istio pkg/model: `<type>~<ip>~<pod>.<namespace>~<namespace>.svc.cluster.local`; a gateway is a `router`.
    this.nodeId = `${options.ingress ? 'router' : 'sidecar'}~127.0.0.1~${identity.name ?? identity.workload}.${identity.namespace}~${identity.namespace}.svc.cluster.local`;
    this.clusters = new Clusters((upstream) => options.router.endpointsOf(upstream));
    // A failure of the proxy's own is that request's end, never the runtime's.
    this.server = createServer((req, res) => void this.handle(req, res).catch(() => res.destroy()));
    this.server.keepAliveTimeout = 30_000;
  }

  /** The bound port, once listening. */
  get port(): number | undefined {
    const address = this.server.address();
    // Stryker disable next-line ConditionalExpression: address() is a string only for a pipe or socket file; listen(port, host) binds TCP
    return typeof address === 'object' && address ? address.port : undefined;
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        // Stryker disable next-line StringLiteral: the promise has settled; a stale once-listener calling reject changes nothing
        this.server.off('error', reject);
        resolve(this.port ?? port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      // Stryker disable next-line CallExpression: Node's server.close() closes idle connections itself (since Node 19); kept for clarity
      this.server.closeIdleConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    // Sub-millisecond, as the kit's spans start: the proxy span never seems to start before its parent.
    const startedAt = performance.timeOrigin + started;
    const { identity, router } = this.options;
    const requestHeaderBytes = headerBytes(req.headers);
    const userAgent = req.headers['user-agent'];
    // Envoy gives a request its id where it enters the mesh.
    if (typeof req.headers['x-request-id'] !== 'string') req.headers['x-request-id'] = randomUUID();
    const span = proxySpan(req);
    // Stryker disable next-line StringLiteral: an http.Server request always has a method and a url: the fallback is never used
    const url = (req.url = normalizePath(req.url ?? '/'));
    const authority = req.headers.host ?? '';
    // The ingress gateway enforces the AuthorizationPolicies that select it before routing, as its RBAC filter does;
    // a client from outside the mesh has no mesh identity.
    // Stryker disable next-line StringLiteral: an http.Server request always has a method and a url: the fallback is never used
    const denied = this.options.ingress !== undefined && !router.authorize(identity, undefined, { method: req.method ?? 'GET', url, host: authority, headers: req.headers });
    const decision: RouteDecision = denied
      ? { kind: 'reject', status: 403, flag: undefined, reason: 'rbac_access_denied_matched_policy[none]' }
      : // Stryker disable next-line StringLiteral: an http.Server request always has a method and a url: the fallback is never used
        router.decide({ authority, method: req.method ?? 'GET', url, headers: req.headers }, identity, this.options.ingress);
    let outcome: Outcome;
    const received = { bodyBytes: 0 };
    try {
      if (denied) outcome = { ...answerText(res, 403, RBAC_DENIED), attempts: 0 };
      else if (decision.kind === 'reject') outcome = answer(res, decision.status, decision.reason, decision.flag);
      else if (decision.kind === 'reply') outcome = { ...answerEmpty(res, decision), attempts: 0 };
      else outcome = await this.route(req, res, decision, received);
    } catch (error) {
      outcome = error instanceof BodyTooLarge ? answer(res, 413, 'request body too large') : answer(res, 503, String(error), 'UF');
    }
    this.options.hops.record({
      source: identity,
      target: decision.target,
      pod: outcome.pod,
      routeName: decision.kind === 'route' ? (decision.choice?.route.name ?? 'default') : decision.kind === 'reply' ? decision.routeName : undefined,
      // Stryker disable next-line StringLiteral: an http.Server request always has a method and a url: the fallback is never used
      method: req.method ?? '',
      authority,
      path: url,
      operation: decision.kind === 'reject' ? unroutedOperation(authority) : decision.operation,
      upstreamCluster: decision.kind === 'route' ? decision.cluster.name : undefined,
      upstreamService: decision.kind === 'route' ? decision.upstream.target : undefined,
      nodeId: this.nodeId,
      status: outcome.status,
      flag: outcome.flag,
      attempts: outcome.attempts,
      startedAt,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      requestId: req.headers['x-request-id'] as string,
      // Stryker disable next-line ConditionalExpression: Node gives an unknown header as one string (repeats joined) or undefined
      endUser: typeof req.headers['end-user'] === 'string' ? req.headers['end-user'] : undefined,
      userAgent,
      requestHeaderBytes,
      requestBodyBytes: received.bodyBytes,
      responseHeaderBytes: outcome.sent?.headerBytes ?? 0,
      responseBodyBytes: outcome.sent?.bodyBytes ?? 0,
      // Stryker disable next-line ConditionalExpression: a route decision carries no reason: reading it gives undefined too
      reason: decision.kind === 'reject' ? decision.reason : undefined,
      ...(outcome.pod ? { plainText: router.plainText(outcome.pod) } : {}),
      span,
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse, decision: Extract<RouteDecision, { kind: 'route' }>, received: { bodyBytes: number }): Promise<Outcome> {
    const route = decision.choice?.route.spec;
    const fault = route?.fault;
    // An unset fault percentage injects nothing (virtual_service.proto HTTPFaultInjection; pilot route.go TranslateFault).
    const delayed = fault?.delay !== undefined && chance(fault.delay.percentage?.value ?? 0);
    if (delayed) await sleep(fault.delay!.fixedDelay);
    if (fault?.abort && chance(fault.abort.percentage?.value ?? 0)) return answer(res, fault.abort.httpStatus, 'fault filter abort', delayed ? 'DI,FI' : 'FI');

    const body = await readBody(req, BODY_LIMIT);
    received.bodyBytes = body?.length ?? 0;
    const headers = endToEnd(req.headers);
    const weighted = (route?.route.length ?? 1) > 1;
    applyHeaderOperations(headers, route?.headers?.request, decision.choice?.destination.headers?.request, weighted);
    if (route?.rewrite?.authority) headers.host = route.rewrite.authority;
    // Stryker disable next-line StringLiteral: an http.Server request always has a method and a url
    const url = req.url ?? '/';
    const path = route ? rewritePath(url, route, decision.choice?.matched, decision.choice!.route.gatewaySemantics) : url;
    // Stryker disable next-line StringLiteral: an http.Server request always has a method and a url: the fallback is never used
    const request = { method: req.method ?? 'GET', path, headers, body };

    // An unset mirrorPercentage mirrors everything (virtual_service.proto HTTPRoute.mirrorPercentage).
    // Stryker disable next-line OptionalChaining: only a chosen route has a mirror, so route is set here
    if (decision.mirror && chance(route?.mirrorPercentage?.value ?? 100)) this.mirror(decision.mirror, request);

    const retry = decision.retry;
    const maxAttempts = 1 + retry.attempts;
    const clientGone = new AbortController();
    res.once('close', () => {
      // Stryker disable next-line StringLiteral,ConditionalExpression: the reason is only told apart from 'timeout' (forward.ts classify); a finished answer closes after the attempt ended, so aborting then cancels nothing
      if (!res.writableFinished) clientGone.abort('client gone');
    });
    // Gone during the fault delay or the body read: its 'close' has fired already.
    // Stryker disable next-line StringLiteral: as above, any reason but 'timeout' is the same
    if (req.socket.destroyed) clientGone.abort('client gone');
    const deadline = route?.timeout !== undefined ? timeoutSignal(route.timeout) : undefined;
    const outcome = await this.attempts(res, decision, request, { retry, maxAttempts, clientGone, deadline });
    // Envoy flags a request its fault filter delayed DI, unless something else is flagged.
    return delayed && !outcome.flag ? { ...outcome, flag: 'DI' } : outcome;
  }

  private async attempts(
    res: ServerResponse,
    decision: Extract<RouteDecision, { kind: 'route' }>,
    request: { method: string; path: string; headers: Headers; body: Buffer | undefined },
    plan: { retry: RetryPolicy; maxAttempts: number; clientGone: AbortController; deadline: AbortSignal | undefined },
  ): Promise<Outcome> {
    const { router, identity } = this.options;
    const { clusters } = this;
    const route = decision.choice?.route.spec;
    const { retry, maxAttempts, clientGone, deadline } = plan;

    let attempts = 0;
    // Stryker disable next-line ObjectLiteral,StringLiteral: the loop never ends by its condition (each continue is guarded by attempts < maxAttempts), so this value is never returned
    let last: Outcome = { status: 503, flag: 'UH', attempts: 0 };
    const tried = new Set<Pod>();
    // Stryker disable next-line EqualityOperator: the loop is re-entered only by a continue guarded by attempts < maxAttempts
    while (attempts < maxAttempts) {
      const pod = clusters.pickEndpoint(decision.upstream, tried);
      if (!pod) return answer(res, 503, 'no healthy upstream', 'UH', attempts);
      if (!router.authorize(pod, identity, { method: request.method, url: request.path, host: String(request.headers.host ?? ''), headers: request.headers })) {
        return { ...answerText(res, 403, RBAC_DENIED), pod, attempts };
      }
      attempts++;
      tried.add(pod);
      // Waiting for a connection ends only with the client or the route timeout; nothing has reached the pod then,
      // so outlier detection hears nothing. The per-try timeout starts once a connection is held (Envoy:
      // UpstreamRequest::onPoolReady → setupPerTryTimeout).
      const waitEnds = deadline ? AbortSignal.any([clientGone.signal, deadline]) : clientGone.signal;
      const held = await clusters.acquire(decision.upstream, waitEnds).catch(() => undefined);
      if (held === undefined) return deadline?.aborted ? answer(res, 504, 'upstream request timeout', 'UT', attempts, pod) : { status: 499, flag: 'DC', pod, attempts };
      if (!held) return answer(res, 503, 'upstream connect error or disconnect/reset before headers. reset reason: overflow', 'UO', attempts, pod);
      const signals = [waitEnds, ...(retry.perTryTimeout ? [timeoutSignal(retry.perTryTimeout)] : [])];
      // Stryker disable next-line ConditionalExpression: AbortSignal.any of one signal aborts when it does, with its reason
      const signal = signals.length === 1 ? signals[0]! : AbortSignal.any(signals);
      clusters.attemptStarted(pod);
      try {
        let upstream: Dispatcher.ResponseData;
        try {
          upstream = await send(pod.port!, request, signal);
        } catch (error) {
          // Stryker disable next-line StringLiteral: send() only ever throws AttemptError: the fallback is never used
          const failure: AttemptFailure = error instanceof AttemptError ? error.failure : 'reset';
          clusters.report(decision.upstream, pod, 503);
          if (deadline?.aborted) return answer(res, 504, 'upstream request timeout', 'UT', attempts, pod);
          if (clientGone.signal.aborted) return { status: 499, flag: 'DC', pod, attempts };
          // Envoy's flags: UF a connection that could not be made, UC one the upstream broke off, UT a per-try timeout.
          const flag: ResponseFlag = failure === 'timeout' ? 'UT' : failure === 'connect-failure' ? 'UF' : 'UC';
          last = { status: failure === 'timeout' ? 504 : 503, flag, pod, attempts };
          const retryable = retriable(failure, last.status, retry);
          if (attempts < maxAttempts && retryable) continue;
          const reason = failure === 'timeout' ? 'upstream request timeout' : 'upstream connect error or disconnect/reset before headers';
          // URX: the retries were used up on a failure they would have retried (Envoy adds it to the failure's flag).
          return answer(res, last.status, reason, retryable && retry.attempts > 0 ? (`${flag},URX` as const) : flag, attempts, pod);
        }
        clusters.report(decision.upstream, pod, upstream.statusCode);
        const retryable = retriable(undefined, upstream.statusCode, retry, upstream.headers);
        if (attempts < maxAttempts && retryable) {
          // The answer is thrown away for a retry; a reset while draining it must not cost the retry.
          await upstream.body.dump().catch(() => undefined);
          continue;
        }
        const responseHeaders = endToEnd(upstream.headers as NodeJS.Dict<string | string[]>);
        applyHeaderOperations(responseHeaders, route?.headers?.response, decision.choice?.destination.headers?.response, (route?.route.length ?? 1) > 1);
        const bodyBytes = await relay(upstream, res, responseHeaders).catch(() => {
          res.destroy();
          return 0;
        });
        const sent = { headerBytes: headerBytes(responseHeaders), bodyBytes };
        // An answer the retries would have retried, passed on because they are used up: URX.
        return { status: upstream.statusCode, pod, attempts, sent, ...(retryable && retry.attempts > 0 ? { flag: 'URX' as const } : {}) };
      } finally {
        clusters.attemptEnded(pod);
        clusters.release(decision.upstream);
      }
    }
    return last;
  }

  /** A copy sent and forgotten, with `-shadow` appended to the host as Envoy does. */
  private mirror(upstream: UpstreamRef, request: { method: string; path: string; headers: Headers; body: Buffer | undefined }): void {
    const { router, identity } = this.options;
    const { clusters } = this;
    const pod = clusters.pickEndpoint(upstream);
    if (!pod) return;
    const host = String(request.headers.host ?? upstream.target.fqdn).replace(/(:\d+)?$/, '-shadow$1');
    // The copy meets the shadow workload's AuthorizationPolicies like any request (its answer is thrown away anyway).
    if (!router.authorize(pod, identity, { method: request.method, url: request.path, host, headers: request.headers })) return;
    // Nobody waits for the shadow's answer, so nothing about it (a reset mid-body included) may go unhandled.
    send(pod.port!, { ...request, headers: { ...request.headers, host } }, AbortSignal.timeout(10_000))
      .then((response) => response.body.dump())
      .catch(() => undefined);
  }
}

function timeoutSignal(ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort('timeout'), ms).unref();
  return controller.signal;
}

/** True in `percent` of calls. */
function chance(percent: number): boolean {
  return Math.random() * 100 < percent;
}

function answer(res: ServerResponse, status: number, reason: string, flag?: ResponseFlags, attempts = 0, pod?: Pod): Outcome {
  let sent: Outcome['sent'];
  // Stryker disable next-line ConditionalExpression: every answer() comes before relay() writes the upstream's headers
  if (!res.headersSent) {
    const body = JSON.stringify({ error: STATUS_CODES[status] ?? 'Error', message: reason });
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    res.writeHead(status, headers).end(body);
    sent = { headerBytes: headerBytes(headers), bodyBytes: headers['content-length'] };
  }
  return { status, ...(flag ? { flag } : {}), attempts, ...(pod ? { pod } : {}), ...(sent ? { sent } : {}) };
}

/** Envoy's answer for a redirect (with its Location) or a direct response: no body, the route's response headers. */
function answerEmpty(res: ServerResponse, { status, location, responseHeaders }: Extract<RouteDecision, { kind: 'reply' }>): Pick<Outcome, 'status' | 'sent'> {
  const headers: Headers = { ...(location ? { location } : {}), 'content-length': '0' };
  applyHeaderOperations(headers, responseHeaders, undefined, false);
  res.writeHead(status, headers).end();
  return { status, sent: { headerBytes: headerBytes(headers), bodyBytes: 0 } };
}

/** Envoy's own plain-text answers, such as RBAC's. */
function answerText(res: ServerResponse, status: number, text: string): Pick<Outcome, 'status' | 'sent'> {
  const headers = { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) };
  res.writeHead(status, headers).end(text);
  return { status, sent: { headerBytes: headerBytes(headers), bodyBytes: headers['content-length'] } };
}
