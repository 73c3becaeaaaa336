import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import { errorBody, HttpError, toHttpError } from './errors.js';
import { BODY_LIMIT_BYTES } from './limits.js';
import type { Logger } from './logger.js';
import { requestContext, runWithContext } from './propagation.js';

export interface ExpressAppOptions {
  /** helmet's options, e.g. a Content-Security-Policy fitted to the service's page; helmet's defaults otherwise. */
  securityHeaders?: HelmetOptions;
}

/**
 * An express app with the kit's conventions: security headers (helmet), JSON bodies up to BODY_LIMIT_BYTES, the
 * request context re-entered after body parsing, JSON 404s and error responses. `routes` adds the service's own
 * endpoints.
 */
export function expressApp(logger: Logger, routes: (app: Express) => void, options: ExpressAppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(helmet(options.securityHeaders));
  // Stryker disable next-line StringLiteral: 'simple' is express 5's default query parser already; kept to say so
  app.set('query parser', 'simple');
  app.use(express.json({ limit: BODY_LIMIT_BYTES, strict: true, type: () => true }));
  // Stryker disable next-line CallExpression: the context survives body parsing without it on Node 24, with AsyncContextFrame or without (as Node 22 runs): propagation-body.test.ts; kept as a safeguard
  app.use(reenterContext);
  routes(app);
  app.use((req, _res, next) => next(new HttpError(404, `no route for ${req.method} ${req.path}`)));
  const onError: ErrorRequestHandler = (error, req, res, _next) => {
    const httpError = toHttpError(error);
    if (httpError.status >= 500) logger.error({ err: error, path: req.path }, 'request failed');
    res.status(httpError.status).json(errorBody(httpError.status, httpError.message));
  };
  app.use(onError);
  return app;
}

const reenterContext: RequestHandler = (req, _res, next) => runWithContext(requestContext(req), next);
