import type { Logger } from '@mesh-mall/kit';
import { expressApp } from '@mesh-mall/kit/express';
import type { Express } from 'express';

export interface EchoIdentity {
  /** `namespace/app@version`, as the conformance cases name workloads. */
  servedBy: string;
  /** Answered for every request: 200, or a failure to make (ECHO_STATUS). */
  status: number;
}

/**
 * Each header as the conformance suites' echo servers report it: every line it came on, joined by `,` (Node's
 * req.headers would join repeated lines with `, `).
 */
function headerLines(headers: Record<string, string[] | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, lines]) => [name, (lines ?? []).join(',')]));
}

/** Heap the pod was asked to hold (x-echo-hold-mb): kept for the life of the process. */
const held: number[][] = [];

/**
 * Any method, any path → `{servedBy, method, path, headers}` (each header's lines joined by `,`), with the configured
 * status. A request with `x-echo-hold-mb: N` first makes the pod hold N MB more of JavaScript heap, for tests of
 * memory limits.
 */
export function buildApp(logger: Logger, identity: EchoIdentity): Express {
  return expressApp(logger, (app) => {
    app.all('/{*path}', (req, res) => {
      const holdMb = Number(req.headers['x-echo-hold-mb'] ?? 0);
      // 1 MB of heap: 131,072 doubles in one array.
      for (let mb = 0; Number.isInteger(holdMb) && mb < Math.min(holdMb, 4096); mb++) held.push(new Array<number>(131_072).fill(mb + 0.5));
      res.status(identity.status).json({ servedBy: identity.servedBy, method: req.method, path: req.originalUrl, headers: headerLines(req.headersDistinct) });
    });
  });
}
