import fastifyHelmet from '@fastify/helmet';
import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import { fastify, LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { BODY_LIMIT_BYTES } from './limits.js';
import { errorBody, toHttpError } from './errors.js';
import type { Logger } from './logger.js';
import { requestContext, runWithContext } from './propagation.js';
import type { RequestHandler } from './server.js';

/**
 * A fastify instance with the kit's conventions: security headers (helmet's defaults), the request context re-entered
 * before each handler, JSON 404s and error responses, the kit's logger. `routes` registers the service's own endpoints.
 */
export async function fastifyApp(
  logger: Logger,
  routes: (app: FastifyInstance) => void | Promise<void>,
): Promise<FastifyInstance> {
  const app = fastify({
    // pino's Logger is what fastify expects; its declared type is only narrower.
    loggerInstance: logger as FastifyBaseLogger,
    // The kit's server logs each request once, for every framework alike.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
  });
  await app.register(fastifyHelmet);
  // Names the request's server span by its route (`GET /scores`), as the express instrumentation does for express,
  // without fastify's request and hook spans (TRACE_DETAIL=full adds those).
  app.addHook('onRequest', (request, _reply, done) => {
    const rpc = getRPCMetadata(context.active());
    if (rpc?.type === RPCType.HTTP && request.routeOptions.url) rpc.route = request.routeOptions.url;
    done();
  });
  app.addHook('preHandler', (request, _reply, done) => runWithContext(requestContext(request.raw), done));
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(errorBody(404, `no route for ${request.method} ${request.url.split('?')[0]}`));
  });
  app.setErrorHandler((error, request, reply) => {
    const httpError = toHttpError(error);
    if (httpError.status >= 500) request.log.error({ err: error }, 'request failed');
    void reply.code(httpError.status).send(errorBody(httpError.status, httpError.message));
  });
  await routes(app);
  await app.ready();
  return app;
}

/** The handler the kit's server calls for each request. */
export function fastifyHandler(app: FastifyInstance): RequestHandler {
  return (req, res) => app.routing(req, res);
}
