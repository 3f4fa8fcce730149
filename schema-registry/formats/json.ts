/**
 * The JSON format plugin (JSON Schema), on ajv and ajv-formats.
 *
 * - Dialect by `$schema`: draft-07 when absent, draft-06, 2019-09 and 2020-12 when named (draft-04 is
 *   refused: ajv 8 does not implement it). Compiled with `strict: false` (unknown keywords are
 *   annotations, as in Confluent's validator) and `allErrors`, formats checked.
 * - References: each is a schema document registered under its `name` (the URI a `$ref` uses,
 *   resolved against the referring schema's `$id` when relative) and under its own `$id`.
 * - `canonical`: the schema's JSON with object keys sorted and no whitespace, so key order and
 *   formatting never make two schemas different.
 * - `serialize`: validates, then writes the JSON text as UTF-8; a value that does not match fails
 *   naming the instance path and the keyword. `deserialize` parses the UTF-8 JSON text.
 * - `checkCompatibility`: see `json-compatibility.ts` and `JSON-COMPATIBILITY.md`.
 *
 * @example
 * const schema = jsonFormat.parse('{"type":"object","properties":{"age":{"type":"integer","minimum":0}}}');
 * jsonFormat.serialize(schema, { age: -1 }); // throws SCHEMA_VALIDATION_FAILED at /age (rule: minimum)
 */
import { Buffer } from 'node:buffer';
import { Ajv, type AnySchema, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };
import addFormatsModule from 'ajv-formats';
import { asBuffer } from './bytes.ts';
import { invalidSchema, messageOf, undecodable, validationFailed } from './errors.ts';
import { jsonCompatibility } from './json-compatibility.ts';
import { DEFAULT_BASE, isObject, type Json, type Located, resolveUri, SchemaIndex } from './json-index.ts';
import type {
  CompatibilityIssue,
  FormatPlugin,
  FramedDecoder,
  FramedEncoder,
  ParsedSchema,
  ResolvedReference,
} from './types.ts';

/** The JSON Schema dialects the plugin compiles. */
export type JsonDialect = 'draft-06' | 'draft-07' | '2019-09' | '2020-12';

/** A parsed JSON Schema: the compiled validator and the `$ref` index are kept. */
export interface JsonParsedSchema extends ParsedSchema {
  readonly schemaType: 'JSON';
  readonly dialect: JsonDialect;
  /** The schema as a JSON value. */
  readonly json: Json;
  /** The compiled ajv validator. */
  readonly validate: ValidateFunction;
  /** The schema and its references, for following `$ref`s when comparing schemas. */
  readonly root: Located;
}

const addFormats = addFormatsModule.default;

/** The JSON Schema plugin. */
export const jsonFormat: FormatPlugin<JsonParsedSchema> = {
  schemaType: 'JSON',

  parse(schema: string, references: ResolvedReference[] = []): JsonParsedSchema {
    const json = parseJson(schema, 'schema');
    if (typeof json !== 'boolean' && !isObject(json)) {
      throw invalidSchema('JSON', 'Invalid JSON Schema: a schema is an object or a boolean');
    }
    const dialect = dialectOf(json);
    const index = new SchemaIndex();
    const base =
      isObject(json) && typeof json['$id'] === 'string' ? resolveUri(json['$id'], DEFAULT_BASE) : DEFAULT_BASE;
    const root = index.add(json, base);
    // A schema that registers nothing in ajv but itself compiles on a shared instance (its meta-schema
    // is compiled once there); one with references or inner $ids gets an instance of its own.
    const alone = references.length === 0 && !hasInnerIds(json, true);
    const ajv = alone ? sharedAjv(dialect) : createAjv(dialect);
    if (!alone) addReferences(ajv, index, references, base, new Set());
    let validate: ValidateFunction;
    try {
      validate = ajv.compile(json as AnySchema);
    } catch (err) {
      throw invalidSchema('JSON', `Invalid JSON Schema: ${messageOf(err)}`, err);
    } finally {
      if (alone && isObject(json)) ajv.removeSchema(json);
    }
    return Object.freeze({
      schemaType: 'JSON' as const,
      schema,
      canonical: canonicalJson(json),
      references,
      dialect,
      json,
      validate,
      root,
    });
  },

  checkCompatibility(reader: JsonParsedSchema, writer: JsonParsedSchema): CompatibilityIssue[] {
    return jsonCompatibility(
      { root: reader.root, refSiblings: reader.dialect === '2019-09' || reader.dialect === '2020-12' },
      { root: writer.root, refSiblings: writer.dialect === '2019-09' || writer.dialect === '2020-12' },
    );
  },

  serialize(schema: JsonParsedSchema, value: unknown): Uint8Array {
    return Buffer.from(validText(schema.validate, value), 'utf8');
  },

  framedEncoder(schema: JsonParsedSchema, header: Uint8Array): FramedEncoder {
    return new JsonEncoder(schema.validate, header);
  },

  deserialize(_writer: JsonParsedSchema, data: Uint8Array): unknown {
    return decodeAt(data, 0);
  },

  framedDecoder(): FramedDecoder {
    return jsonDecoder;
  },

  recordName(schema: JsonParsedSchema): string | undefined {
    return isObject(schema.json) && typeof schema.json['title'] === 'string' ? schema.json['title'] : undefined;
  },

  toFormat(schema: JsonParsedSchema): string {
    return schema.schema;
  },
};

/** The JSON text of a value that `validate` accepts; throws SCHEMA_VALIDATION_FAILED otherwise. */
function validText(validate: ValidateFunction, value: unknown): string {
  if (!validate(value)) throw explain(validate.errors ?? []);
  const text = JSON.stringify(value);
  if (text === undefined) {
    throw validationFailed('JSON', '', 'json', `${typeof value} is not a JSON value`);
  }
  return text;
}

/**
 * Node's `Buffer#latin1Write`, `#utf8Write` and `#utf8Slice` are undocumented: they are what
 * `Buffer#write` and `#toString` call once their arguments are checked, and those checks cost more
 * than a small record's text (avsc and protobufjs use them the same way). Without them: `write` and
 * `toString`.
 */
interface NodeStringBuffer extends Buffer {
  latin1Write(text: string, offset: number, length: number): number;
  utf8Write(text: string, offset: number, length: number): number;
  utf8Slice(start: number, end: number): string;
}

const STRING_METHODS =
  typeof (Buffer.prototype as Partial<NodeStringBuffer>).latin1Write === 'function' &&
  typeof (Buffer.prototype as Partial<NodeStringBuffer>).utf8Write === 'function' &&
  typeof (Buffer.prototype as Partial<NodeStringBuffer>).utf8Slice === 'function';

/** Validates, then writes the header and the UTF-8 JSON text into one buffer of the exact size. */
class JsonEncoder implements FramedEncoder {
  constructor(
    private readonly validate: ValidateFunction,
    private readonly header: Uint8Array,
  ) {}

  encode(value: unknown): Uint8Array {
    const text = validText(this.validate, value);
    const header = this.header;
    const start = header.length;
    const length = Buffer.byteLength(text, 'utf8');
    const out = Buffer.allocUnsafe(start + length);
    for (let i = 0; i < start; i++) out[i] = header[i]!;
    if (!STRING_METHODS) out.write(text, start, length, 'utf8');
    // As many bytes as UTF-16 units: ASCII only, where Latin-1 and UTF-8 agree and Latin-1 is a copy.
    else if (length === text.length) (out as NodeStringBuffer).latin1Write(text, start, length);
    else (out as NodeStringBuffer).utf8Write(text, start, length);
    return out;
  }
}

/** JSON text needs no schema to be read: one decoder serves every writer. */
class JsonDecoder implements FramedDecoder {
  decode(data: Uint8Array, offset: number): unknown {
    return decodeAt(data, offset);
  }
}

const jsonDecoder = new JsonDecoder();

function decodeAt(data: Uint8Array, offset: number): unknown {
  const buf = asBuffer(data);
  try {
    return JSON.parse(
      STRING_METHODS ? (buf as NodeStringBuffer).utf8Slice(offset, buf.length) : buf.toString('utf8', offset),
    );
  } catch (err) {
    throw undecodable('JSON', `Cannot decode JSON data: ${messageOf(err)}`, err);
  }
}

function parseJson(text: string, what: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (err) {
    throw invalidSchema('JSON', `Invalid JSON Schema ${what}: not JSON: ${messageOf(err)}`, err);
  }
}

function dialectOf(json: Json): JsonDialect {
  const declared = isObject(json) ? json['$schema'] : undefined;
  if (typeof declared !== 'string') return 'draft-07';
  if (declared.includes('2020-12')) return '2020-12';
  if (declared.includes('2019-09')) return '2019-09';
  if (declared.includes('draft-07')) return 'draft-07';
  if (declared.includes('draft-06')) return 'draft-06';
  throw invalidSchema(
    'JSON',
    `Unsupported JSON Schema dialect ${declared}: use draft-06, draft-07, 2019-09 or 2020-12`,
  );
}

const shared = new Map<JsonDialect, Ajv>();

function sharedAjv(dialect: JsonDialect): Ajv {
  let ajv = shared.get(dialect);
  if (ajv === undefined) shared.set(dialect, (ajv = createAjv(dialect)));
  return ajv;
}

/** An `$id` below the root (ajv would remember it across compilations). */
function hasInnerIds(node: Json, root: boolean): boolean {
  if (Array.isArray(node)) return node.some((n) => hasInnerIds(n, false));
  if (!isObject(node)) return false;
  const id = node['$id'];
  if (!root && typeof id === 'string' && !id.startsWith('#')) return true;
  return Object.values(node).some((n) => hasInnerIds(n, false));
}

function createAjv(dialect: JsonDialect): Ajv {
  const options = { strict: false, allErrors: true } as const;
  const ajv =
    dialect === '2020-12' ? new Ajv2020(options) : dialect === '2019-09' ? new Ajv2019(options) : new Ajv(options);
  if (dialect === 'draft-06') ajv.addMetaSchema(draft06);
  addFormats(ajv);
  return ajv;
}

function addReferences(
  ajv: Ajv,
  index: SchemaIndex,
  references: readonly ResolvedReference[],
  referrerBase: string,
  added: Set<string>,
): void {
  for (const ref of references) {
    if (ref.schemaType !== 'JSON') {
      throw invalidSchema(
        'JSON',
        `Reference ${ref.name} (${ref.subject} v${ref.version}) is ${ref.schemaType}, not JSON`,
      );
    }
    const key = `${ref.subject}\u0000${ref.version}`;
    if (added.has(key)) continue;
    added.add(key);
    const json = parseJson(ref.schema, `reference ${ref.name}`);
    const uri = resolveUri(ref.name, referrerBase);
    index.add(json, uri);
    try {
      // Known by its name as given and as resolved against the referring schema, as $refs may use either.
      ajv.addSchema(json as AnySchema, ref.name);
      if (uri !== ref.name) ajv.addSchema(json as AnySchema, uri);
    } catch (err) {
      throw invalidSchema('JSON', `Invalid JSON Schema reference ${ref.name}: ${messageOf(err)}`, err);
    }
    const ownBase = isObject(json) && typeof json['$id'] === 'string' ? resolveUri(json['$id'], uri) : uri;
    addReferences(ajv, index, ref.references, ownBase, added);
  }
}

function explain(errors: readonly ErrorObject[]) {
  const first = errors[0];
  if (first === undefined) return validationFailed('JSON', '', 'schema', 'value does not match the schema');
  const missing =
    first.keyword === 'required' ? (first.params as { missingProperty?: string }).missingProperty : undefined;
  const path = missing === undefined ? first.instancePath : `${first.instancePath}/${missing}`;
  const others = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return validationFailed(
    'JSON',
    path,
    first.keyword,
    `${first.message ?? 'invalid'} at ${first.schemaPath}${others}`,
    undefined,
    {
      errors: errors.map((e) => ({ path: e.instancePath || '/', rule: e.keyword, message: e.message })),
    },
  );
}

/** JSON with object keys sorted, no whitespace. */
export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] ?? null)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
