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
import type { FormatPlugin, FramedDecoder, FramedEncoder, ParsedSchema } from '../formats/types.ts';
import type { SchemaInput, SchemaType, StoredSchema } from '../model.ts';
import { resolveReferencesAsync } from '../references.ts';
import type { SchemaRegistry } from '../registry.ts';
import { asSchemaSource, type SchemaSource } from '../source.ts';
import { framedDecoder, framedEncoder } from './framed.ts';
import { type SubjectNameStrategy, subjectName } from './subject-name.ts';
import { commonPayloadOffset, encodeIndexes, frameEncoded, unframe } from './wire.ts';

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

/** The schema written for one subject, with its encoder built once. */
interface Writer {
  subject: string;
  id: number;
  encoder: FramedEncoder;
}

/** What reading one schema id takes, built at its first read. */
interface Reading {
  id: number;
  parsed: ParsedSchema;
  /** Avro: resolves to the local schema when the writer is another one. Protobuf: the first message. */
  decoder: FramedDecoder;
  /** Protobuf: the decoders of other messages, by message indexes joined with dots. */
  byIndexes: Map<string, FramedDecoder> | undefined;
}

export class RegistrySerde<T = unknown> implements Serde<T> {
  private readonly source: SchemaSource;
  private readonly plugin: FormatPlugin;
  private readonly isProtobuf: boolean;
  private readonly strategy: SubjectNameStrategy;
  /** Writers by topic: the hot path looks up the topic, not a computed subject. */
  private readonly writersByTopic = new Map<string, Writer>();
  private readonly writersBySubject = new Map<string, Writer>();
  private readonly byId = new Map<number, ParsedSchema>();
  private readonly readings = new Map<number, Reading>();
  private readonly fetching = new Map<number, Promise<ParsedSchema>>();
  private local: ParsedSchema | undefined;
  /** The last topic written and id read, and what they resolved to: the common case skips a Map. */
  private lastTopic: string | undefined;
  private lastWriter: Writer | undefined;
  private lastReading: Reading | undefined;

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
    let writer = this.lastWriter;
    if (topic !== this.lastTopic || writer === undefined) writer = this.writerFor(topic);
    try {
      return writer.encoder.encode(value);
    } catch (err) {
      throw withPlace(err, topic, writer);
    }
  }

  deserialize(topic: string, data: Uint8Array | null): T | null {
    if (data === null) return null;
    // The id read last, framed the common way: decoded in place. Anything else takes the general
    // path, which also refuses bytes that are not framed.
    const last = this.lastReading;
    const offset = last === undefined ? -1 : commonPayloadOffset(data, last.id, this.isProtobuf);
    if (offset < 0) return this.deserializeFrame(topic, data);
    // Kept small, as serialize is: V8 inlines a call chain up to a budget of bytecode, and what the
    // serde spends of it the library's own reads and writes cannot.
    try {
      return last!.decoder.decode(data, offset) as T;
    } catch (err) {
      throw withId(err, topic, last!.id);
    }
  }

  /** Like `deserialize`, fetching the writer's schema from the registry when it is not cached. */
  async deserializeAsync(topic: string, data: Uint8Array | null): Promise<T | null> {
    if (data === null) return null;
    const { schemaId } = unframe(data, this.isProtobuf);
    if (!this.byId.has(schemaId)) await this.writerById(schemaId);
    return this.deserialize(topic, data);
  }

  private writerFor(topic: string): Writer {
    const writer = this.writersByTopic.get(topic);
    if (writer === undefined) {
      throw new SerializationError(
        `No schema resolved for topic "${topic}": create the serde with topics: ["${topic}"] or await serde.prepare("${topic}") first`,
        {
          topic,
        },
      );
    }
    this.lastTopic = topic;
    this.lastWriter = writer;
    return writer;
  }

  private deserializeFrame(topic: string, data: Uint8Array): T {
    const frame = unframe(data, this.isProtobuf);
    const { schemaId, messageIndexes } = frame;
    let payload = frame.payload;
    let reading = this.readings.get(schemaId);
    if (reading === undefined) {
      reading = this.reading(topic, schemaId);
      this.readings.set(schemaId, reading);
    }
    this.lastReading = reading;
    let decoder = reading.decoder;
    if (messageIndexes !== undefined && !(messageIndexes.length === 1 && messageIndexes[0] === 0)) {
      try {
        decoder = this.messageDecoder(reading, messageIndexes, topic);
      } catch (err) {
        // Indexes that name no message: the bytes were written with none (see unframe).
        if (frame.indexless === undefined) throw err;
        payload = frame.indexless;
      }
    }
    try {
      return decoder.decode(payload, 0) as T;
    } catch (err) {
      if (frame.indexless !== undefined && payload !== frame.indexless) {
        try {
          return reading.decoder.decode(frame.indexless, 0) as T;
        } catch {
          // Neither reading works: report the first.
        }
      }
      throw withId(err, topic, schemaId);
    }
  }

  /** The writer's schema of an id and its decoder; throws when the schema is not at hand. */
  private reading(topic: string, id: number): Reading {
    const parsed = this.byId.get(id) ?? this.fromLocalRegistry(id);
    if (parsed === undefined) {
      throw new SerializationError(
        `Schema id ${id} is not cached: use deserializeAsync, or prefetch([${id}]) before deserialize`,
        {
          topic,
          schemaId: id,
          retriable: true,
        },
      );
    }
    if (parsed.schemaType !== this.plugin.schemaType) {
      throw new SerializationError(
        `Schema id ${id} is ${parsed.schemaType}, this serde reads ${this.plugin.schemaType}`,
        {
          topic,
          schemaId: id,
        },
      );
    }
    let decoder: FramedDecoder;
    try {
      // Only Avro resolves to a reader schema, and only when the writer is another schema.
      decoder = this.isProtobuf
        ? framedDecoder(this.plugin, parsed, { messageIndexes: [0] })
        : framedDecoder(
            this.plugin,
            parsed,
            this.local === undefined || this.local === parsed ? undefined : { reader: this.local },
          );
    } catch (err) {
      throw withId(err, topic, id);
    }
    return { id, parsed, decoder, byIndexes: undefined };
  }

  private messageDecoder(reading: Reading, messageIndexes: number[], topic: string): FramedDecoder {
    const key = messageIndexes.join('.');
    reading.byIndexes ??= new Map();
    let decoder = reading.byIndexes.get(key);
    if (decoder === undefined) {
      try {
        decoder = framedDecoder(this.plugin, reading.parsed, { messageIndexes });
      } catch (err) {
        throw withId(err, topic, reading.id);
      }
      reading.byIndexes.set(key, decoder);
    }
    return decoder;
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
      id =
        autoRegister === false
          ? (await this.source.lookup(subject, input)).id
          : (await this.source.register(subject, input)).id;
      parsed = this.local!;
      // The local object itself: reading our own writes then needs no Avro resolver.
      if (!this.byId.has(id)) this.byId.set(id, parsed);
    }
    const messageIndexes = this.isProtobuf
      ? (this.plugin.messageIndexes?.(parsed, this.options.messageName) ?? [0])
      : undefined;
    const header = frameEncoded(
      id,
      new Uint8Array(0),
      messageIndexes === undefined ? undefined : encodeIndexes(messageIndexes),
    );
    const encoder = framedEncoder(
      this.plugin,
      parsed,
      header,
      messageIndexes === undefined ? undefined : { messageIndexes },
    );
    return { subject, id, encoder };
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
    return new TributaryError(err.code, err.message, {
      ...err.context,
      topic,
      subject: writer.subject,
      schemaId: writer.id,
      cause: err,
    });
  }
  return new SerializationError(`Cannot serialize for topic ${topic}: ${(err as Error).message}`, {
    topic,
    subject: writer.subject,
    schemaId: writer.id,
    cause: err,
  });
}

/** A decoding failure, with the topic and schema id added to its context. */
function withId(err: unknown, topic: string, schemaId: number): TributaryError {
  if (err instanceof TributaryError) {
    return new TributaryError(err.code, err.message, { ...err.context, topic, schemaId, cause: err });
  }
  return new SerializationError(`Cannot decode a value of schema ${schemaId}: ${(err as Error).message}`, {
    topic,
    schemaId,
    cause: err,
  });
}
