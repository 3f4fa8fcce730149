/**
 * The AVRO format plugin, on avsc.
 *
 * - `parse` takes the schema's JSON text; references are named types defined in other subjects,
 *   parsed first (depth first) into one registry of types that the schema then refers to by full
 *   name. Records, enums and fixed types must be named, as the Avro specification says.
 * - `canonical` is the whole schema in one spelling, as Confluent identifies Avro schemas (doc,
 *   aliases, defaults, custom properties and logical types count; see `avro-form.ts`); types taken
 *   from references appear in it by name only. `normalized` is the same after Confluent's
 *   normalisation, and `resolved` that with referenced types written out in place.
 * - Avro Java accepts what avsc does not, and the plugin hands avsc an equivalent: a named type
 *   referred to as `{"type":"Name"}`, and the empty union `[]` (a type no value matches).
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
import { type AvroDefinition, avroForm, collectDefinitions, EMPTY_UNION_LOGICAL_TYPE, forAvsc } from './avro-form.ts';
import { avroDecoder, avroEncoder, explain } from './avro-codec.ts';
import { avroCompatibility } from './avro-compatibility.ts';
import { view } from './avro-model.ts';
import { invalidSchema, messageOf, undecodable } from './errors.ts';
import type {
  CompatibilityIssue,
  DeserializeOptions,
  FormatPlugin,
  FramedDecoder,
  FramedEncoder,
  ParsedSchema,
  ResolvedReference,
} from './types.ts';

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
export const avroFormat: FormatPlugin<AvroParsedSchema> = {
  schemaType: 'AVRO',

  parse(schema: string, references: ResolvedReference[] = []): AvroParsedSchema {
    const registry: Record<string, avsc.Type> = {};
    const definitions = new Map<string, AvroDefinition>();
    loadReferences(references, registry, definitions, new Set());
    const json = parseJson(schema, 'schema');
    const type = compile(json, registry, 'schema');
    return Object.freeze({
      schemaType: 'AVRO' as const,
      schema,
      canonical: avroForm(json, { normalize: false, definitions }),
      normalized: avroForm(json, { normalize: true, definitions }),
      resolved: avroForm(json, { normalize: true, definitions, inline: true }),
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

  framedEncoder(schema: AvroParsedSchema, header: Uint8Array): FramedEncoder {
    return avroEncoder(schema.type, header);
  },

  deserialize(writer: AvroParsedSchema, data: Uint8Array, options: DeserializeOptions<AvroParsedSchema> = {}): unknown {
    return avroFormat.framedDecoder!(writer, options).decode(data, 0);
  },

  framedDecoder(writer: AvroParsedSchema, options: DeserializeOptions<AvroParsedSchema> = {}): FramedDecoder {
    const reader = options.reader;
    if (reader === undefined || reader === writer) return avroDecoder(writer.type, undefined);
    return avroDecoder(reader.type, resolverFor(writer, reader));
  },

  recordName(schema: AvroParsedSchema): string | undefined {
    return isNamed(schema.type) ? schema.type.name : undefined;
  },

  toFormat(schema: AvroParsedSchema, format: string): string {
    // `resolved`: the schema with the named types of its references written out in place.
    return format === 'resolved' ? JSON.stringify(schema.type.schema({ exportAttrs: true })) : schema.schema;
  },
};

function loadReferences(
  references: readonly ResolvedReference[],
  registry: Record<string, avsc.Type>,
  definitions: Map<string, AvroDefinition>,
  loaded: Set<string>,
): void {
  for (const ref of references) {
    const key = `${ref.subject}\u0000${ref.version}`;
    if (loaded.has(key)) continue;
    loaded.add(key);
    if (ref.schemaType !== 'AVRO') {
      throw invalidSchema(
        'AVRO',
        `Reference ${ref.name} (${ref.subject} v${ref.version}) is ${ref.schemaType}, not AVRO`,
      );
    }
    loadReferences(ref.references, registry, definitions, loaded);
    const what = `reference ${ref.name} (${ref.subject} v${ref.version})`;
    const json = parseJson(ref.schema, what);
    compile(json, registry, what);
    collectDefinitions(json, definitions);
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalidSchema('AVRO', `Invalid Avro ${what}: not JSON: ${messageOf(err)}`, err);
  }
}

/** Stands for an empty union: a null that no value matches and no bytes decode to. */
class EmptyUnionType extends avsc.types.LogicalType {
  override _fromValue(): unknown {
    throw new Error('an empty union holds no value');
  }
  override _toValue(): unknown {
    return undefined;
  }
}

function compile(json: unknown, registry: Record<string, avsc.Type>, what: string): avsc.Type {
  try {
    return avsc.Type.forSchema(forAvsc(json) as avsc.Schema, {
      registry,
      noAnonymousTypes: true,
      logicalTypes: { [EMPTY_UNION_LOGICAL_TYPE]: EmptyUnionType },
    });
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
