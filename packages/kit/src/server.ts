import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { trace } from '@opentelemetry/api';
import type { BaseConfig } from './config.js';
import { errorBody } from './errors.js';
import type { Logger } from './logger.js';
import { requestContext, runWithContext } from './propagation.js';
import { spanStartTime } from './telemetry/clock.js';
import { FLUSH_BUDGET_MS, shutdownTelemetry } from './telemetry/sdk.js';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface ServiceOptions {
  config: BaseConfig;
  logger: Logger;
  /** The framework's handler: express's app, or fastify's routing function. */
  handler: RequestHandler;
  /** Releases what the service holds (database clients) after the last request has finished. */
  onClose?: () => Promise<void>;
  /** Why the service cannot serve yet (readiness 503 with that reason), or undefined when it can. */
  notReadyReason?: () => string | undefined;
  /** Drain and exit on SIGTERM/SIGINT and when the parent runtime disconnects; off in tests. Default true. */
  handleSignals?: boolean;
}

export interface RunningService {
  server: Server;
  /** The port actually bound (PORT=0 picks a free one). */
  port: number;
  /**
   * Reports not ready and keeps serving for SHUTDOWN_DELAY_MS, then stops accepting, lets in-flight requests finish
   * (up to DRAIN_TIMEOUT_MS), and releases resources.
   */
  shutdown(reason: string): Promise<void>;
}

const PROBES = new Set(['/healthz', '/readyz']);
const tracer = trace.getTracer('@mesh-mall/kit');

/**
 * The HTTP server every service runs in, whatever its framework: health probes, the request context that outbound
 * calls propagate, the simulated processing delay, one log line per request, and a graceful drain on SIGTERM/SIGINT
 * or when the local runtime that started the process goes away.
 */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { config, logger, handler } = options;
  let draining = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    if (PROBES.has(path)) return answerProbe(res, path === '/readyz' ? (draining ? 'draining' : options.notReadyReason?.()) : undefined);
    const started = performance.now();
    const context = requestContext(req);
    // Who the page is for, on the request's server span (OpenTelemetry's user.id): trace lists and searches show it.
    if (context['end-user']) trace.getActiveSpan()?.setAttribute('user.id', context['end-user']);
    inFlight++;
    res.once('close', () => {
      inFlight--;
      logger.info(
        {
          method: req.method,
          path: req.url,
          status: res.statusCode,
          ms: Math.round((performance.now() - started) * 10) / 10,
          requestId: context['x-request-id'],
          endUser: context['end-user'],
        },
        'request',
      );
      if (draining && inFlight === 0) drained?.();
    });
    if (draining) res.setHeader('connection', 'close');
    runWithContext(context, () => {
      if (config.LATENCY_MS === 0) return handler(req, res);
      // The simulated processing is a span of its own, so traces show where the time goes.
      const span = tracer.startSpan('simulated work', { attributes: { 'mesh_mall.latency_ms': config.LATENCY_MS }, startTime: spanStartTime() });
      void sleep(config.LATENCY_MS).then(() => {
        span.end();
        handler(req, res);
      });
    });
  });
  // Slow or oversized clients must not pin the process.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  // Stryker disable next-line ConditionalExpression,LogicalOperator: once listening on a TCP port, address() is always an object: the fallback cannot be reached
  const port = typeof address === 'object' && address ? address.port : config.PORT;

  let shuttingDown: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    shuttingDown ??= (async () => {
      draining = true;
      logger.info({ reason, inFlight }, 'draining');
      // Idle keep-alive connections stay open too: closing one as a request arrives on it would break that request.
      if (config.SHUTDOWN_DELAY_MS > 0) await sleep(config.SHUTDOWN_DELAY_MS);
      server.close();
      // Stryker disable next-line CallExpression: server.close() closes idle connections itself since Node 19; kept for clarity
      server.closeIdleConnections();
      if (inFlight > 0) {
        const allDone = new Promise<void>((resolve) => (drained = resolve));
        // Stryker disable next-line ArrowFunction: undefined for false is still falsy: the same `not timed out`
        const timedOut = await Promise.race([allDone.then(() => false), sleep(config.DRAIN_TIMEOUT_MS, true)]);
        if (timedOut) logger.warn({ inFlight }, 'drain timeout: closing remaining connections');
      }
      server.closeAllConnections();
      await options.onClose?.();
      await shutdownTelemetry();
      logger.info('stopped');
    })();
    return shuttingDown;
  };

  const exitAfter = (reason: string) => () => {
    armExitDeadline(config, logger);
    void shutdown(reason).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  if (options.handleSignals ?? true) {
    process.once('SIGTERM', exitAfter('SIGTERM'));
    process.once('SIGINT', exitAfter('SIGINT'));
    // Started by the local runtime: when it dies, so do we (no orphans).
    if (process.send) {
      process.once('disconnect', exitAfter('runtime gone'));
      process.send({ type: 'listening', port });
    }
  }
  logger.info({ port }, 'listening');
  return { server, port, shutdown };
}

/** Past the shutdown delay, the drain and the flush, plus this, the process ends whatever is still pending. */
const EXIT_MARGIN_MS = 1_000;

/** How long after SIGTERM a service exits at the latest, with these settings (see armExitDeadline). */
export const exitDeadlineMs = (config: Pick<BaseConfig, 'SHUTDOWN_DELAY_MS' | 'DRAIN_TIMEOUT_MS'>): number =>
  config.SHUTDOWN_DELAY_MS + config.DRAIN_TIMEOUT_MS + FLUSH_BUDGET_MS + EXIT_MARGIN_MS;

/**
 * A stop must end inside the pod's grace period (terminationGracePeriodSeconds in install/ is sized from these
 * settings): if the graceful path has not exited by SHUTDOWN_DELAY_MS + DRAIN_TIMEOUT_MS + the telemetry flush budget
 * + EXIT_MARGIN_MS, the process exits anyway. process.exit, because in a container node is PID 1, which cannot
 * signal itself to death; it joins libuv's thread pool first, which is why the kit's own DNS lookups stay off it
 * (dns-lookup.ts).
 */
function armExitDeadline(config: BaseConfig, logger: Logger): void {
  const deadlineMs = exitDeadlineMs(config);
  setTimeout(() => {
    logger.error({ deadlineMs }, 'exit deadline passed: exiting with requests or clean-up unfinished');
    process.exit(1);
  }, deadlineMs).unref();
}

function answerProbe(res: ServerResponse, notReady: string | undefined): void {
  res.writeHead(notReady ? 503 : 200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(notReady ? errorBody(503, notReady) : { status: 'ok' }));
}
