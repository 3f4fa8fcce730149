/**
 * Reading path and query parameters as Confluent does: booleans are `true` (any case) or false,
 * versions are positive integers or `latest`/-1, ids are positive integers.
 */
import { TributaryError } from '../../src/index.ts';
import {
  type SchemaInput,
  type SchemaReference,
  type SchemaType,
  parseVersionSelector,
  type VersionSelector,
} from '../model.ts';

export type Query = Record<string, string | string[] | undefined>;

/** A query flag: true only for `true` in any case. */
export function flag(query: Query, name: string): boolean {
  const value = query[name];
  const text = Array.isArray(value) ? value[0] : value;
  return typeof text === 'string' && text.toLowerCase() === 'true';
}

/** A query string parameter, the first when repeated. */
export function text(query: Query, name: string): string | undefined {
  const value = query[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A non-negative integer query parameter, or `fallback` when absent or not a number. */
export function count(query: Query, name: string, fallback: number): number {
  const value = Number(text(query, name));
  return Number.isInteger(value) && value >= 0 ? value : fallback;
}

/** `offset` and `limit` applied to a list, as Confluent pages its listings (`limit` ≤ 0: no limit). */
export function page<T>(items: readonly T[], query: Query): T[] {
  const offset = count(query, 'offset', 0);
  const limit = Number(text(query, 'limit'));
  return items.slice(offset, Number.isInteger(limit) && limit > 0 ? offset + limit : undefined);
}

export function version(raw: string): VersionSelector {
  return parseVersionSelector(raw);
}

/** A schema id from the path; anything but a positive integer is an unknown schema (40403). */
export function schemaId(raw: string): number {
  const id = /^\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(id) || id < 1 || id > 2 ** 31 - 1) {
    throw new TributaryError('SCHEMA_NOT_FOUND', `Schema ${raw} not found`, { schemaId: raw });
  }
  return id;
}

/** A registration or lookup body, checked field by field (422 42201 naming the field). */
export function schemaBody(body: unknown): SchemaInput & { id?: number; version?: number } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new TributaryError(
      'INVALID_SCHEMA',
      'Invalid schema: the request body must be a JSON object with a "schema" field',
    );
  }
  const b = body as Record<string, unknown>;
  if (typeof b['schema'] !== 'string') {
    throw new TributaryError('INVALID_SCHEMA', 'Invalid schema: "schema" must be a string');
  }
  const type = b['schemaType'];
  if (type !== undefined && type !== null && typeof type !== 'string') {
    throw new TributaryError('INVALID_SCHEMA', 'Invalid schema: "schemaType" must be a string');
  }
  const out: SchemaInput & { id?: number; version?: number } = { schema: b['schema'] };
  if (typeof type === 'string') out.schemaType = type.toUpperCase() as SchemaType;
  if (b['references'] !== undefined && b['references'] !== null) out.references = b['references'] as SchemaReference[];
  const id = b['id'];
  if (id !== undefined && id !== null && id !== -1 && id !== 0) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 1) {
      throw new TributaryError('INVALID_SCHEMA', 'Invalid schema: "id" must be a positive integer');
    }
    out.id = id;
  }
  const v = b['version'];
  if (v !== undefined && v !== null && v !== 0 && v !== -1) {
    const selector = typeof v === 'number' ? parseVersionSelector(v) : undefined;
    if (typeof selector !== 'number') {
      throw new TributaryError('INVALID_VERSION', `The specified version '${String(v)}' is not a valid version id`, {
        version: String(v),
      });
    }
    out.version = selector;
  }
  return out;
}

/** The one field of a config or mode body, checked (`code` when missing or not a string). */
export function field(body: unknown, name: string, code: 'INVALID_COMPATIBILITY_LEVEL' | 'INVALID_MODE'): string {
  const value = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  if (typeof value !== 'string') {
    throw new TributaryError(code, `The request body must be a JSON object with a string "${name}" field`);
  }
  return value.toUpperCase();
}
