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
import { invalidSchema, messageOf, undecodable, validationFailed } from './errors.ts';
import { protobufCompatibility } from './protobuf-compatibility.ts';
import { looksSerialized, toSerialized } from './protobuf-descriptor.ts';
import { loadLibrary, type ProtoLibrary } from './protobuf-model.ts';
import { renderFile } from './protobuf-render.ts';
import type { CompatibilityIssue, DeserializeOptions, FormatPlugin, ParsedSchema, ResolvedReference, SerializeOptions } from './types.ts';

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
    if (typeof value !== 'object' || value === null) {
      throw validationFailed('PROTOBUF', '', 'message', `${type.name} expects an object, got ${value === null ? 'null' : typeof value}`);
    }
    const problem = type.verify(value as Record<string, unknown>);
    if (problem !== null) {
      const colon = problem.indexOf(':');
      const path = colon < 0 ? '' : `/${problem.slice(0, colon).replace(/\./g, '/').replace(/\[(\w+)\]/g, '/$1')}`;
      const rule = colon < 0 ? problem : problem.slice(colon + 1).trim();
      throw validationFailed('PROTOBUF', path, rule, `${type.name}: ${problem}`);
    }
    return type.encode(value as Record<string, unknown>).finish();
  },

  deserialize(writer: ProtobufParsedSchema, data: Uint8Array, options: DeserializeOptions<ProtobufParsedSchema> = {}): unknown {
    return protobufFormat.deserializeAt!(writer, data, 0, options);
  },

  deserializeAt(writer: ProtobufParsedSchema, data: Uint8Array, offset: number, options: DeserializeOptions<ProtobufParsedSchema> = {}): unknown {
    const type = messageType(writer, options.messageIndexes);
    try {
      const reader = protobuf.Reader.create(data);
      reader.pos = offset;
      return type.decode(reader);
    } catch (err) {
      throw undecodable('PROTOBUF', `Cannot decode ${type.name}: ${messageOf(err)}`, err);
    }
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
      if (base64 === undefined) serialized.set(schema, (base64 = toSerialized(schema.library.main, schema.library.main.name)));
      return base64;
    }
    return schema.text;
  },

  recordName(schema: ProtobufParsedSchema): string | undefined {
    return schema.messages[0]?.fullName.replace(/^\./, '');
  },
};

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
