import type { Logger } from '@mesh-mall/kit';
import { expressApp } from '@mesh-mall/kit/express';
import type { Express } from 'express';

export interface EchoIdentity {
  /** `namespace/app@version`, as the conformance cases name workloads. */
  servedBy: string;
  /** Answered for every request: 200, or a failure to make (ECHO_STATUS). */
  status: number;
}

/** Any method, any path → `{servedBy, method, path, headers}`, with the configured status. */
export function buildApp(logger: Logger, identity: EchoIdentity): Express {
  return expressApp(logger, (app) => {
    app.all('/{*path}', (req, res) => {
      res.status(identity.status).json({ servedBy: identity.servedBy, method: req.method, path: req.originalUrl, headers: req.headers });
    });
  });
}
