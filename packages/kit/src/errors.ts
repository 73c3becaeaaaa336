import { STATUS_CODES } from 'node:http';
import type { ZodError } from 'zod';
import { UpstreamError } from './http-client.js';

/** An error whose status and message are safe to show the caller. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface ErrorBody {
  error: string;
  message: string;
}

export function errorBody(status: number, message: string): ErrorBody {
  return { error: STATUS_CODES[status] ?? 'Error', message };
}

/** A 400 whose message names each offending field, e.g. `name: must be 1–32 of [a-z0-9_-]`. */
export function badRequestFrom(error: ZodError): HttpError {
  const message = error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
  return new HttpError(400, message);
}

/**
 * Maps anything thrown by a handler or a framework to a status and a caller-safe message.
 * Framework errors carrying a 4xx `status`/`statusCode` (bad JSON, body too large) keep it; the rest are 500s whose
 * detail stays in the log. A downstream that failed is the gateway's kind of error: 504 on timeout, else 502.
 */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof UpstreamError) return new HttpError(error.kind === 'timeout' ? 504 : 502, error.message);
  const candidate = error as { status?: unknown; statusCode?: unknown; message?: unknown; expose?: unknown };
  const status = Number(candidate?.status ?? candidate?.statusCode);
  if (Number.isInteger(status) && status >= 400 && status < 500) {
    return new HttpError(status, typeof candidate.message === 'string' ? candidate.message : STATUS_CODES[status]!);
  }
  return new HttpError(500, 'internal error');
}
