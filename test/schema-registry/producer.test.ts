import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Admin, type LogBackend, type Producer, Tributary, TributaryError, logLevel } from '../../src/index.ts';
import { validatedProducer } from '../../schema-registry/producer.ts';
import type { SchemaRegistry } from '../../schema-registry/registry.ts';
import { avroSerde, jsonSchemaSerde } from '../../schema-registry/serdes/formats.ts';
import { memoryRegistry, userV1 } from './helpers.ts';

const orderJson = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { id: { type: 'integer' }, item: { type: 'string', minLength: 1 } },
  required: ['id', 'item'],
  additionalProperties: false,
});

async function refused(promise: Promise<unknown>): Promise<TributaryError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(TributaryError);
    return err as TributaryError;
  }
  throw new Error('expected the send to be refused');
}

describe('validatedProducer', () => {
  let log: LogBackend;
  let registry: SchemaRegistry;
  let producer: Producer;
  let admin: Admin;

  beforeEach(async () => {
    ({ log, registry } = await memoryRegistry());
    const tributary = new Tributary({ log, logLevel: logLevel.NOTHING });
    admin = tributary.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'orders' }, { topic: 'users' }] });
    producer = tributary.producer();
    await producer.connect();
  });

  afterEach(async () => {
    await producer.disconnect();
    await admin.disconnect();
    await registry.close();
    await log.close();
  });

  const high = async (topic: string) => (await admin.fetchTopicOffsets(topic))[0]!.high;

  it('should append every record in the wire format when the whole batch matches its schema', async () => {
    const serde = await jsonSchemaSerde<{ id: number; item: string }>({ registry, schema: orderJson });
    const orders = validatedProducer(producer, { value: serde });
    const metadata = await orders.send({
      topic: 'orders',
      messages: [
        { key: 'o1', value: { id: 1, item: 'tea' }, headers: { src: 'test' } },
        { key: 'o2', value: { id: 2, item: 'cake' } },
      ],
    });
    expect(metadata[0]!.baseOffset).toBe('0');
    expect(await high('orders')).toBe('2');
    const { records } = await log.read('orders', 0, 0);
    expect(Buffer.from(records[0]!.key!).toString()).toBe('o1');
    expect(records[0]!.value![0]).toBe(0);
    expect(serde.deserialize('orders', records[1]!.value)).toEqual({ id: 2, item: 'cake' });
  });

  it('should refuse the send with SCHEMA_VALIDATION_FAILED and append nothing when one record does not match', async () => {
    const serde = await jsonSchemaSerde<{ id: number; item: string }>({ registry, schema: orderJson });
    const orders = validatedProducer(producer, { value: serde });
    await orders.send({ topic: 'orders', messages: [{ value: { id: 1, item: 'tea' } }] });
    const err = await refused(
      orders.send({
        topic: 'orders',
        messages: [
          { value: { id: 2, item: 'cake' } },
          { value: { id: 3, item: '' } },
          { value: { id: 4, item: 'pie' } },
        ],
      }),
    );
    expect(err.code).toBe('SCHEMA_VALIDATION_FAILED');
    expect(err.context['index']).toBe(1);
    expect(err.context['topic']).toBe('orders');
    expect(String(err.context['path'])).toContain('item');
    expect(err.context['rule']).toBeDefined();
    expect(await high('orders')).toBe('1');
  });

  it('should append nothing of any topic when one record of a sendBatch does not match', async () => {
    const serde = await avroSerde<{ id: number }>({ registry, schema: userV1 });
    const users = validatedProducer(producer, { value: serde });
    const err = await refused(
      users.sendBatch({
        topicMessages: [
          { topic: 'orders', messages: [{ value: { id: 1 } }] },
          { topic: 'users', messages: [{ value: { id: 2 } }, { value: { id: 'three' as unknown as number } }] },
        ],
      }),
    );
    expect(err.code).toBe('SCHEMA_VALIDATION_FAILED');
    expect(err.context).toMatchObject({ topic: 'users', index: 1, path: '/id' });
    expect(await high('orders')).toBe('0');
    expect(await high('users')).toBe('0');
    await users.sendBatch({ topicMessages: [{ topic: 'users', messages: [{ value: { id: 2 } }] }] });
    expect(await high('users')).toBe('1');
  });
});
