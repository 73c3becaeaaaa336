import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { badRequestFrom, errorBody, HttpError, toHttpError } from './errors.js';
import { UpstreamError } from './http-client.js';

describe('error bodies', () => {
  it('name the status by its HTTP reason phrase, and say "Error" for a status without one', () => {
    expect(errorBody(404, 'no route for GET /x')).toEqual({ error: 'Not Found', message: 'no route for GET /x' });
    expect(errorBody(599, 'odd')).toEqual({ error: 'Error', message: 'odd' });
  });
});

describe('a 400 from a validation failure', () => {
  it('names each offending field with its message, joined by "; "', () => {
    const schema = z.object({ name: z.string().min(1, 'too short'), age: z.number({ error: 'age must be a number' }) });
    const error = badRequestFrom(schema.safeParse({ name: '', age: 'x' }).error!);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ name: 'HttpError', status: 400, message: 'name: too short; age: age must be a number' });
  });

  it('gives a message alone for a failure of the whole value, and joins a nested path with dots', () => {
    expect(badRequestFrom(z.string({ error: 'a string, please' }).safeParse(1).error!).message).toBe('a string, please');
    expect(badRequestFrom(z.object({ user: z.object({ name: z.string({ error: 'missing' }) }) }).safeParse({ user: {} }).error!).message).toBe('user.name: missing');
  });
});

describe('mapping what a handler throws to an answer', () => {
  it('keeps an HttpError as it is', () => {
    const error = new HttpError(409, 'taken');
    expect(toHttpError(error)).toBe(error);
  });

  it('answers a downstream timeout with 504 and any other downstream failure with 502, naming the downstream', () => {
    expect(toHttpError(new UpstreamError('scores', 'timeout', 'no answer within 50 ms'))).toMatchObject({ status: 504, message: 'scores: no answer within 50 ms' });
    for (const kind of ['connect', 'status', 'invalid-response'] as const) {
      expect(toHttpError(new UpstreamError('users', kind, 'broke', 500))).toMatchObject({ status: 502, message: 'users: broke' });
    }
  });

  it('keeps the 4xx status of a framework error (status or statusCode) with its message, or the reason phrase', () => {
    expect(toHttpError(Object.assign(new Error('bad JSON'), { status: 400 }))).toMatchObject({ status: 400, message: 'bad JSON' });
    expect(toHttpError({ statusCode: 413, message: 'too large' })).toMatchObject({ status: 413, message: 'too large' });
    expect(toHttpError({ statusCode: '415' })).toMatchObject({ status: 415, message: 'Unsupported Media Type' });
    expect(toHttpError({ status: 422, message: 42 })).toMatchObject({ status: 422, message: 'Unprocessable Entity' });
    expect(toHttpError({ status: 400, statusCode: 500, message: 'status first' })).toMatchObject({ status: 400 });
  });

  it('hides everything else behind a 500 "internal error": 5xx, 3xx, odd statuses, non-errors', () => {
    for (const thrown of [new Error('secret'), { status: 500, message: 'secret' }, { status: 399, message: 'secret' }, { status: 400.5 }, { status: 'abc' }, null, undefined, 'text']) {
      const error = toHttpError(thrown);
      expect(error).toBeInstanceOf(HttpError);
      expect({ status: error.status, message: error.message }).toEqual({ status: 500, message: 'internal error' });
    }
  });
});
