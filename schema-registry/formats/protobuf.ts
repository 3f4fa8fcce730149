/**
 * The PROTOBUF format plugin, on protobufjs.
 *
 * - `parse` takes .proto text (proto2, proto3, editions) or a base64 `FileDescriptorProto` (what
 *   `@confluentinc/schemaregistry` registers). Imports resolve to references by `name` (the import
 *   path) and to the built-in `google/protobuf/*.proto` and `confluent/*.proto` files. Field names are
 *   kept as written in the .proto file (`keepCase`), in values too.
 * - `canonical` is a normalised rendering of the file (see `protobuf-render.ts`).
 * - `checkCompatibility` compares by field number (see `protobuf-compatibility.ts`).
 * - `messageIndexes` gives Confluent's message-index path of a message: its index among the file's
 *   top-level messages, then among each enclosing message's nested messages (`[0]` is the first
 *   message; map entries are not messages here, as in Confluent's clients).
 * - `serialize` verifies the value against the message the indexes name (default the first one)
 *   and encodes it; `deserialize` decodes a protobufjs message of that type (int64 fields are
 *   `Long`s, bytes are Buffers, unset proto3 scalars read as their defaults).
 * - `toFormat(schema, 'serialized')` is the base64 `FileDescriptorProto`; any other format gives the
 *   .proto text (the text as given, or the rendering of a schema given as a descriptor).
 *
 * @example
 * const schema = protobufFormat.parse('syntax = "proto3"; message A { int32 id = 1; message B { string s = 1; } }');
 * protobufFormat.messageIndexes!(schema, 'A.B'); // [0, 0]
 * const bytes = protobufFormat.serialize(schema, { s: 'x' }, { messageIndexes: [0, 0] });
 */
import protobuf from 'protobufjs';
import { asBuffer, copyOut } from './bytes.ts';
import { invalidSchema, messageOf, undecodable, validationFailed } from './errors.ts';
import { protobufCompatibility } from './protobuf-compatibility.ts';
import { looksSerialized, toSerialized } from './protobuf-descriptor.ts';
import { loadLibrary, type ProtoLibrary } from './protobuf-model.ts';
import { renderFile } from './protobuf-render.ts';
import type {
  CompatibilityIssue,
  DeserializeOptions,
  FormatPlugin,
  FramedDecoder,
  FramedEncoder,
  ParsedSchema,
  ResolvedReference,
  SerializeOptions,
} from './types.ts';

/** A parsed Protobuf schema: the resolved files and the message types by index path are kept. */
export interface ProtobufParsedSchema extends ParsedSchema {
  readonly schemaType: 'PROTOBUF';
  /** The schema's file and its imports, resolved in one protobufjs Root. */
  readonly library: ProtoLibrary;
  /** The .proto text: as given, or rendered when the schema came as a descriptor. */
  readonly text: string;
  /** Top-level messages of the schema's file, in source order. */
  readonly messages: readonly protobuf.Type[];
}

/** Message types by index path, per schema. */
const typesByIndexes = new WeakMap<ProtobufParsedSchema, Map<string, protobuf.Type>>();
/** `format=serialized` renderings, per schema: clients ask for them on every lookup. */
const serialized = new WeakMap<ProtobufParsedSchema, string>();

/** The Protobuf plugin. */
export const protobufFormat: FormatPlugin<ProtobufParsedSchema> = {
  schemaType: 'PROTOBUF',

  parse(schema: string, references: ResolvedReference[] = []): ProtobufParsedSchema {
    const library = loadLibrary(schema, references);
    const canonical = renderFile(library.main);
    const messages = library.main.declarations.filter((d): d is protobuf.Type => d instanceof protobuf.Type);
    return Object.freeze({
      schemaType: 'PROTOBUF' as const,
      schema,
      canonical,
      references,
      library,
      text: looksSerialized(schema) ? canonical : schema,
      messages: Object.freeze(messages),
    });
  },

  checkCompatibility(reader: ProtobufParsedSchema, writer: ProtobufParsedSchema): CompatibilityIssue[] {
    return protobufCompatibility(reader.library, writer.library);
  },

  serialize(schema: ProtobufParsedSchema, value: unknown, options: SerializeOptions = {}): Uint8Array {
    const type = messageType(schema, options.messageIndexes);
    verify(type, value);
    return type.encode(value as Record<string, unknown>).finish();
  },

  framedEncoder(schema: ProtobufParsedSchema, header: Uint8Array, options: SerializeOptions = {}): FramedEncoder {
    return new ProtobufEncoder(messageType(schema, options.messageIndexes), header);
  },

  deserialize(
    writer: ProtobufParsedSchema,
    data: Uint8Array,
    options: DeserializeOptions<ProtobufParsedSchema> = {},
  ): unknown {
    return decodeAt(messageType(writer, options.messageIndexes), data, 0);
  },

  framedDecoder(writer: ProtobufParsedSchema, options: DeserializeOptions<ProtobufParsedSchema> = {}): FramedDecoder {
    return new ProtobufDecoder(messageType(writer, options.messageIndexes));
  },

  messageIndexes(schema: ProtobufParsedSchema, messageName?: string): number[] {
    if (messageName === undefined) {
      if (schema.messages.length === 0) throw invalidSchema('PROTOBUF', 'The schema declares no message');
      return [0];
    }
    const pkg = schema.library.main.package;
    const wanted = messageName.replace(/^\./, '');
    const local = pkg !== '' && wanted.startsWith(`${pkg}.`) ? wanted.slice(pkg.length + 1) : wanted;
    let candidates: readonly protobuf.ReflectionObject[] = schema.messages;
    const path: number[] = [];
    for (const part of local.split('.')) {
      const messages = candidates.filter((c): c is protobuf.Type => c instanceof protobuf.Type);
      const index = messages.findIndex((m) => m.name === part);
      if (index < 0) throw invalidSchema('PROTOBUF', `No message ${messageName} in the schema`);
      path.push(index);
      candidates = messages[index]!.nestedArray;
    }
    return path;
  },

  toFormat(schema: ProtobufParsedSchema, format: string): string {
    if (format === 'serialized') {
      let base64 = serialized.get(schema);
      if (base64 === undefined)
        serialized.set(schema, (base64 = toSerialized(schema.library.main, schema.library.main.name)));
      return base64;
    }
    return schema.text;
  },

  recordName(schema: ProtobufParsedSchema): string | undefined {
    return schema.messages[0]?.fullName.replace(/^\./, '');
  },
};

/** A writer whose buffer grew past this is dropped after use rather than kept at that size. */
const MAX_KEPT_WRITER = 64 * 1024;

/**
 * One protobufjs Writer per encoder, the header written into its buffer once: each value is encoded
 * after the header (`Writer#pos` is its documented write cursor), then header and payload are copied
 * out of `Writer#buf` in one buffer. `encode(value).finish()` would make a Writer and its buffer per
 * value, and `finish` copies through a subarray view.
 */
class ProtobufEncoder implements FramedEncoder {
  private writer: protobuf.Writer;

  constructor(
    private readonly type: protobuf.Type,
    private readonly header: Uint8Array,
  ) {
    this.writer = headed(header);
  }

  encode(value: unknown): Uint8Array {
    verify(this.type, value);
    const writer = this.writer;
    writer.pos = this.header.length;
    try {
      this.type.encode(value as Record<string, unknown>, writer);
    } catch (err) {
      throw this.failed(err);
    }
    // Read back after encoding: the writer replaces its buffer when it grows.
    if (writer.buf.length > MAX_KEPT_WRITER) return this.copyAndShrink();
    return copyOut(writer.buf, writer.pos);
  }

  /** A failed encode may leave forked states behind: the next value starts from a fresh writer. */
  private failed(err: unknown): unknown {
    this.writer = headed(this.header);
    return err;
  }

  private copyAndShrink(): Uint8Array {
    const out = copyOut(this.writer.buf, this.writer.pos);
    this.writer = headed(this.header);
    return out;
  }
}

function headed(header: Uint8Array): protobuf.Writer {
  return protobuf.Writer.create().raw(header);
}

class ProtobufDecoder implements FramedDecoder {
  constructor(private readonly type: protobuf.Type) {}

  decode(data: Uint8Array, offset: number): unknown {
    return decodeAt(this.type, data, offset);
  }
}

function decodeAt(type: protobuf.Type, data: Uint8Array, offset: number): unknown {
  // A BufferReader, as Reader.create makes for a Buffer, without its Buffer.isBuffer walk.
  const reader = new protobuf.BufferReader(asBuffer(data));
  reader.pos = offset;
  try {
    return type.decode(reader);
  } catch (err) {
    throw unreadable(type, err);
  }
}

function unreadable(type: protobuf.Type, err: unknown) {
  return undecodable('PROTOBUF', `Cannot decode ${type.name}: ${messageOf(err)}`, err);
}

/** Throws SCHEMA_VALIDATION_FAILED unless `value` is a valid message of `type`. */
function verify(type: protobuf.Type, value: unknown): void {
  if (typeof value !== 'object' || value === null) {
    throw validationFailed(
      'PROTOBUF',
      '',
      'message',
      `${type.name} expects an object, got ${value === null ? 'null' : typeof value}`,
    );
  }
  const problem = type.verify(value as Record<string, unknown>);
  if (problem !== null) {
    const colon = problem.indexOf(':');
    const path =
      colon < 0
        ? ''
        : `/${problem
            .slice(0, colon)
            .replace(/\./g, '/')
            .replace(/\[(\w+)\]/g, '/$1')}`;
    const rule = colon < 0 ? problem : problem.slice(colon + 1).trim();
    throw validationFailed('PROTOBUF', path, rule, `${type.name}: ${problem}`);
  }
}

/** The message type at an index path: top-level message, then nested messages. */
function messageType(schema: ProtobufParsedSchema, indexes: readonly number[] | undefined): protobuf.Type {
  const first = schema.messages[0];
  if ((indexes === undefined || (indexes.length === 1 && indexes[0] === 0)) && first !== undefined) return first;
  const path = indexes === undefined || indexes.length === 0 ? [0] : indexes;
  let cache = typesByIndexes.get(schema);
  if (cache === undefined) typesByIndexes.set(schema, (cache = new Map()));
  const key = path.join('.');
  let type = cache.get(key);
  if (type === undefined) {
    let candidates: readonly protobuf.ReflectionObject[] = schema.messages;
    for (const index of path) {
      const messages = candidates.filter((c): c is protobuf.Type => c instanceof protobuf.Type);
      type = messages[index];
      if (type === undefined) {
        throw undecodable('PROTOBUF', `Message indexes [${path.join(', ')}] name no message of the schema`);
      }
      candidates = type.nestedArray;
    }
    cache.set(key, type!);
  }
  return type!;
}
