import type { Logger } from '@mesh-mall/kit';
import { expressApp } from '@mesh-mall/kit/express';
import type { Express } from 'express';

export interface EchoIdentity {
  /** `namespace/app@version`, as the conformance cases name workloads. */
  servedBy: string;
  /** Answered for every request: 200, or a failure to make (ECHO_STATUS). */
  status: number;
}

/** Heap the pod was asked to hold (x-echo-hold-mb): kept for the life of the process. */
const held: number[][] = [];

/**
 * Any method, any path → `{servedBy, method, path, headers}`, with the configured status. A request with
 * `x-echo-hold-mb: N` first makes the pod hold N MB more of JavaScript heap, for tests of memory limits.
 */
export function buildApp(logger: Logger, identity: EchoIdentity): Express {
  return expressApp(logger, (app) => {
    app.all('/{*path}', (req, res) => {
      const holdMb = Number(req.headers['x-echo-hold-mb'] ?? 0);
      // 1 MB of heap: 131,072 doubles in one array.
      for (let mb = 0; Number.isInteger(holdMb) && mb < Math.min(holdMb, 4096); mb++) held.push(new Array<number>(131_072).fill(mb + 0.5));
      res.status(identity.status).json({ servedBy: identity.servedBy, method: req.method, path: req.originalUrl, headers: req.headers });
    });
  });
}
