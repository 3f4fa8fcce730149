/**
 * The schema registry as the web console takes it (`src/console` never imports the registry; it is
 * handed this): Confluent's REST API answered in-process by the registry's own app, and values in
 * Confluent's wire format decoded by their writer's schema.
 *
 * @example
 * const registry = await SchemaRegistry.open(log);
 * const server = await startConsole({ log, registry: consoleRegistry(registry) });
 */
import type { ConsoleRegistry } from '../src/console/decode.ts';
import { SerializationError } from '../src/index.ts';
import { RegistryClient, type RegistryClientOptions } from './client.ts';
import type { SchemaType } from './model.ts';
import type { SchemaRegistry } from './registry.ts';
import { RegistrySerde } from './serdes/registry-serde.ts';
import { peekSchemaId } from './serdes/wire.ts';
import { buildRegistryApp } from './server.ts';

const FORMAT_NAMES: Record<string, string> = { AVRO: 'avro', PROTOBUF: 'protobuf', JSON: 'json-schema' };

/** JSON of a decoded record: bigints as strings, bytes as base64. */
function stringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
    if (v !== null && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer') {
      const data = (v as { data?: unknown }).data;
      if (Array.isArray(data)) return Buffer.from(data as number[]).toString('base64');
    }
    return v;
  });
}

/**
 * The console's view of a schema registry over HTTP (Tributary's or Confluent's, at `url`): REST
 * calls passed through, decoding and encoding with the writer's schema fetched by id.
 */
export function remoteConsoleRegistry(options: RegistryClientOptions): ConsoleRegistry {
  const client = new RegistryClient(options);
  const base = options.url.replace(/\/+$/, '');
  const serdes = new Map<string, Promise<RegistrySerde>>();
  const serde = (type: SchemaType, isKey: boolean) => {
    const key = `${type}:${isKey}`;
    let made = serdes.get(key);
    if (made === undefined) {
      made = new RegistrySerde({ registry: client, schemaType: type, useLatest: true, isKey }).init();
      serdes.set(key, made);
    }
    return made;
  };
  return {
    async request(method, path, body) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', accept: 'application/json' },
        ...(body === undefined || body === null ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: await res.text() };
    },
    async decode(topic, bytes, isKey) {
      const id = peekSchemaId(bytes);
      if (id < 0) return undefined;
      let type: SchemaType;
      try {
        type = (await client.schemaById(id)).schemaType ?? 'AVRO';
      } catch {
        return undefined;
      }
      const value = await (await serde(type, isKey)).deserializeAsync(topic, bytes);
      return { format: FORMAT_NAMES[type] ?? type.toLowerCase(), text: stringify(value), schemaId: id };
    },
    async encode(topic, json, isKey) {
      const subject = `${topic}-${isKey ? 'key' : 'value'}`;
      const latest = await client.subjectVersion(subject, 'latest');
      return encodeJson(client, latest.schemaType ?? 'AVRO', topic, json, isKey);
    },
  };
}

/** `json` written with the latest schema of the topic's subject, through `source`. */
async function encodeJson(
  source: SchemaRegistry | RegistryClient,
  type: SchemaType,
  topic: string,
  json: string,
  isKey: boolean,
): Promise<Uint8Array> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new SerializationError(`The ${isKey ? 'key' : 'value'} is not JSON: ${(err as Error).message}`, { topic });
  }
  // A serde per call: the subject's latest version may have changed since the last one.
  const writer = await new RegistrySerde({
    registry: source,
    schemaType: type,
    useLatest: true,
    isKey,
    topics: [topic],
  }).init();
  return writer.serialize(topic, value)!;
}

/** The console's view of `registry`. */
export function consoleRegistry(registry: SchemaRegistry): ConsoleRegistry {
  const app = buildRegistryApp(registry);
  const serdes = new Map<string, Promise<RegistrySerde>>();
  const serde = (type: SchemaType, isKey: boolean) => {
    const key = `${type}:${isKey}`;
    let made = serdes.get(key);
    if (made === undefined) {
      made = new RegistrySerde({ registry, schemaType: type, useLatest: true, isKey }).init();
      serdes.set(key, made);
    }
    return made;
  };
  return {
    async request(method, path, body) {
      const answer = await app.inject({
        method: method as 'GET',
        url: path,
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', accept: 'application/json' },
        ...(body === undefined || body === null ? {} : { payload: JSON.stringify(body) }),
      });
      return { status: answer.statusCode, body: answer.body };
    },
    async encode(topic, json, isKey) {
      const latest = registry.getVersion(`${topic}-${isKey ? 'key' : 'value'}`, 'latest');
      return encodeJson(registry, latest.schemaType ?? 'AVRO', topic, json, isKey);
    },
    async decode(topic, bytes, isKey) {
      const id = peekSchemaId(bytes);
      if (id < 0) return undefined;
      let type: SchemaType;
      try {
        type = registry.getSchema(id).schemaType ?? 'AVRO';
      } catch {
        return undefined;
      }
      const value = (await serde(type, isKey)).deserialize(topic, bytes);
      return { format: FORMAT_NAMES[type] ?? type.toLowerCase(), text: stringify(value), schemaId: id };
    },
  };
}
