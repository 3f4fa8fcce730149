/**
 * Every failure answered as Confluent does: an HTTP status and `{ "error_code": n, "message": "…" }`.
 * Registry errors map through {@link REST_ERRORS}; fastify's own (bad media type, body too large,
 * bad JSON) keep their status as the `error_code`; anything unexpected is a 500, logged, never a crash.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TributaryError } from '../../src/index.ts';
import { REST_ERRORS } from '../errors.ts';
import { REGISTRY_CONTENT_TYPE } from './content-types.ts';

/** Confluent's error body. */
export interface ErrorBody {
  error_code: number;
  message: string;
}

/** The status and body that answer an error. */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof TributaryError) {
    const mapped = REST_ERRORS[err.code];
    if (mapped !== undefined)
      return { status: mapped.status, body: { error_code: mapped.errorCode, message: err.message } };
    return { status: 500, body: { error_code: 50001, message: err.message } };
  }
  const status = (err as FastifyError | undefined)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { error_code: status, message: (err as Error).message } };
  }
  return { status: 500, body: { error_code: 500, message: 'Internal Server Error' } };
}

/**
 * What the router answers before any route runs (a path that is not valid percent-encoding, a
 * parameter over the router's limit), in Confluent's shape too.
 */
export function frameworkError(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status =
    typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  void reply.code(status).type(REGISTRY_CONTENT_TYPE).send({ error_code: status, message: err.message });
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toErrorResponse(err);
    if (status >= 500) request.log.error({ err }, 'schema registry request failed');
    void reply.code(status).type(REGISTRY_CONTENT_TYPE).send(body);
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    void reply
      .code(404)
      .type(REGISTRY_CONTENT_TYPE)
      .send({ error_code: 404, message: `HTTP 404 Not Found: ${request.method} ${request.url.split('?')[0]}` });
  });
}
