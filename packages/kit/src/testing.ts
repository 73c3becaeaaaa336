import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { loadConfig, type BaseConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';

/** A valid configuration for tests: port 0 on loopback, no simulated latency, quiet logs, no shutdown delay. */
export function testConfig(overrides: Partial<BaseConfig> = {}): BaseConfig {
  const defaults = { SERVICE_NAME: 'test', LATENCY_MS: 0, PORT: 0, HOST: '127.0.0.1', LOG_LEVEL: 'silent', SHUTDOWN_DELAY_MS: 0 };
  return { ...loadConfig(defaults, {}, {}), ...overrides };
}

export const silentLogger: Logger = createLogger(testConfig());

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** performance.now() when the request arrived and when its answer was sent. */
  startedAt: number;
  endedAt: number;
}

export interface Stub {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export type StubAnswer = { status?: number; body?: unknown; delayMs?: number; raw?: string };

/** A loopback HTTP server for tests: records every request and answers with what `answer` returns. */
export async function startStub(answer: (req: IncomingMessage, body: string) => StubAnswer | Promise<StubAnswer>): Promise<Stub> {
  const requests: RecordedRequest[] = [];
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const startedAt = performance.now();
    let body = '';
    for await (const chunk of req) body += chunk;
    const reply = await answer(req, body);
    // Stryker disable next-line ConditionalExpression: without delayMs, waiting on setTimeout(undefined) is one timer tick: nothing answers differently
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    const text = reply.raw ?? JSON.stringify(reply.body ?? {});
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' }).end(text);
    requests.push({ method: req.method!, url: req.url!, headers: req.headers, body, startedAt, endedAt: performance.now() });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  // Stryker disable next-line ConditionalExpression,LogicalOperator: once listening on a TCP port, address() is always an object: the fallback cannot be reached
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Fetches and parses a JSON answer; tests assert on its shape, so it is loosely typed on purpose. */
export async function fetchJson(url: string, init?: RequestInit): Promise<any> {
  return (await fetch(url, init)).json();
}
