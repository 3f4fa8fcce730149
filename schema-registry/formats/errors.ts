/**
 * The errors the format plugins raise, built in one place so that every plugin names the same
 * context keys: `schemaType` always; `path` and `rule` for a value that does not match its schema.
 */
import { TributaryError } from '../../src/errors.ts';
import type { SchemaType } from './types.ts';

/** A schema that cannot be parsed, or a reference that cannot be resolved (42201). */
export function invalidSchema(schemaType: SchemaType, message: string, cause?: unknown): TributaryError {
  return new TributaryError('INVALID_SCHEMA', message, { schemaType, cause });
}

/** A value that does not match its schema: `path` is where, `rule` is the keyword or type that failed. */
export function validationFailed(
  schemaType: SchemaType,
  path: string,
  rule: string,
  message: string,
  cause?: unknown,
  extra: Record<string, unknown> = {},
): TributaryError {
  return new TributaryError('SCHEMA_VALIDATION_FAILED', `${path || '/'}: ${message} (rule: ${rule})`, {
    ...extra,
    schemaType,
    path: path || '/',
    rule,
    cause,
  });
}

/** Bytes that cannot be decoded with the writer's schema. */
export function undecodable(schemaType: SchemaType, message: string, cause?: unknown): TributaryError {
  return new TributaryError('SERIALIZATION_ERROR', message, { schemaType, cause });
}

/** The message of whatever was thrown. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
