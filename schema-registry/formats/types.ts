/**
 * The contract every schema format plugin (Avro, Protobuf, JSON Schema) implements. The registry core,
 * the REST server and the serdes only ever talk to a format through {@link FormatPlugin}: they never
 * import avsc, protobufjs or ajv themselves.
 *
 * A plugin is stateless; what it learns from a schema text (compiled types, validators, codecs) is
 * cached on the {@link ParsedSchema} it returns, so keep parsed schemas around (by id) and reuse them.
 *
 * @example
 * import { getFormat } from './index.ts';
 *
 * const avro = getFormat('AVRO');
 * const v1 = avro.parse('{"type":"record","name":"User","fields":[{"name":"id","type":"long"}]}');
 * const v2 = avro.parse(
 *   '{"type":"record","name":"User","fields":[{"name":"id","type":"long"},' +
 *     '{"name":"email","type":"string","default":""}]}',
 * );
 * avro.checkCompatibility(v2, v1); // [] — v2 can read what v1 wrote (BACKWARD)
 * const bytes = avro.serialize(v1, { id: 1 });
 * avro.deserialize(v1, bytes, { reader: v2 }); // { id: 1, email: '' }
 */

/** The schema types Confluent Schema Registry knows, spelled as on its REST API. */
export type SchemaType = 'AVRO' | 'PROTOBUF' | 'JSON';

/** A reference as a client sends it: `name` is what the schema text refers to. */
export interface SchemaReference {
  /**
   * How the referring schema names it: an Avro full name, a Protobuf import path
   * (`other/common.proto`), or a JSON Schema `$ref` URL / `$id`.
   */
  name: string;
  subject: string;
  version: number;
}

/**
 * A reference with its schema text fetched by the registry, recursively: its own references are
 * resolved too, so a plugin never calls back into the registry.
 */
export interface ResolvedReference {
  name: string;
  subject: string;
  version: number;
  schemaType: SchemaType;
  schema: string;
  references: ResolvedReference[];
}

/**
 * A schema a plugin has parsed. Plugins return a subtype carrying their compiled artefacts; callers
 * treat it as opaque apart from these fields.
 */
export interface ParsedSchema {
  readonly schemaType: SchemaType;
  /** The schema text exactly as given. */
  readonly schema: string;
  /**
   * The schema's identity: two schemas with equal `canonical` and equal references (name, subject,
   * version) are the same schema and get the same global id. Whitespace and formatting never matter.
   */
  readonly canonical: string;
  /**
   * The identity after Confluent's normalisation (`normalize=true`); `canonical` when the format
   * has no normalisation of its own.
   */
  readonly normalized?: string;
  /**
   * The normalised form with the referenced types written out in place: a schema sent with its
   * references inlined (and no `references`) has the `resolved` form of the one registered with
   * them, which is how a lookup finds it (Confluent's `canLookup`). Avro only.
   */
  readonly resolved?: string;
  /** The references the schema was parsed with (as given to {@link FormatPlugin.parse}). */
  readonly references: ResolvedReference[];
}

/**
 * One reason a reader cannot read a writer's data.
 *
 * - `kind` is the kind of change in Confluent's words, as its verbose answer's `errorType` names it:
 *   Avro's `SchemaIncompatibilityType` (`READER_FIELD_MISSING_DEFAULT_VALUE`, `TYPE_MISMATCH`…),
 *   Protobuf's and JSON Schema's `Difference.Type` (`FIELD_SCALAR_KIND_CHANGED`,
 *   `OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL`…). Callers branch on it, never on `message`.
 * - `path` points into the schema: a JSON pointer into the Avro reader schema (`/fields/2/type`), a
 *   Protobuf element as Confluent writes it (`#/Order/3` for field number 3 of message Order,
 *   `#/Order/payment` for a oneof) or a JSON Schema location (`#/properties/age/maximum`).
 * - `message` is for humans (the `description` of the REST API's `verbose` answer).
 */
export interface CompatibilityIssue {
  kind: string;
  path: string;
  message: string;
}

/** Options of {@link FormatPlugin.serialize}. */
export interface SerializeOptions {
  /** Protobuf: which message of the file to encode (see {@link FormatPlugin.messageIndexes}); default `[0]`. */
  messageIndexes?: number[];
}

/** Options of {@link FormatPlugin.deserialize}. */
export interface DeserializeOptions<P extends ParsedSchema = ParsedSchema> {
  /** Avro: resolve the writer's data to this reader schema (schema evolution). Others ignore it. */
  reader?: P;
  /** Protobuf: which message of the writer's file the payload holds; default `[0]`. */
  messageIndexes?: number[];
}

/**
 * What {@link FormatPlugin.framedEncoder} answers: one schema's encoder, framing included.
 *
 * @example
 * const header = Uint8Array.of(0, 0, 0, 0, 1); // magic byte, schema id 1
 * const bytes = avroFormat.framedEncoder!(schema, header).encode({ id: 1 });
 * avroFormat.framedDecoder!(schema).decode(bytes, header.length); // { id: 1 }
 */
export interface FramedEncoder {
  /**
   * Validates and encodes `value`: a new buffer holding the header, then the payload. Throws like
   * {@link FormatPlugin.serialize}.
   */
  encode(value: unknown): Uint8Array;
}

/** What {@link FormatPlugin.framedDecoder} answers: one writer schema's decoder. */
export interface FramedDecoder {
  /**
   * Decodes the payload from `offset` to the end of `data`, without copying it. Throws like
   * {@link FormatPlugin.deserialize}.
   */
  decode(data: Uint8Array, offset: number): unknown;
}

/**
 * One schema format. Every method is synchronous and throws {@link TributaryError}s only:
 * `INVALID_SCHEMA` for a schema that cannot be parsed or a reference that cannot be resolved,
 * `SCHEMA_VALIDATION_FAILED` for a value that does not match (context: `path`, `rule`),
 * `SERIALIZATION_ERROR` for bytes that cannot be decoded.
 */
export interface FormatPlugin<P extends ParsedSchema = ParsedSchema> {
  readonly schemaType: SchemaType;
  /**
   * Parses and compiles a schema. `references` must be resolved recursively by the caller.
   * Throws `INVALID_SCHEMA` with the underlying parser's message.
   */
  parse(schema: string, references?: ResolvedReference[]): P;
  /**
   * Can data written with `writer` be read by `reader`? Returns every issue found; an empty array
   * means yes. BACKWARD is `checkCompatibility(new, old)`, FORWARD `checkCompatibility(old, new)`,
   * FULL both.
   */
  checkCompatibility(reader: P, writer: P): CompatibilityIssue[];
  /**
   * Validates and encodes a value: the bare payload, without Confluent's framing (magic byte, schema
   * id and message indexes are the serde's job). Throws `SCHEMA_VALIDATION_FAILED` naming the failing
   * path and rule.
   */
  serialize(schema: P, value: unknown, options?: SerializeOptions): Uint8Array;
  /** Decodes a bare payload written with `writer` (Avro: resolved to `options.reader` when given). */
  deserialize(writer: P, data: Uint8Array, options?: DeserializeOptions<P>): unknown;
  /**
   * Optional fast path of {@link serialize} for serdes: an encoder bound to one schema (and message)
   * whose every output is `header` (Confluent's framing) followed by the payload, in one buffer.
   * Whatever can be settled once (the message type, scratch space) is settled here, not per value.
   */
  framedEncoder?(schema: P, header: Uint8Array, options?: SerializeOptions): FramedEncoder;
  /**
   * Optional fast path of {@link deserialize} for serdes: a decoder bound to one writer schema (and
   * reader schema or message), reading payloads in place at an offset of framed bytes.
   */
  framedDecoder?(writer: P, options?: DeserializeOptions<P>): FramedDecoder;
  /**
   * Protobuf only: the message indexes of a message by full name (`pkg.Outer.Inner`, or without the
   * package), as Confluent's wire format writes them; the first message of the file is `[0]`.
   * Without a name, the first message. Throws `INVALID_SCHEMA` for an unknown name.
   */
  messageIndexes?(schema: P, messageName?: string): number[];
  /**
   * The schema rendered in another format, for `GET /schemas/ids/{id}?format=` and
   * `GET /subjects/{s}/versions/{v}?format=`. Protobuf knows `serialized` (base64
   * `FileDescriptorProto`), and for any other format gives the .proto text (a schema registered as a
   * descriptor comes back as text, as Confluent does). Avro knows `resolved` (named types of
   * references written out in place). Otherwise `schema.schema`.
   */
  toFormat?(schema: P, format: string): string;
  /**
   * The name of the schema's main record for the record and topic-record subject name strategies:
   * Avro record full name, first Protobuf message full name, JSON Schema `title`. `undefined` when
   * there is none.
   */
  recordName?(schema: P): string | undefined;
}
