/**
 * How the console's API answers a failure: a 4xx or 5xx with `{ error, message }`, where `error` is
 * the stable code of the {@link TributaryError} (or the console's own `BAD_REQUEST`, `NOT_FOUND`,
 * `READ_ONLY`, `PAYLOAD_TOO_LARGE`). The page shows the message as text; nothing a request carries
 * can stop the server.
 *
 * @example
 * throw new ConsoleHttpError(404, 'NOT_FOUND', `No topic "${name}"`);
 */
import type { FastifyInstance } from 'fastify';
import { TributaryError } from '../errors.ts';

/** An answer other than 2xx, with the code the page and scripts can rely on. */
export class ConsoleHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConsoleHttpError';
  }
}

/** The HTTP status for a TributaryError code: what the caller got wrong is 4xx, the rest 5xx. */
const STATUS_BY_CODE: Record<string, number> = {
  UNKNOWN_TOPIC_OR_PARTITION: 404,
  GROUP_ID_NOT_FOUND: 404,
  SUBJECT_NOT_FOUND: 404,
  VERSION_NOT_FOUND: 404,
  SCHEMA_NOT_FOUND: 404,
  INVALID_STATE_STORE: 404,
  TOPIC_ALREADY_EXISTS: 409,
  NON_EMPTY_GROUP: 409,
  INCOMPATIBLE_SCHEMA: 409,
  MESSAGE_TOO_LARGE: 413,
  OFFSET_OUT_OF_RANGE: 416,
  INVALID_TOPIC_EXCEPTION: 400,
  INVALID_PARTITIONS: 400,
  INVALID_CONFIG: 400,
  INVALID_RECORD: 400,
  INVALID_REQUEST: 400,
  INVALID_GROUP_ID: 400,
  INVALID_SCHEMA: 422,
  SERIALIZATION_ERROR: 422,
  SCHEMA_VALIDATION_FAILED: 422,
  POLICY_VIOLATION: 400,
  UNSUPPORTED_OPERATION: 400,
  INVALID_REPLICATION_FACTOR: 400,
  TOPIC_AUTHORIZATION_FAILED: 403,
};

/** `{ status, body }` for anything thrown by a route. */
export function errorAnswer(err: unknown): { status: number; body: { error: string; message: string } } {
  if (err instanceof ConsoleHttpError) return { status: err.status, body: { error: err.code, message: err.message } };
  if (err instanceof TributaryError) {
    return { status: STATUS_BY_CODE[err.code] ?? 500, body: { error: err.code, message: err.message } };
  }
  const fastify = err as { statusCode?: number; code?: string; message?: string };
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    const code = fastify.statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
    return { status: fastify.statusCode, body: { error: code, message: String(fastify.message ?? 'Bad request') } };
  }
  if (err instanceof TypeError || err instanceof RangeError) {
    return { status: 400, body: { error: 'BAD_REQUEST', message: err.message } };
  }
  return { status: 500, body: { error: 'INTERNAL', message: err instanceof Error ? err.message : String(err) } };
}

/** Answers every failure of `app` with {@link errorAnswer}, and unknown routes with a 404 of the same shape. */
export function installErrorAnswers(app: FastifyInstance): void {
  app.setErrorHandler((err, _request, reply) => {
    const { status, body } = errorAnswer(err);
    if (status >= 500) app.log.error({ err }, 'console request failed');
    void reply.status(status).type('application/json; charset=utf-8').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .type('application/json; charset=utf-8')
      .send({ error: 'NOT_FOUND', message: `No route ${request.method} ${request.url.split('?')[0]}` });
  });
}

/** A query or body field as a whole number in [min, max], or the default when absent. */
export function intParam(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const text = String(value);
  if (!/^-?\d+$/.test(text))
    throw new ConsoleHttpError(400, 'BAD_REQUEST', `${name} must be a whole number; got ${JSON.stringify(text)}`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConsoleHttpError(400, 'BAD_REQUEST', `${name} must be between ${min} and ${max}; got ${text}`);
  }
  return n;
}
