/**
 * The AVRO format plugin, on avsc.
 *
 * - `parse` takes the schema's JSON text; references are named types defined in other subjects,
 *   parsed first (depth first) into one registry of types that the schema then refers to by full
 *   name. Records, enums and fixed types must be named, as the Avro specification says.
 * - `canonical` is the schema's Parsing Canonical Form (see `avro-canonical.ts`); types taken from
 *   references appear in it by name only.
 * - `checkCompatibility` applies Avro's schema resolution rules (see `avro-compatibility.ts`).
 * - `serialize` writes Avro binary; a value that does not match fails with the path of the first
 *   mismatch. `deserialize` reads with the writer's schema, resolved to `options.reader` when given.
 *
 * Values are avsc's: `long` is a JS number (safe integers only), `bytes` and `fixed` are Buffers,
 * unions of one non-null type with null are unwrapped.
 *
 * @example
 * const schema = avroFormat.parse('{"type":"record","name":"User","fields":[{"name":"id","type":"int"}]}');
 * avroFormat.deserialize(schema, avroFormat.serialize(schema, { id: 1 })); // { id: 1 }
 */
import avsc from 'avsc';
import { parsingCanonicalForm } from './avro-canonical.ts';
import { avroCompatibility } from './avro-compatibility.ts';
import { type AvroType, view } from './avro-model.ts';
import { asBuffer, invalidSchema, messageOf, undecodable, validationFailed } from './errors.ts';
import type { CompatibilityIssue, DeserializeOptions, FormatPlugin, ParsedSchema, ResolvedReference } from './types.ts';

/** A parsed Avro schema: the compiled avsc type is kept for every encode and decode. */
export interface AvroParsedSchema extends ParsedSchema {
  readonly schemaType: 'AVRO';
  /** The compiled avsc type. */
  readonly type: avsc.Type;
}

const NAMED = new Set(['record', 'error', 'enum', 'fixed']);

/** avsc resolvers by writer, then reader: compiled once per pair. */
const resolvers = new WeakMap<AvroParsedSchema, WeakMap<AvroParsedSchema, avsc.Resolver>>();

/** The Avro plugin. */
/** Where framed values are encoded before their exact-size copy; encoding is synchronous. */
let scratch = Buffer.allocUnsafe(64 * 1024);

export const avroFormat: FormatPlugin<AvroParsedSchema> = {
  schemaType: 'AVRO',

  parse(schema: string, references: ResolvedReference[] = []): AvroParsedSchema {
    const registry: Record<string, avsc.Type> = {};
    loadReferences(references, registry, new Set());
    const predefined = new Set(Object.keys(registry).filter((name) => isNamed(registry[name])));
    const type = compile(schema, registry, 'schema');
    return Object.freeze({
      schemaType: 'AVRO' as const,
      schema,
      canonical: parsingCanonicalForm(view(type), predefined),
      references,
      type,
    });
  },

  checkCompatibility(reader: AvroParsedSchema, writer: AvroParsedSchema): CompatibilityIssue[] {
    return avroCompatibility(view(reader.type), view(writer.type));
  },

  serialize(schema: AvroParsedSchema, value: unknown): Uint8Array {
    try {
      // toBuffer checks every value it writes; the slower isValid walk runs only to explain a failure.
      return schema.type.toBuffer(value);
    } catch (err) {
      throw explain(schema.type, value, err);
    }
  },

  serializeFramed(schema: AvroParsedSchema, value: unknown, header: Uint8Array): Uint8Array {
    try {
      scratch.set(header, 0);
      let end = schema.type.encode(value, scratch, header.length);
      if (end < 0) {
        // avsc answers a too-small buffer with minus the bytes missing.
        scratch = Buffer.allocUnsafe(2 * (scratch.length - end));
        scratch.set(header, 0);
        end = schema.type.encode(value, scratch, header.length);
      }
      const out = Buffer.allocUnsafe(end);
      // Buffer#copy's argument checks cost more than a small record's bytes.
      if (end <= 128) for (let i = 0; i < end; i++) out[i] = scratch[i]!;
      else out.set(scratch.subarray(0, end));
      return out;
    } catch (err) {
      throw explain(schema.type, value, err);
    }
  },

  deserialize(writer: AvroParsedSchema, data: Uint8Array, options: DeserializeOptions<AvroParsedSchema> = {}): unknown {
    return avroFormat.deserializeAt!(writer, data, 0, options);
  },

  deserializeAt(writer: AvroParsedSchema, data: Uint8Array, offset: number, options: DeserializeOptions<AvroParsedSchema> = {}): unknown {
    const reader = options.reader;
    const resolver = reader === undefined || reader === writer ? undefined : resolverFor(writer, reader);
    const target = resolver === undefined ? writer.type : reader!.type;
    let decoded: { value: unknown; offset: number };
    try {
      decoded = target.decode(asBuffer(data), offset, resolver);
    } catch (err) {
      throw undecodable('AVRO', `Cannot decode Avro data: ${messageOf(err)}`, err);
    }
    if (decoded.offset < 0) throw undecodable('AVRO', 'Cannot decode Avro data: truncated buffer');
    if (decoded.offset !== data.length) throw undecodable('AVRO', 'Cannot decode Avro data: trailing data');
    return decoded.value;
  },

  recordName(schema: AvroParsedSchema): string | undefined {
    return isNamed(schema.type) ? schema.type.name : undefined;
  },

  toFormat(schema: AvroParsedSchema, format: string): string {
    // `resolved`: the schema with the named types of its references written out in place.
    return format === 'resolved' ? JSON.stringify(schema.type.schema({ exportAttrs: true })) : schema.schema;
  },
};

function loadReferences(references: readonly ResolvedReference[], registry: Record<string, avsc.Type>, loaded: Set<string>): void {
  for (const ref of references) {
    const key = `${ref.subject}\u0000${ref.version}`;
    if (loaded.has(key)) continue;
    loaded.add(key);
    if (ref.schemaType !== 'AVRO') {
      throw invalidSchema('AVRO', `Reference ${ref.name} (${ref.subject} v${ref.version}) is ${ref.schemaType}, not AVRO`);
    }
    loadReferences(ref.references, registry, loaded);
    compile(ref.schema, registry, `reference ${ref.name} (${ref.subject} v${ref.version})`);
  }
}

function compile(text: string, registry: Record<string, avsc.Type>, what: string): avsc.Type {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw invalidSchema('AVRO', `Invalid Avro ${what}: not JSON: ${messageOf(err)}`, err);
  }
  try {
    return avsc.Type.forSchema(json as avsc.Schema, { registry, noAnonymousTypes: true });
  } catch (err) {
    throw invalidSchema('AVRO', `Invalid Avro ${what}: ${messageOf(err)}`, err);
  }
}

function isNamed(type: avsc.Type | undefined): boolean {
  return type !== undefined && NAMED.has(view(type).typeName);
}

function resolverFor(writer: AvroParsedSchema, reader: AvroParsedSchema): avsc.Resolver {
  let byReader = resolvers.get(writer);
  if (byReader === undefined) resolvers.set(writer, (byReader = new WeakMap()));
  let resolver = byReader.get(reader);
  if (resolver === undefined) {
    try {
      resolver = reader.type.createResolver(writer.type, { ignoreNamespaces: true });
    } catch (err) {
      throw undecodable('AVRO', `The reader schema cannot read data of the writer schema: ${messageOf(err)}`, err);
    }
    byReader.set(reader, resolver);
  }
  return resolver;
}

function explain(type: avsc.Type, value: unknown, err: unknown) {
  let failure: { path: string; rule: string; value: unknown } | undefined;
  type.isValid(value, {
    errorHook(path: string[], val: unknown, at: avsc.Type) {
      failure ??= { path: `/${path.join('/')}`, rule: describeType(view(at)), value: val };
    },
  });
  if (failure === undefined) {
    return validationFailed('AVRO', '/', 'encode', messageOf(err), err);
  }
  return validationFailed(
    'AVRO',
    failure.path,
    failure.rule,
    `${preview(failure.value)} is not a valid ${failure.rule}`,
    err,
  );
}

function describeType(type: AvroType): string {
  if (type.name !== undefined) return `${type.typeName} ${type.name}`;
  return type.typeName.startsWith('union:') ? 'union' : type.typeName;
}

function preview(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
