/**
 * Serializing a whole batch before anything is sent: a schema-validated producer calls this with
 * every message of a `send`, and appends only if it returns. One record that does not match its
 * schema refuses the batch, with the record's index, the failing path and the rule.
 *
 * @example
 * const records = serializeBatch('users', messages, { value: userSerde });
 * await log.append('users', 0, records); // reached only when every message matched
 */
import { type Serde, type SerdeHeaders, TributaryError } from '../../src/index.ts';

/** A message as a producer takes it. */
export interface OutgoingMessage<V, K = unknown> {
  key?: K | null;
  value: V | null;
  headers?: SerdeHeaders;
  partition?: number;
  timestamp?: number;
}

/** A message with its key and value as bytes; the other fields are passed on unchanged. */
export interface SerializedMessage {
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers?: SerdeHeaders;
  partition?: number;
  timestamp?: number;
}

/** The serdes {@link serializeBatch} encodes a batch's values (and keys) with. */
export interface BatchSerdes<V, K> {
  value: Serde<V>;
  /** Without one, keys must be strings, bytes or null. */
  key?: Serde<K>;
}

const encoder = new TextEncoder();

/**
 * Serializes every message or none: the first failure throws, its context extended with `index`
 * (the message's position) and `topic`; `SCHEMA_VALIDATION_FAILED` keeps its `path` and `rule`.
 */
export function serializeBatch<V, K = unknown>(
  topic: string,
  messages: readonly OutgoingMessage<V, K>[],
  serdes: BatchSerdes<V, K>,
): SerializedMessage[] {
  const out: SerializedMessage[] = new Array(messages.length);
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index]!;
    try {
      const value = serdes.value.serialize(topic, message.value ?? null, message.headers);
      const key = serializeKey(topic, message, serdes.key);
      const serialized: SerializedMessage = { key, value };
      if (message.headers !== undefined) serialized.headers = message.headers;
      if (message.partition !== undefined) serialized.partition = message.partition;
      if (message.timestamp !== undefined) serialized.timestamp = message.timestamp;
      out[index] = serialized;
    } catch (err) {
      if (err instanceof TributaryError) {
        throw new TributaryError(err.code, `Message ${index} of the batch for ${topic}: ${err.message}`, {
          ...err.context,
          topic,
          index,
          cause: err,
        });
      }
      throw err;
    }
  }
  return out;
}

function serializeKey<V, K>(
  topic: string,
  message: OutgoingMessage<V, K>,
  serde: Serde<K> | undefined,
): Uint8Array | null {
  const key = message.key ?? null;
  if (serde !== undefined) return serde.serialize(topic, key, message.headers);
  if (key === null || key instanceof Uint8Array) return key;
  if (typeof key === 'string') return encoder.encode(key);
  throw new TypeError(`Message key must be a string, bytes or null without a key serde; got ${typeof key}`);
}
