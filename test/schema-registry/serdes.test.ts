import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogBackend, TributaryError } from '../../src/index.ts';
import { RegistryClient } from '../../schema-registry/client.ts';
import type { SchemaRegistry } from '../../schema-registry/registry.ts';
import { serializeBatch } from '../../schema-registry/serdes/batch.ts';
import { avroSerde, jsonSchemaSerde, protobufSerde } from '../../schema-registry/serdes/formats.ts';
import { startRegistryServer } from '../../schema-registry/server.ts';
import { caught, memoryRegistry, userV1, userV2 } from './helpers.ts';

const orderProto = `syntax = "proto3";
package shop;
message Order {
  int32 id = 1;
  string item = 2;
  message Line {
    string sku = 1;
    int32 qty = 2;
  }
  repeated Line lines = 3;
}
message Receipt { int32 order_id = 1; }
`;

const orderJson = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Order',
  type: 'object',
  properties: { id: { type: 'integer' }, item: { type: 'string', minLength: 1 } },
  required: ['id', 'item'],
  additionalProperties: false,
});

describe('registry serdes', () => {
  let log: LogBackend;
  let registry: SchemaRegistry;

  beforeEach(async () => {
    ({ log, registry } = await memoryRegistry());
  });

  afterEach(async () => {
    await registry.close();
    await log.close();
  });

  it('should register under <topic>-value and round-trip Avro when serializing', async () => {
    const serde = await avroSerde<{ id: number }>({ registry, schema: userV1, topics: ['users'] });
    const bytes = serde.serialize('users', { id: 42 })!;
    expect([...bytes.subarray(0, 5)]).toEqual([0, 0, 0, 0, 1]);
    expect(serde.deserialize('users', bytes)).toEqual({ id: 42 });
    expect(registry.versions('users-value')).toEqual([1]);
    expect(serde.serialize('users', null)).toBeNull();
    expect(serde.deserialize('users', null)).toBeNull();
  });

  it('should use <topic>-key when the serde is for keys', async () => {
    await avroSerde({ registry, schema: userV1, topics: ['users'], isKey: true });
    expect(registry.subjects()).toEqual(['users-key']);
  });

  it('should name subjects by record and by topic and record when those strategies are chosen', async () => {
    await avroSerde({ registry, schema: userV1, topics: ['a', 'b'], subjectNameStrategy: 'record' });
    await avroSerde({ registry, schema: userV1, topics: ['a'], subjectNameStrategy: 'topic-record' });
    expect(registry.subjects()).toEqual(['a-com.example.User', 'com.example.User']);
  });

  it('should raise SCHEMA_VALIDATION_FAILED naming the path when a record does not match', async () => {
    const serde = await avroSerde({ registry, schema: userV2, topics: ['users'] });
    const err = caught(() => serde.serialize('users', { id: 1, email: 7 }));
    expect(err.code).toBe('SCHEMA_VALIDATION_FAILED');
    expect(err.context['path']).toBe('/email');
    expect(err.context['rule']).toBeDefined();
    expect(err.context['topic']).toBe('users');
    expect(err.context['subject']).toBe('users-value');
  });

  it('should throw SERIALIZATION_ERROR when the topic was not prepared, and work after prepare', async () => {
    const serde = await avroSerde({ registry, schema: userV1 });
    expect(caught(() => serde.serialize('later', { id: 1 })).code).toBe('SERIALIZATION_ERROR');
    await serde.prepare('later');
    expect(serde.serialize('later', { id: 1 })).not.toBeNull();
  });

  it('should resolve old writer data to the reader schema when reading Avro', async () => {
    const v1 = await avroSerde({ registry, schema: userV1, topics: ['users'] });
    const old = v1.serialize('users', { id: 7 });
    const v2 = await avroSerde({ registry, schema: userV2, topics: ['users'] });
    expect(v2.schemaIdFor('users')).toBe(2);
    expect(v2.deserialize('users', old)).toEqual({ id: 7, email: '' });
  });

  it('should write with the latest version or a fixed id when asked to', async () => {
    await registry.register('users-value', { schema: userV1 });
    await registry.register('users-value', { schema: userV2 });
    const latest = await avroSerde({ registry, useLatest: true, topics: ['users'] });
    expect(latest.schemaIdFor('users')).toBe(2);
    const fixed = await avroSerde({ registry, schemaId: 1, topics: ['users'] });
    expect([...fixed.serialize('users', { id: 1 })!.subarray(0, 5)]).toEqual([0, 0, 0, 0, 1]);
  });

  it('should look the schema up instead of registering when autoRegister is false', async () => {
    const err = await avroSerde({ registry, schema: userV1, topics: ['users'], autoRegister: false }).catch((e) => e);
    expect((err as TributaryError).code).toBe('SUBJECT_NOT_FOUND');
    await registry.register('users-value', { schema: userV1 });
    const serde = await avroSerde({ registry, schema: userV1, topics: ['users'], autoRegister: false });
    expect(serde.schemaIdFor('users')).toBe(1);
  });

  it('should write message indexes when serializing nested and non-first Protobuf messages', async () => {
    const order = await protobufSerde<Record<string, unknown>>({ registry, schema: orderProto, topics: ['orders'] });
    const bytes = order.serialize('orders', { id: 1, item: 'tea', lines: [{ sku: 'a', qty: 2 }] })!;
    expect(bytes[5]).toBe(0); // [0] as a single 0 byte
    expect(order.deserialize('orders', bytes)).toMatchObject({ id: 1, item: 'tea', lines: [{ sku: 'a', qty: 2 }] });

    const line = await protobufSerde({
      registry,
      schema: orderProto,
      messageName: 'shop.Order.Line',
      topics: ['lines'],
    });
    const lineBytes = line.serialize('lines', { sku: 'b', qty: 3 })!;
    expect([...lineBytes.subarray(5, 8)]).toEqual([4, 0, 0]); // [0, 0]
    expect(line.deserialize('lines', lineBytes)).toMatchObject({ sku: 'b', qty: 3 });

    const receipt = await protobufSerde({ registry, schema: orderProto, messageName: 'Receipt', topics: ['receipts'] });
    expect([...receipt.serialize('receipts', { order_id: 9 })!.subarray(5, 7)]).toEqual([2, 2]); // [1]
    expect(caught(() => order.serialize('orders', { id: 'one' })).code).toBe('SCHEMA_VALIDATION_FAILED');
  });

  it('should validate and round-trip values when the schema is JSON Schema', async () => {
    const serde = await jsonSchemaSerde({ registry, schema: orderJson, topics: ['orders'] });
    const bytes = serde.serialize('orders', { id: 1, item: 'tea' })!;
    expect(JSON.parse(Buffer.from(bytes.subarray(5)).toString())).toEqual({ id: 1, item: 'tea' });
    expect(serde.deserialize('orders', bytes)).toEqual({ id: 1, item: 'tea' });
    const err = caught(() => serde.serialize('orders', { id: 1, item: '' }));
    expect(err.code).toBe('SCHEMA_VALIDATION_FAILED');
    expect(String(err.context['path'])).toContain('item');
  });

  it('should refuse the whole batch when one record does not match', async () => {
    const serde = await avroSerde({ registry, schema: userV1, topics: ['users'] });
    const good = serializeBatch('users', [{ key: 'a', value: { id: 1 } }, { value: { id: 2 } }], { value: serde });
    expect(good).toHaveLength(2);
    expect([...good[0]!.key!]).toEqual([97]);
    const err = caught(() =>
      serializeBatch('users', [{ value: { id: 1 } }, { value: { id: 'two' } }, { value: { id: 3 } }], { value: serde }),
    );
    expect(err.code).toBe('SCHEMA_VALIDATION_FAILED');
    expect(err.context['index']).toBe(1);
    expect(err.context['path']).toBe('/id');
  });

  it('should read each value with its own writer schema when values of two ids interleave', async () => {
    const v1 = await avroSerde<{ id: number }>({ registry, schema: userV1, topics: ['users'] });
    const v2 = await avroSerde<{ id: number; email: string }>({ registry, schema: userV2, topics: ['users'] });
    const old = v1.serialize('users', { id: 1 });
    const fresh = v2.serialize('users', { id: 2, email: 'b@x' });
    const read = [old, fresh, fresh, old, fresh].map((bytes) => v2.deserialize('users', bytes));
    expect(read).toEqual([
      { id: 1, email: '' },
      { id: 2, email: 'b@x' },
      { id: 2, email: 'b@x' },
      { id: 1, email: '' },
      { id: 2, email: 'b@x' },
    ]);
    expect([old, fresh, old].map((bytes) => v1.deserialize('users', bytes))).toEqual([{ id: 1 }, { id: 2 }, { id: 1 }]);
  });

  it('should read [0] written in the long form and non-first messages when Protobuf bytes come from other writers', async () => {
    const order = await protobufSerde<Record<string, unknown>>({ registry, schema: orderProto, topics: ['orders'] });
    const short = order.serialize('orders', { id: 1, item: 'tea' })!;
    expect(order.deserialize('orders', short)).toMatchObject({ id: 1, item: 'tea' });
    // Count 1, index 0 (bytes 2, 0) instead of the single 0 byte.
    const long = Uint8Array.from([...short.subarray(0, 5), 2, 0, ...short.subarray(6)]);
    expect(order.deserialize('orders', long)).toMatchObject({ id: 1, item: 'tea' });
    const line = await protobufSerde({
      registry,
      schema: orderProto,
      messageName: 'shop.Order.Line',
      topics: ['lines'],
    });
    const lineBytes = line.serialize('lines', { sku: 'b', qty: 3 })!;
    expect([order.deserialize('orders', lineBytes), order.deserialize('orders', short)]).toMatchObject([
      { sku: 'b', qty: 3 },
      { id: 1, item: 'tea' },
    ]);
  });

  it('should read Protobuf bytes written with no message indexes (the kafkajs client), even when they parse as indexes', async () => {
    const order = await protobufSerde<Record<string, unknown>>({ registry, schema: orderProto, topics: ['orders'] });
    const framed = order.serialize('orders', { id: 1, item: 'tea' })!;
    const header = [...framed.subarray(0, 5)];
    // Header, then straight to the payload: fields 1 (0x08) and 2 (0x12).
    expect(order.deserialize('orders', Uint8Array.from([...header, ...framed.subarray(6)]))).toMatchObject({
      id: 1,
      item: 'tea',
    });
    // Field 1 four times (2, 4, 0, 6). Read as indexes it is count 4, [1, 4, 2, 4], which names no
    // message of the schema, so the bytes are read as an index-less payload (the last value wins).
    const tricky = Uint8Array.from([...header, 0x08, 0x02, 0x08, 0x04, 0x08, 0x00, 0x08, 0x06]);
    expect(order.deserialize('orders', tricky)).toMatchObject({ id: 6 });
  });

  it.each([
    ['AVRO', () => avroSerde({ registry, schema: userV1, topics: ['t'] }), { id: 1 }],
    ['PROTOBUF', () => protobufSerde({ registry, schema: orderProto, topics: ['t'] }), { id: 1, item: 'tea' }],
    ['JSON', () => jsonSchemaSerde({ registry, schema: orderJson, topics: ['t'] }), { id: 1, item: 'tea' }],
  ] as const)(
    'should fail with SERIALIZATION_ERROR naming topic and schema id when %s bytes are spoiled',
    async (_, make, value) => {
      const serde = await make();
      const good = serde.serialize('t', value)!;
      const id = serde.schemaIdFor('t');
      for (const first of [false, true]) {
        // Before any good read (the general path), then after one (the fast path for that id).
        if (first) expect(serde.deserialize('t', good)).toMatchObject(value);
        const truncated = caught(() => serde.deserialize('t', good.subarray(0, good.length - 1)));
        expect(truncated.code).toBe('SERIALIZATION_ERROR');
        expect(truncated.context).toMatchObject({ topic: 't', schemaId: id });
        expect(caught(() => serde.deserialize('t', Uint8Array.from([1, ...good.subarray(1)]))).code).toBe(
          'SERIALIZATION_ERROR',
        );
        expect(caught(() => serde.deserialize('t', good.subarray(0, 3))).code).toBe('SERIALIZATION_ERROR');
        const unknown = caught(() => serde.deserialize('t', Uint8Array.from([0, 0, 0, 0, 99, ...good.subarray(5)])));
        expect(unknown.context['schemaId']).toBe(99);
        expect(unknown.retriable).toBe(true);
      }
    },
  );

  it('should refuse a schema id of another format with SERIALIZATION_ERROR', async () => {
    const avroBytes = (await avroSerde({ registry, schema: userV1, topics: ['users'] })).serialize('users', { id: 1 });
    const reader = await jsonSchemaSerde({ registry, schema: orderJson, topics: ['orders'] });
    const err = caught(() => reader.deserialize('users', avroBytes));
    expect(err.code).toBe('SERIALIZATION_ERROR');
    expect(err.context['schemaId']).toBe(1);
  });

  it('should fetch unknown ids with deserializeAsync when the registry is remote', async () => {
    const server = await startRegistryServer(registry, { port: 0 });
    try {
      const writer = await avroSerde({ registry, schema: userV1, topics: ['users'] });
      const bytes = writer.serialize('users', { id: 5 });
      await registry.register('other-value', { schema: userV2 });
      const client = new RegistryClient({ url: server.url });
      const reader = await avroSerde({ registry: client, schema: userV2, topics: ['other'] });
      const err = caught(() => reader.deserialize('users', bytes));
      expect(err.code).toBe('SERIALIZATION_ERROR');
      expect(err.retriable).toBe(true);
      expect(await reader.deserializeAsync('users', bytes)).toEqual({ id: 5, email: '' });
      // Cached now: the synchronous path works.
      expect(reader.deserialize('users', bytes)).toEqual({ id: 5, email: '' });
      const prefetched = await avroSerde({ registry: client, schema: userV2 });
      await prefetched.prefetch([1]);
      expect(prefetched.deserialize('users', bytes)).toEqual({ id: 5, email: '' });
      const missing = await client.schemaById(999).catch((e) => e);
      expect((missing as TributaryError).code).toBe('SCHEMA_NOT_FOUND');
    } finally {
      await server.close();
    }
  });
});
