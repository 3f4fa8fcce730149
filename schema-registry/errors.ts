/**
 * The registry's errors and their REST form. Every failure is a {@link TributaryError} whose code
 * maps to one Confluent HTTP status and numeric `error_code`; the REST layer only translates.
 */
import { type ErrorCode, TributaryError, type TributaryErrorOptions } from '../src/index.ts';

/** Confluent's HTTP status and `error_code` for each registry error code. */
export const REST_ERRORS: Readonly<Partial<Record<ErrorCode, { status: number; errorCode: number }>>> = Object.freeze({
  SUBJECT_NOT_FOUND: { status: 404, errorCode: 40401 },
  VERSION_NOT_FOUND: { status: 404, errorCode: 40402 },
  SCHEMA_NOT_FOUND: { status: 404, errorCode: 40403 },
  SUBJECT_SOFT_DELETED: { status: 404, errorCode: 40404 },
  SUBJECT_NOT_SOFT_DELETED: { status: 404, errorCode: 40405 },
  SCHEMA_VERSION_SOFT_DELETED: { status: 404, errorCode: 40406 },
  SCHEMA_VERSION_NOT_SOFT_DELETED: { status: 404, errorCode: 40407 },
  SUBJECT_COMPATIBILITY_NOT_CONFIGURED: { status: 404, errorCode: 40408 },
  SUBJECT_MODE_NOT_CONFIGURED: { status: 404, errorCode: 40409 },
  INCOMPATIBLE_SCHEMA: { status: 409, errorCode: 409 },
  INVALID_SCHEMA: { status: 422, errorCode: 42201 },
  INVALID_VERSION: { status: 422, errorCode: 42202 },
  INVALID_COMPATIBILITY_LEVEL: { status: 422, errorCode: 42203 },
  INVALID_MODE: { status: 422, errorCode: 42204 },
  OPERATION_NOT_PERMITTED: { status: 422, errorCode: 42205 },
  REFERENCE_EXISTS: { status: 422, errorCode: 42206 },
  INVALID_SUBJECT: { status: 422, errorCode: 42208 },
  SCHEMA_TOO_LARGE: { status: 422, errorCode: 42209 },
  REGISTRY_STORE_ERROR: { status: 500, errorCode: 50001 },
  REGISTRY_OPERATION_TIMEOUT: { status: 500, errorCode: 50002 },
});

/** A registry error with the subject (and whatever else) as context. */
export function registryError(code: ErrorCode, message: string, context: TributaryErrorOptions = {}): TributaryError {
  return new TributaryError(code, message, context);
}

export function subjectNotFound(subject: string): TributaryError {
  return registryError('SUBJECT_NOT_FOUND', `Subject '${subject}' not found.`, { subject });
}

export function versionNotFound(subject: string, version: number | string): TributaryError {
  return registryError('VERSION_NOT_FOUND', `Version ${version} not found.`, { subject, version });
}

export function schemaNotFound(message = 'Schema not found', context: TributaryErrorOptions = {}): TributaryError {
  return registryError('SCHEMA_NOT_FOUND', message, context);
}

export function notPermitted(message: string, context: TributaryErrorOptions = {}): TributaryError {
  return registryError('OPERATION_NOT_PERMITTED', message, context);
}

/** Wraps a failure of the log under the registry's store error (50001), keeping the cause. */
export function storeError(message: string, cause: unknown): TributaryError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return registryError('REGISTRY_STORE_ERROR', `${message}${detail}`, { cause, topic: '_schemas' });
}
