/**
 * A `Serde<T>` backed by a schema registry, writing and reading Confluent's wire format.
 *
 * `Serde.serialize` is synchronous and a registry is not, so the schema a serde writes with is
 * settled before use: {@link registrySerde} (or `avroSerde`, `protobufSerde`, `jsonSchemaSerde`)
 * resolves it for the topics you name, and {@link RegistrySerde.prepare} for any other topic.
 * Serializing for a topic that was not prepared throws `SERIALIZATION_ERROR`.
 *
 * Reading needs the writer's schema, found by the id in the bytes. With a registry in this process
 * every id is at hand and `deserialize` always works. With a remote one (a `RegistryClient`), the
 * schemas the serde wrote with are cached; for any other id call {@link RegistrySerde.deserializeAsync},
 * which fetches the schema once and caches it, or {@link RegistrySerde.prefetch} the ids first: the
 * synchronous `deserialize` throws a retriable `SERIALIZATION_ERROR` (context `schemaId`) for them.
 *
 * @example
 * const serde = await avroSerde<User>({ registry, schema: userSchema, topics: ['users'] });
 * const bytes = serde.serialize('users', { id: 1, name: 'Ada' });
 * serde.deserialize('users', bytes); // { id: 1, name: 'Ada' }
 */
import { type Serde, SerializationError, TributaryError } from '../../src/index.ts';
import { getFormat } from '../formats/index.ts';
import type { FormatPlugin, ParsedSchema } from '../formats/types.ts';
import type { SchemaInput, SchemaType, StoredSchema } from '../model.ts';
import { resolveReferencesAsync } from '../references.ts';
import type { SchemaRegistry } from '../registry.ts';
import { asSchemaSource, type SchemaSource } from '../source.ts';
import { type SubjectNameStrategy, subjectName } from './subject-name.ts';
import { encodeIndexes, frameEncoded, HEADER_SIZE, peekSchemaId, unframe } from './wire.ts';

/** How a registry serde finds its schema. */
export interface RegistrySerdeOptions {
  /** A registry in this process, or a {@link SchemaSource} such as a `RegistryClient`. */
  registry: SchemaRegistry | SchemaSource;
  schemaType: SchemaType;
  /**
   * The schema this serde writes with, and for Avro the reader schema data is resolved to. May be
   * omitted with `useLatest` or `schemaId`.
   */
  schema?: string | Omit<SchemaInput, 'schemaType'>;
  /** A key serde (`<topic>-key` subjects). Default false. */
  isKey?: boolean;
  /** Default `topic`. */
  subjectNameStrategy?: SubjectNameStrategy;
  /** Register the schema when it is not registered yet. Default true; false only looks it up. */
  autoRegister?: boolean;
  /** Write with the subject's latest version instead of `schema`. */
  useLatest?: boolean;
  /** Write with this schema id. */
  schemaId?: number;
  /** Protobuf: the message to write (full name, or without the package). Default the first one. */
  messageName?: string;
  /** Topics to prepare now, so that `serialize` works for them at once. */
  topics?: readonly string[];
}

/** The schema written for one subject, with what the hot path needs computed once. */
interface Writer {
  subject: string;
  id: number;
  parsed: ParsedSchema;
  messageIndexes: number[] | undefined;
  serializeOptions: { messageIndexes: number[] } | undefined;
  indexBytes: Uint8Array | undefined;
  /** Magic byte, id and message indexes: what every value this writer writes starts with. */
  header: Uint8Array;
}

/** Options of a Protobuf read of the first message, shared by every read. */
const FIRST_MESSAGE = Object.freeze({ messageIndexes: [0] });

export class RegistrySerde<T = unknown> implements Serde<T> {
  private readonly source: SchemaSource;
  private readonly plugin: FormatPlugin;
  private readonly isProtobuf: boolean;
  private readonly strategy: SubjectNameStrategy;
  /** Writers by topic: the hot path looks up the topic, not a computed subject. */
  private readonly writersByTopic = new Map<string, Writer>();
  private readonly writersBySubject = new Map<string, Writer>();
  private readonly byId = new Map<number, ParsedSchema>();
  private readonly fetching = new Map<number, Promise<ParsedSchema>>();
  private local: ParsedSchema | undefined;
  /** The last topic written and id read, and what they resolved to: the common case skips a Map. */
  private lastTopic: string | undefined;
  private lastWriter: Writer | undefined;
  private lastId = -1;
  private lastParsed: ParsedSchema | undefined;
  /** Avro: resolve writers to the local schema. Built once. */
  private readerOptions: { reader: ParsedSchema } | undefined;

  /** Use {@link registrySerde}: a serde must be initialised before use. */
  constructor(private readonly options: RegistrySerdeOptions) {
    this.source = asSchemaSource(options.registry);
    this.plugin = getFormat(options.schemaType);
    this.isProtobuf = options.schemaType === 'PROTOBUF';
    this.strategy = options.subjectNameStrategy ?? 'topic';
    if (options.schema === undefined && options.useLatest !== true && options.schemaId === undefined) {
      throw new TypeError('A registry serde needs a schema, useLatest or a schemaId');
    }
  }

  /** Parses the local schema and prepares the topics named in the options. */
  async init(): Promise<this> {
    if (this.options.schema !== undefined) {
      const input = typeof this.options.schema === 'string' ? { schema: this.options.schema } : this.options.schema;
      const references = await resolveReferencesAsync(input.references ?? [], (subject, version) =>
        this.source.subjectVersion(subject, version === -1 ? 'latest' : version),
      );
      this.local = this.plugin.parse(input.schema, references);
      if (this.options.schemaType === 'AVRO') this.readerOptions = { reader: this.local };
    }
    for (const topic of this.options.topics ?? []) await this.prepare(topic);
    return this;
  }

  /** The subject values of `topic` are written under. */
  subjectFor(topic: string): string {
    return subjectName(this.strategy, {
      topic,
      isKey: this.options.isKey === true,
      recordName: this.recordName(),
    });
  }

  /** The schema id values of `topic` are written with; undefined before {@link prepare}. */
  schemaIdFor(topic: string): number | undefined {
    return this.writersByTopic.get(topic)?.id;
  }

  /**
   * Settles the schema for `topic`: registers it (default), looks it up, takes the subject's
   * latest version, or the fixed id, as the options say.
   */
  async prepare(topic: string): Promise<void> {
    if (this.writersByTopic.has(topic)) return;
    const subject = this.subjectFor(topic);
    let writer = this.writersBySubject.get(subject);
    if (writer === undefined) {
      writer = await this.resolveWriter(subject);
      this.writersBySubject.set(subject, writer);
    }
    this.writersByTopic.set(topic, writer);
  }

  /** Fetches and caches the schemas of these ids, so that `deserialize` reads them synchronously. */
  async prefetch(ids: Iterable<number>): Promise<void> {
    for (const id of ids) await this.writerById(id);
  }

  serialize(topic: string, value: T | null): Uint8Array | null {
    if (value === null || value === undefined) return null;
    let writer = topic === this.lastTopic ? this.lastWriter : undefined;
    if (writer === undefined) {
      writer = this.writersByTopic.get(topic);
      this.lastTopic = topic;
      this.lastWriter = writer;
    }
    if (writer === undefined) {
      throw new SerializationError(`No schema resolved for topic "${topic}": create the serde with topics: ["${topic}"] or await serde.prepare("${topic}") first`, {
        topic,
      });
    }
    try {
      if (this.plugin.serializeFramed !== undefined) {
        return this.plugin.serializeFramed(writer.parsed, value, writer.header, writer.serializeOptions);
      }
      return frameEncoded(writer.id, this.plugin.serialize(writer.parsed, value, writer.serializeOptions), writer.indexBytes);
    } catch (err) {
      throw withPlace(err, topic, writer);
    }
  }

  deserialize(topic: string, data: Uint8Array | null): T | null {
    if (data === null) return null;
    let schemaId = peekSchemaId(data);
    let messageIndexes: number[] | undefined;
    let payload: Uint8Array = data;
    let offset = HEADER_SIZE;
    if (schemaId >= 0 && this.isProtobuf && data.length > HEADER_SIZE && data[HEADER_SIZE] === 0) {
      // The common [0], written as one 0 byte: no need to parse an index array.
      messageIndexes = FIRST_MESSAGE.messageIndexes;
      offset = HEADER_SIZE + 1;
    } else if (schemaId < 0 || this.isProtobuf) {
      ({ schemaId, messageIndexes, payload } = unframe(data, this.isProtobuf));
      offset = 0;
    }
    let writer = schemaId === this.lastId ? this.lastParsed : undefined;
    if (writer === undefined) {
      writer = this.byId.get(schemaId) ?? this.fromLocalRegistry(schemaId);
      this.lastId = schemaId;
      this.lastParsed = writer;
    }
    if (writer === undefined) {
      throw new SerializationError(
        `Schema id ${schemaId} is not cached: use deserializeAsync, or prefetch([${schemaId}]) before deserialize`,
        { topic, schemaId, retriable: true },
      );
    }
    return this.decode(writer, payload, offset, messageIndexes, topic, schemaId);
  }

  /** Like `deserialize`, fetching the writer's schema from the registry when it is not cached. */
  async deserializeAsync(topic: string, data: Uint8Array | null): Promise<T | null> {
    if (data === null) return null;
    const { schemaId, messageIndexes, payload } = unframe(data, this.isProtobuf);
    const writer = this.byId.get(schemaId) ?? (await this.writerById(schemaId));
    return this.decode(writer, payload, 0, messageIndexes, topic, schemaId);
  }

  /** Decodes the payload at `offset` of `data`. */
  private decode(
    writer: ParsedSchema,
    data: Uint8Array,
    offset: number,
    messageIndexes: number[] | undefined,
    topic: string,
    schemaId: number,
  ): T {
    if (writer.schemaType !== this.plugin.schemaType) {
      throw new SerializationError(`Schema id ${schemaId} is ${writer.schemaType}, this serde reads ${this.plugin.schemaType}`, {
        topic,
        schemaId,
      });
    }
    // Only Avro resolves to a reader schema, and only when the writer is another schema.
    let options: { reader?: ParsedSchema; messageIndexes?: number[] } | undefined;
    if (messageIndexes !== undefined) {
      options = messageIndexes.length === 1 && messageIndexes[0] === 0 ? FIRST_MESSAGE : { messageIndexes };
    } else if (this.readerOptions !== undefined && this.local !== writer) {
      options = this.readerOptions;
    }
    try {
      if (this.plugin.deserializeAt !== undefined) return this.plugin.deserializeAt(writer, data, offset, options) as T;
      return this.plugin.deserialize(writer, offset === 0 ? data : data.subarray(offset), options) as T;
    } catch (err) {
      if (err instanceof TributaryError) {
        throw new TributaryError(err.code, err.message, { ...err.context, topic, schemaId, cause: err });
      }
      throw new SerializationError(`Cannot decode a value of schema ${schemaId}: ${(err as Error).message}`, { topic, schemaId, cause: err });
    }
  }

  /** An in-process registry answers synchronously. */
  private fromLocalRegistry(id: number): ParsedSchema | undefined {
    const parsed = this.source.parsedById?.(id);
    if (parsed !== undefined) this.byId.set(id, parsed);
    return parsed;
  }

  private recordName(): string | undefined {
    if (this.local === undefined) return undefined;
    if (this.isProtobuf && this.options.messageName !== undefined) return this.options.messageName;
    return this.plugin.recordName?.(this.local);
  }

  private async resolveWriter(subject: string): Promise<Writer> {
    const { schemaId, useLatest, autoRegister } = this.options;
    let id: number;
    let parsed: ParsedSchema;
    if (schemaId !== undefined) {
      id = schemaId;
      parsed = await this.writerById(schemaId);
    } else if (useLatest === true) {
      const latest = await this.source.subjectVersion(subject, 'latest');
      id = latest.id;
      parsed = await this.writerById(id, latest);
    } else {
      const input = this.input();
      id = autoRegister === false ? (await this.source.lookup(subject, input)).id : (await this.source.register(subject, input)).id;
      parsed = this.local!;
      // The local object itself: reading our own writes then needs no Avro resolver.
      if (!this.byId.has(id)) this.byId.set(id, parsed);
    }
    const messageIndexes = this.isProtobuf ? (this.plugin.messageIndexes?.(parsed, this.options.messageName) ?? [0]) : undefined;
    const indexBytes = messageIndexes === undefined ? undefined : encodeIndexes(messageIndexes);
    return {
      subject,
      id,
      parsed,
      messageIndexes,
      serializeOptions: messageIndexes === undefined ? undefined : { messageIndexes },
      indexBytes,
      header: frameEncoded(id, new Uint8Array(0), indexBytes),
    };
  }

  private input(): SchemaInput {
    const schema = this.options.schema!;
    const input = typeof schema === 'string' ? { schema } : schema;
    return { ...input, schemaType: this.options.schemaType };
  }

  private writerById(id: number, known?: StoredSchema): Promise<ParsedSchema> {
    const cached = this.byId.get(id);
    if (cached !== undefined) return Promise.resolve(cached);
    let pending = this.fetching.get(id);
    if (pending === undefined) {
      pending = this.fetchWriter(id, known).finally(() => this.fetching.delete(id));
      this.fetching.set(id, pending);
    }
    return pending;
  }

  private async fetchWriter(id: number, known?: StoredSchema): Promise<ParsedSchema> {
    const parsed =
      this.source.parsedById?.(id) ??
      (await (async () => {
        const stored = known ?? (await this.source.schemaById(id));
        const references = await resolveReferencesAsync(stored.references, (subject, version) =>
          this.source.subjectVersion(subject, version === -1 ? 'latest' : version),
        );
        return getFormat(stored.schemaType).parse(stored.schema, references);
      })());
    this.byId.set(id, parsed);
    return parsed;
  }
}

/**
 * Creates and initialises a registry serde: the schema is parsed, and registered or looked up for
 * the topics named, before the promise resolves.
 */
export async function registrySerde<T = unknown>(options: RegistrySerdeOptions): Promise<RegistrySerde<T>> {
  return new RegistrySerde<T>(options).init();
}

/** A validation or encoding failure, with the topic, subject and schema id added to its context. */
function withPlace(err: unknown, topic: string, writer: Writer): TributaryError {
  if (err instanceof TributaryError) {
    return new TributaryError(err.code, err.message, { ...err.context, topic, subject: writer.subject, schemaId: writer.id, cause: err });
  }
  return new SerializationError(`Cannot serialize for topic ${topic}: ${(err as Error).message}`, {
    topic,
    subject: writer.subject,
    schemaId: writer.id,
    cause: err,
  });
}
