/**
 * The records of the `_schemas` topic, in Confluent Schema Registry's key and value JSON, so a
 * topic written by either can be read by the other.
 *
 * Keys (property order is fixed, so equal keys are equal bytes and compaction keeps the last):
 *
 * | keytype          | key                                                             | value                                                                       |
 * |------------------|-----------------------------------------------------------------|-----------------------------------------------------------------------------|
 * | `SCHEMA`         | `{"keytype":"SCHEMA","subject":s,"version":v,"magic":1}`        | `{"subject","version","id","schemaType"?,"references"?,"schema","deleted"}` |
 * | `CONFIG`         | `{"keytype":"CONFIG","subject":s,"magic":0}` (no subject: global) | `{"subject"?,"compatibilityLevel"}`                                         |
 * | `MODE`           | `{"keytype":"MODE","subject":s,"magic":0}` (no subject: global)   | `{"subject"?,"mode"}`                                                       |
 * | `DELETE_SUBJECT` | `{"keytype":"DELETE_SUBJECT","subject":s,"magic":0}`              | `{"subject","version"}`: versions up to `version` are soft-deleted          |
 * | `CLEAR_SUBJECT`  | `{"keytype":"CLEAR_SUBJECT","subject":s,"magic":0}`               | `{"subject"}`: soft-deleted versions are gone                               |
 * | `NOOP`           | `{"keytype":"NOOP","magic":0}`                                    | none                                                                        |
 * | (max id)         | `{"keytype":"NOOP","magic":0,"tributary":"maxId"}`               | `{"maxId"}`: the highest id ever issued                                     |
 *
 * A null value (tombstone) on a SCHEMA key is a hard delete; on CONFIG or MODE, a reset to the
 * global setting. The max-id record is Tributary's own: it is written with every hard delete so that
 * the highest id ever issued outlives compaction of the records that held it (ids are never given
 * twice). Its key is a NOOP key with one more field, so Confluent reads it as a NOOP (or skips it)
 * and its own NOOP records, which have other key bytes, never compact it away. `schemaType` is left out for AVRO and `references` when empty, as Confluent
 * writes them. Unknown keytypes (Confluent's CONTEXT, ASSOCIATION…) are skipped on replay.
 */
import {
  isCompatibilityLevel,
  isMode,
  type CompatibilityLevel,
  type Mode,
  type SchemaReference,
  type SchemaType,
} from './model.ts';

export type StoreKey =
  | { keytype: 'SCHEMA'; subject: string; version: number }
  | { keytype: 'CONFIG'; subject: string | null }
  | { keytype: 'MODE'; subject: string | null }
  | { keytype: 'DELETE_SUBJECT'; subject: string }
  | { keytype: 'CLEAR_SUBJECT'; subject: string }
  | { keytype: 'NOOP' }
  | { keytype: 'MAX_ID' };

export interface SchemaValue {
  subject: string;
  version: number;
  id: number;
  schemaType: SchemaType;
  references: SchemaReference[];
  schema: string;
  deleted: boolean;
}

export interface ConfigValue {
  subject: string | null;
  compatibilityLevel?: CompatibilityLevel;
  normalize?: boolean;
}

export interface ModeValue {
  subject: string | null;
  mode: Mode;
}

export interface DeleteSubjectValue {
  subject: string;
  version: number;
}

/** One record of the topic, decoded. `value: null` is a tombstone. */
export type StoreRecord =
  | { key: Extract<StoreKey, { keytype: 'SCHEMA' }>; value: SchemaValue | null }
  | { key: Extract<StoreKey, { keytype: 'CONFIG' }>; value: ConfigValue | null }
  | { key: Extract<StoreKey, { keytype: 'MODE' }>; value: ModeValue | null }
  | { key: Extract<StoreKey, { keytype: 'DELETE_SUBJECT' }>; value: DeleteSubjectValue | null }
  | { key: Extract<StoreKey, { keytype: 'CLEAR_SUBJECT' }>; value: { subject: string } | null }
  | { key: Extract<StoreKey, { keytype: 'NOOP' }>; value: null }
  | { key: Extract<StoreKey, { keytype: 'MAX_ID' }>; value: { maxId: number } };

const encoder = new TextEncoder();
const MAX_ID_KEY = '{"keytype":"NOOP","magic":0,"tributary":"maxId"}';
const decoder = new TextDecoder();

/** The key's bytes, with Confluent's property order. */
export function encodeKey(key: StoreKey): Uint8Array {
  let json: string;
  switch (key.keytype) {
    case 'SCHEMA':
      json = `{"keytype":"SCHEMA","subject":${JSON.stringify(key.subject)},"version":${key.version},"magic":1}`;
      break;
    case 'CONFIG':
    case 'MODE':
      json =
        key.subject === null
          ? `{"keytype":"${key.keytype}","magic":0}`
          : `{"keytype":"${key.keytype}","subject":${JSON.stringify(key.subject)},"magic":0}`;
      break;
    case 'DELETE_SUBJECT':
    case 'CLEAR_SUBJECT':
      json = `{"keytype":"${key.keytype}","subject":${JSON.stringify(key.subject)},"magic":0}`;
      break;
    case 'NOOP':
      json = '{"keytype":"NOOP","magic":0}';
      break;
    case 'MAX_ID':
      json = MAX_ID_KEY;
      break;
  }
  return encoder.encode(json);
}

/** The value's bytes, or null for a tombstone. */
export function encodeValue(record: StoreRecord): Uint8Array | null {
  if (record.value === null) return null;
  if (record.key.keytype === 'SCHEMA') {
    const v = record.value as SchemaValue;
    const out: Record<string, unknown> = { subject: v.subject, version: v.version, id: v.id };
    if (v.schemaType !== 'AVRO') out['schemaType'] = v.schemaType;
    if (v.references.length > 0) out['references'] = v.references;
    out['schema'] = v.schema;
    out['deleted'] = v.deleted;
    return encoder.encode(JSON.stringify(out));
  }
  const value = { ...record.value } as Record<string, unknown>;
  if (value['subject'] === null) delete value['subject'];
  return encoder.encode(JSON.stringify(value));
}

/**
 * Decodes one stored record; `undefined` for a keytype this registry does not use or bytes that
 * are not a record of the registry (replay skips them rather than refusing to start).
 */
export function decodeRecord(keyBytes: Uint8Array | null, valueBytes: Uint8Array | null): StoreRecord | undefined {
  if (keyBytes === null) return undefined;
  const key = parseObject(keyBytes);
  if (key === undefined) return undefined;
  const parsedValue = valueBytes === null ? null : parseObject(valueBytes);
  if (parsedValue === undefined) return undefined;
  const value: Record<string, unknown> | null = parsedValue;
  const subject = typeof key['subject'] === 'string' ? key['subject'] : null;
  switch (key['keytype']) {
    case 'SCHEMA': {
      const version = key['version'];
      if (subject === null || !isPositiveInt(version)) return undefined;
      const stored = value === null ? null : schemaValue(value, subject, version);
      if (value !== null && stored === null) return undefined;
      return { key: { keytype: 'SCHEMA', subject, version }, value: stored };
    }
    case 'CONFIG': {
      if (value === null) return { key: { keytype: 'CONFIG', subject }, value: null };
      const level = value['compatibilityLevel'] ?? value['compatibility'];
      const normalize = value['normalize'];
      const hasLevel = isCompatibilityLevel(level);
      if (!hasLevel && typeof normalize !== 'boolean') return undefined;
      return {
        key: { keytype: 'CONFIG', subject },
        value: {
          subject,
          ...(hasLevel ? { compatibilityLevel: level as CompatibilityLevel } : {}),
          ...(typeof normalize === 'boolean' ? { normalize } : {}),
        },
      };
    }
    case 'MODE': {
      const mode = value?.['mode'];
      if (value !== null && !isMode(mode)) return undefined;
      return { key: { keytype: 'MODE', subject }, value: value === null ? null : { subject, mode: mode as Mode } };
    }
    case 'DELETE_SUBJECT': {
      if (subject === null) return undefined;
      const version = value?.['version'];
      if (value !== null && !isPositiveInt(version)) return undefined;
      return {
        key: { keytype: 'DELETE_SUBJECT', subject },
        value: value === null ? null : { subject, version: version as number },
      };
    }
    case 'CLEAR_SUBJECT':
      if (subject === null) return undefined;
      return { key: { keytype: 'CLEAR_SUBJECT', subject }, value: value === null ? null : { subject } };
    case 'NOOP': {
      if (key['tributary'] !== 'maxId') return { key: { keytype: 'NOOP' }, value: null };
      const maxId = value?.['maxId'];
      return isPositiveInt(maxId) ? { key: { keytype: 'MAX_ID' }, value: { maxId } } : undefined;
    }
    default:
      return undefined;
  }
}

function schemaValue(value: Record<string, unknown>, subject: string, version: number): SchemaValue | null {
  const id = value['id'];
  const schema = value['schema'];
  if (!isPositiveInt(id) && id !== 0) return null;
  if (typeof schema !== 'string') return null;
  const type = value['schemaType'];
  const schemaType: SchemaType = type === 'PROTOBUF' || type === 'JSON' ? type : 'AVRO';
  const refs = Array.isArray(value['references']) ? (value['references'] as SchemaReference[]) : [];
  return {
    subject,
    version,
    id: id as number,
    schemaType,
    references: refs.map((r) => ({ name: String(r.name), subject: String(r.subject), version: Number(r.version) })),
    schema,
    deleted: value['deleted'] === true,
  };
}

function parseObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(decoder.decode(bytes));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function isPositiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}
