/**
 * Schema'd records for `trib produce` and `trib consume`, as kafka-avro-console-producer/consumer
 * and kcat `-s avro -r URL` do them: the producer turns each JSON line into an Avro, Protobuf or
 * JSON Schema record in Confluent's wire format (schema id in the first bytes), the consumer turns
 * such records back into JSON by the writer's schema.
 *
 * The registry is the one kept in the data directory's log, or a running one (`--registry-url`,
 * Tributary's `trib serve` or `trib registry serve`, or Confluent's).
 */
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import {
  peekSchemaId,
  RegistryClient,
  RegistrySerde,
  SchemaRegistry,
  type SchemaSource,
  type SchemaType,
} from '../../schema-registry/index.ts';
import type { LogBackend } from '../log/backend.ts';
import { SerializationError } from '../errors.ts';
import { UsageError } from './command.ts';

/** Options of `trib produce`. */
export const produceSchemaOptions = {
  'value-schema': { type: 'string' },
  'value-subject': { type: 'string' },
  'value-type': { type: 'string' },
  'key-schema': { type: 'string' },
  'key-subject': { type: 'string' },
  'key-type': { type: 'string' },
  'registry-url': { type: 'string', short: 'r' },
} as const;

/** Options of `trib consume`. */
export const consumeSchemaOptions = {
  'value-format': { type: 'string' },
  'key-format': { type: 'string' },
  'registry-url': { type: 'string', short: 'r' },
} as const;

export const PRODUCE_SCHEMA_HELP = `Schemas (each line is then a JSON value; with -K, key and value each are):
  --value-schema S          register S (a file, or the schema text) under TOPIC-value
                            and write values with it
  --value-subject SUBJECT   write values with SUBJECT's latest version
  --value-type T            AVRO, PROTOBUF or JSON (default: PROTOBUF for a .proto
                            file, JSON for a schema with "$schema", else AVRO)
  --key-schema, --key-subject, --key-type
                            the same for keys (TOPIC-key)
  -r, --registry-url URL    a running schema registry (default: the one in the data dir,
                            or the one trib serve serves for it)`;

export const CONSUME_SCHEMA_HELP = `Schemas:
  --value-format F          string (default), or schema: values in Confluent's wire
                            format, printed as JSON by their writer's schema (avro,
                            protobuf, json: the same, requiring that schema type)
  --key-format F            the same for keys
  -r, --registry-url URL    a running schema registry (default: the one in the data dir,
                            or the one trib serve serves for it)`;

interface ProduceValues {
  'value-schema'?: string | undefined;
  'value-subject'?: string | undefined;
  'value-type'?: string | undefined;
  'key-schema'?: string | undefined;
  'key-subject'?: string | undefined;
  'key-type'?: string | undefined;
  'registry-url'?: string | undefined;
}

interface ConsumeValues {
  'value-format'?: string | undefined;
  'key-format'?: string | undefined;
  'registry-url'?: string | undefined;
}

/** A registry to read and write schemas in, closed with the command. */
export interface CliRegistry {
  readonly source: SchemaSource | SchemaRegistry;
  close(): Promise<void>;
}

const TYPES: Record<string, SchemaType> = { AVRO: 'AVRO', PROTOBUF: 'PROTOBUF', PROTO: 'PROTOBUF', JSON: 'JSON' };

function schemaType(raw: string | undefined, flag: string): SchemaType | undefined {
  if (raw === undefined) return undefined;
  const found = TYPES[raw.toUpperCase()];
  if (found === undefined) throw new UsageError(`${flag} must be AVRO, PROTOBUF or JSON, got "${raw}"`);
  return found;
}

/** Whether the options ask for any schema at all, so the registry is opened only then. */
export function wantsProduceSchemas(values: ProduceValues): boolean {
  for (const side of ['key', 'value'] as const) {
    if (values[`${side}-schema`] !== undefined && values[`${side}-subject`] !== undefined)
      throw new UsageError(`give --${side}-schema or --${side}-subject, not both`);
    if (values[`${side}-type`] !== undefined && values[`${side}-schema`] === undefined)
      throw new UsageError(`--${side}-type goes with --${side}-schema`);
  }
  return [values['value-schema'], values['value-subject'], values['key-schema'], values['key-subject']].some(
    (v) => v !== undefined,
  );
}

const FORMATS = ['string', 'schema', 'avro', 'protobuf', 'json'] as const;
type Format = (typeof FORMATS)[number];

function format(raw: string | undefined, flag: string): Format {
  const value = (raw ?? 'string').toLowerCase();
  if (!(FORMATS as readonly string[]).includes(value))
    throw new UsageError(`${flag} must be one of ${FORMATS.join(', ')}, got "${raw}"`);
  return value as Format;
}

/** Checks the consume options; true when a registry is needed. */
export function wantsConsumeSchemas(values: ConsumeValues): boolean {
  return (
    format(values['key-format'], '--key-format') !== 'string' ||
    format(values['value-format'], '--value-format') !== 'string'
  );
}

/**
 * The registry of `--registry-url`, else the one the data directory's owner serves (`trib serve`
 * records its URL), else the one kept in the embedded log. Over `--bootstrap-server` there is no
 * default: Kafka brokers do not tell where a registry is.
 */
export async function openCliRegistry(
  values: { 'registry-url'?: string | undefined },
  cli: { log: LogBackend | undefined; target: { registryUrl?: string | undefined }; place: string },
): Promise<CliRegistry> {
  const url = values['registry-url'] ?? cli.target.registryUrl;
  if (url !== undefined) {
    if (!/^https?:\/\//.test(url))
      throw new UsageError(`--registry-url must be an http:// or https:// URL, got "${url}"`);
    return { source: new RegistryClient({ url }), close: async () => undefined };
  }
  if (cli.log === undefined)
    throw new UsageError(
      `no schema registry is known ${cli.place}: give --registry-url URL (Kafka brokers do not tell where one is)`,
    );
  const registry = await SchemaRegistry.open(cli.log);
  return { source: registry, close: () => registry.close() };
}

/** A file's text when `raw` names a file, else `raw` itself: the schema inline. */
async function schemaText(raw: string): Promise<{ text: string; file: string | undefined }> {
  const isFile = await stat(raw).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!isFile) {
    if (/^\s*[{["]|^\s*syntax\s*=/.test(raw)) return { text: raw, file: undefined };
    throw new UsageError(`cannot read schema file ${raw}`);
  }
  return { text: (await readFile(raw, 'utf8')).trimEnd(), file: raw };
}

function guessType(text: string, file: string | undefined): SchemaType {
  if ((file !== undefined && extname(file).toLowerCase() === '.proto') || /^\s*syntax\s*=/.test(text))
    return 'PROTOBUF';
  return /"\$schema"\s*:/.test(text) ? 'JSON' : 'AVRO';
}

/** Turns one side (key or value) of a line into bytes. */
export type LineEncoder = (text: string, line: number) => Buffer | string;

/**
 * The encoders of `trib produce`'s schema options: a side without a schema passes the text
 * through; a side with one parses the text as JSON and writes it with the schema.
 */
export async function produceEncoders(
  values: ProduceValues,
  topic: string,
  registry: CliRegistry | undefined,
): Promise<{ key: LineEncoder; value: LineEncoder }> {
  const side = async (isKey: boolean): Promise<LineEncoder> => {
    const name = isKey ? 'key' : 'value';
    const raw = values[`${name}-schema`];
    const subject = values[`${name}-subject`];
    if ((raw === undefined && subject === undefined) || registry === undefined) return (text) => text;
    let serde: RegistrySerde;
    if (raw !== undefined) {
      const { text, file } = await schemaText(raw);
      const type = schemaType(values[`${name}-type`], `--${name}-type`) ?? guessType(text, file);
      serde = await new RegistrySerde({
        registry: registry.source,
        schemaType: type,
        schema: text,
        isKey,
        topics: [topic],
      }).init();
    } else {
      // The subject's latest version, whatever its type: written as that version says.
      const source = registry.source;
      const latest =
        source instanceof SchemaRegistry
          ? source.getVersion(subject!, 'latest')
          : await source.subjectVersion(subject!, 'latest');
      const type = latest.schemaType ?? 'AVRO';
      serde = await new RegistrySerde({
        registry: source,
        schemaType: type,
        useLatest: true,
        isKey,
        subjectNameStrategy: () => subject!,
        topics: [topic],
      }).init();
    }
    return (text, line) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new SerializationError(`Line ${line}: the ${name} is not JSON: ${(err as Error).message}`, {
          topic,
          line,
        });
      }
      const bytes = serde.serialize(topic, parsed);
      return bytes === null ? '' : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    };
  };
  return { key: await side(true), value: await side(false) };
}

/** Turns one side of a record into the text printed. */
export type FieldDecoder = (topic: string, bytes: Buffer | null) => Promise<unknown>;

/** JSON that also holds what JSON lacks: bigints as numbers' text, bytes as base64. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (
      v !== null &&
      typeof v === 'object' &&
      (v as { type?: unknown }).type === 'Buffer' &&
      Array.isArray((v as { data?: unknown }).data)
    ) {
      return Buffer.from((v as { data: number[] }).data).toString('base64');
    }
    return v;
  });
}

/**
 * The decoders of `trib consume`'s formats: `string` gives the bytes as text; a schema format
 * gives the record decoded by its writer's schema, as a JSON value.
 */
export async function consumeDecoders(
  values: ConsumeValues,
  registry: CliRegistry | undefined,
): Promise<{ key: FieldDecoder | undefined; value: FieldDecoder | undefined }> {
  const side = (isKey: boolean): FieldDecoder | undefined => {
    const chosen = format(values[isKey ? 'key-format' : 'value-format'], isKey ? '--key-format' : '--value-format');
    if (chosen === 'string' || registry === undefined) return undefined;
    const serdes = new Map<SchemaType, Promise<RegistrySerde>>();
    const serdeFor = (type: SchemaType) => {
      let serde = serdes.get(type);
      if (serde === undefined) {
        serde = new RegistrySerde({ registry: registry.source, schemaType: type, useLatest: true, isKey }).init();
        serdes.set(type, serde);
      }
      return serde;
    };
    const fixed = chosen === 'schema' ? undefined : TYPES[chosen.toUpperCase()]!;
    return async (topic, bytes) => {
      if (bytes === null) return null;
      const id = peekSchemaId(bytes);
      if (id < 0)
        throw new SerializationError(
          `A ${isKey ? 'key' : 'value'} of ${topic} is not in the schema registry's wire format (no magic byte)`,
          { topic },
        );
      let type = fixed;
      if (type === undefined) {
        const source = registry.source;
        type =
          (source instanceof SchemaRegistry ? source.getSchema(id) : await source.schemaById(id)).schemaType ?? 'AVRO';
      }
      return (await serdeFor(type)).deserializeAsync(topic, bytes);
    };
  };
  return { key: side(true), value: side(false) };
}
