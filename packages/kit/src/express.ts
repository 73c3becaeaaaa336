import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { errorBody, HttpError, toHttpError } from './errors.js';
import { BODY_LIMIT_BYTES } from './limits.js';
import type { Logger } from './logger.js';
import { requestContext, runWithContext } from './propagation.js';

/**
 * An express app with the kit's conventions: JSON bodies up to BODY_LIMIT_BYTES, the request context re-entered after
 * body parsing, JSON 404s and error responses. `routes` adds the service's own endpoints.
 */
export function expressApp(logger: Logger, routes: (app: Express) => void): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(express.json({ limit: BODY_LIMIT_BYTES, strict: true, type: () => true }));
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
