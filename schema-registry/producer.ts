/**
 * A schema-validated producer: wraps a Tributary (or kafkajs-shaped) producer so that every message
 * of a `send` or `sendBatch` goes through the registry serdes before anything is sent. One record
 * that does not match its schema refuses the whole call with `SCHEMA_VALIDATION_FAILED`, and the
 * wrapped producer is never called: nothing of that send is appended.
 *
 * @example
 * const producer = tributary.producer();
 * await producer.connect();
 * const userSerde = await avroSerde<User>({ registry, schema: userSchema, topics: ['users'] });
 * const users = validatedProducer(producer, { value: userSerde });
 * await users.send({ topic: 'users', messages: [{ key: 'u1', value: { id: 1, name: 'Ada' } }] });
 * try {
 *   await users.send({ topic: 'users', messages: [{ value: { id: 'one' } }] });
 * } catch (err) {
 *   // TributaryError SCHEMA_VALIDATION_FAILED; err.context: { topic, index: 0, path, rule, subject, schemaId }
 * }
 */
import type { IHeaders, Message, ProducerBatch, ProducerRecord, RecordMetadata, SerdeHeaders } from '../src/index.ts';
import { type BatchSerdes, type OutgoingMessage, serializeBatch } from './serdes/batch.ts';

/** A message before serialization: kafkajs's `Message` with a typed key and value. */
export interface ValidatedMessage<V, K = string> {
  key?: K | null;
  value: V | null;
  partition?: number;
  headers?: IHeaders;
  /** Milliseconds since the epoch, as a decimal string (as in kafkajs). */
  timestamp?: string;
}

/** `producer.send`'s argument with typed messages. */
export interface ValidatedProducerRecord<V, K = string> extends Omit<ProducerRecord, 'messages'> {
  messages: ValidatedMessage<V, K>[];
}

/** `producer.sendBatch`'s argument with typed messages. */
export interface ValidatedProducerBatch<V, K = string> extends Omit<ProducerBatch, 'topicMessages'> {
  topicMessages?: { topic: string; messages: ValidatedMessage<V, K>[] }[];
}

/** What a validated producer needs of the producer it wraps. */
export interface ProducerLike {
  /** Sends to one topic, as `Producer.send`. */
  send(record: ProducerRecord): Promise<RecordMetadata[]>;
  /** Sends to several topics, as `Producer.sendBatch`. */
  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]>;
}

/** A producer whose sends are serialized, and so validated, before they reach the log. */
export interface ValidatedProducer<V, K = string> {
  /** Serializes every message, then sends them all; refuses them all if one fails. */
  send(record: ValidatedProducerRecord<V, K>): Promise<RecordMetadata[]>;
  /** Serializes every message of every topic, then sends them in one atomic `sendBatch`. */
  sendBatch(batch: ValidatedProducerBatch<V, K>): Promise<RecordMetadata[]>;
  /** The producer it wraps (to connect, disconnect, or send bytes). */
  readonly producer: ProducerLike;
}

/**
 * Wraps `producer` with serdes for values (and, optionally, keys). A serde with a `prepare(topic)`
 * method (the registry serdes) is prepared for each topic sent to, so topics need not be named when
 * the serde is created. Errors: whatever {@link serializeBatch} throws, with `index` and `topic` in
 * the context; `SCHEMA_VALIDATION_FAILED` also carries `path` and `rule`.
 */
export function validatedProducer<V, K = string>(
  producer: ProducerLike,
  serdes: BatchSerdes<V, K>,
): ValidatedProducer<V, K> {
  if (producer === null || typeof producer !== 'object' || typeof producer.send !== 'function') {
    throw new TypeError('validatedProducer takes a producer');
  }
  if (serdes === null || typeof serdes !== 'object' || typeof serdes.value?.serialize !== 'function') {
    throw new TypeError('validatedProducer takes { value: serde, key?: serde }');
  }

  const serializeTopic = async (topic: string, messages: readonly ValidatedMessage<V, K>[]): Promise<Message[]> => {
    await prepare(serdes.value, topic);
    if (serdes.key !== undefined) await prepare(serdes.key, topic);
    const outgoing = messages.map((m): OutgoingMessage<V, K> => {
      const o: OutgoingMessage<V, K> = { key: m.key ?? null, value: m.value };
      if (m.headers !== undefined) o.headers = serdeHeaders(m.headers);
      return o;
    });
    const serialized = serializeBatch(topic, outgoing, serdes);
    return messages.map((m, i) => {
      const s = serialized[i]!;
      const message: Message = { key: toBuffer(s.key), value: toBuffer(s.value) };
      if (m.partition !== undefined) message.partition = m.partition;
      if (m.headers !== undefined) message.headers = m.headers;
      if (m.timestamp !== undefined) message.timestamp = m.timestamp;
      return message;
    });
  };

  return {
    producer,
    async send(record) {
      if (record === null || typeof record !== 'object' || !Array.isArray(record.messages))
        throw new TypeError('send takes { topic, messages }');
      const { messages, ...rest } = record;
      return producer.send({ ...rest, messages: await serializeTopic(record.topic, messages) });
    },
    async sendBatch(batch) {
      if (batch === null || typeof batch !== 'object') throw new TypeError('sendBatch takes { topicMessages }');
      const { topicMessages, ...rest } = batch;
      // Every topic is serialized before the one call below, so a bad record in any topic sends nothing.
      const serialized: { topic: string; messages: Message[] }[] = [];
      for (const tm of topicMessages ?? [])
        serialized.push({ topic: tm.topic, messages: await serializeTopic(tm.topic, tm.messages) });
      return producer.sendBatch({ ...rest, topicMessages: serialized });
    },
  };
}

async function prepare(serde: object, topic: string): Promise<void> {
  const prepareFn = (serde as { prepare?: unknown }).prepare;
  if (typeof prepareFn === 'function') await (prepareFn as (topic: string) => Promise<void>).call(serde, topic);
}

/** kafkajs headers may repeat a key as an array; a serde sees the last value. */
function serdeHeaders(headers: IHeaders): SerdeHeaders {
  const out: SerdeHeaders = {};
  for (const [name, value] of Object.entries(headers)) out[name] = Array.isArray(value) ? value.at(-1) : value;
  return out;
}

function toBuffer(bytes: Uint8Array | null): Buffer | null {
  if (bytes === null) return null;
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
