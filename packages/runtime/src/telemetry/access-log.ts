import { mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, type Logger } from 'pino';

/** One hop through a sidecar or the gateway, as Envoy's access log would record it. */
export interface AccessLogEntry {
  source_namespace: string;
  source_workload: string;
  destination_namespace: string | undefined;
  destination_workload: string | undefined;
  destination_version: string | undefined;
  destination_service: string | undefined;
  /** The VirtualService route that matched (its name, or `<vs>.<namespace>#<index>`); `default` without one. */
  route_name: string | undefined;
  method: string;
  path: string;
  status: number;
  /** Envoy's flags for answers the proxy gave itself: NR no route, UH no healthy upstream, UF connect failure, UC connection broken off… */
  response_flags: string | undefined;
  attempts: number;
  duration_ms: number;
  x_request_id: string | undefined;
  end_user: string | undefined;
  trace_id: string;
  /** Why the proxy answered itself, in words. */
  reason?: string;
}

/** JSON lines to a file (or stdout with '-'), written asynchronously off the request path. */
export class AccessLog {
  private readonly logger: Logger;

  constructor(readonly path: string) {
    if (path !== '-') mkdirSync(dirname(path), { recursive: true });
    // Opened here rather than by sonic-boom in the background, so closing right after start-up cannot find it unready.
    const destination = pino.destination({ dest: path === '-' ? 1 : openSync(path, 'a'), sync: false });
    this.logger = pino({ base: undefined, timestamp: pino.stdTimeFunctions.isoTime, messageKey: 'msg' }, destination);
  }

  write(entry: AccessLogEntry): void {
    this.logger.info(entry);
  }

  close(): void {
    this.logger.flush();
  }
}
