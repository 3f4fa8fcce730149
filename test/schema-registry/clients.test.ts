/**
 * The real Confluent clients against Tributary's registry on a loopback port: registration, lookups
 * and encode/decode with their serializers, and bytes crossing between their serdes and Tributary's.
 */
import { create, createFileRegistry, fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import {
  AvroDeserializer,
  AvroSerializer,
  JsonDeserializer,
  JsonSerializer,
  ProtobufDeserializer,
  ProtobufSerializer,
  SchemaRegistryClient,
  SerdeType,
} from '@confluentinc/schemaregistry';
import { SchemaRegistry as KafkajsRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogBackend } from '../../src/index.ts';
import { getFormat } from '../../schema-registry/formats/index.ts';
import type { SchemaRegistry } from '../../schema-registry/registry.ts';
import { avroSerde, jsonSchemaSerde, protobufSerde } from '../../schema-registry/serdes/formats.ts';
import { type RegistryServer, startRegistryServer } from '../../schema-registry/server.ts';
import { memoryRegistry, userV1, userV2 } from './helpers.ts';

const orderJson = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Order',
  type: 'object',
  properties: { id: { type: 'integer' }, item: { type: 'string' } },
  required: ['id', 'item'],
});

const commonProto = `syntax = "proto3";
package shop.common;
message Money {
  string currency = 1;
  int32 cents = 2;
}
`;

const orderProto = `syntax = "proto3";
package shop;
import "shop/common.proto";
message Order {
  int32 id = 1;
  shop.common.Money total = 2;
  message Line {
    string sku = 1;
    int32 qty = 2;
  }
  repeated Line lines = 3;
}
`;

const plainProto = `syntax = "proto3";
package plain;
message Ping {
  int32 seq = 1;
  string note = 2;
}
`;

const orderRefs = [{ name: 'shop/common.proto', subject: 'shop/common.proto', version: 1 }];

let log: LogBackend;
let registry: SchemaRegistry;
let server: RegistryServer;

beforeAll(async () => {
  ({ log, registry } = await memoryRegistry());
  server = await startRegistryServer(registry, { port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await server.close();
  await registry.close();
  await log.close();
});

describe('@kafkajs/confluent-schema-registry', () => {
  const kafkajs = () => new KafkajsRegistry({ host: server.url }, { [SchemaType.JSON]: { strict: false } });

  it('should register, find the latest id and round-trip Avro when driven by the kafkajs client', async () => {
    const client = kafkajs();
    const { id } = await client.register({ type: SchemaType.AVRO, schema: userV1 }, { subject: 'kj-users-value' });
    expect(await client.getLatestSchemaId('kj-users-value')).toBe(id);
    // A second registration sees the subject config the first one set.
    const again = await client.register({ type: SchemaType.AVRO, schema: userV2 }, { subject: 'kj-users-value' });
    expect(again.id).not.toBe(id);
    expect(registry.getCompatibility('kj-users-value')).toBe('BACKWARD');
    const bytes = await client.encode(id, { id: 3 });
    expect(await client.decode(bytes)).toEqual({ id: 3 });
    expect(await client.getRegistryIdBySchema('kj-users-value', { type: SchemaType.AVRO, schema: userV1 })).toBe(id);

    const serde = await avroSerde({ registry, schema: userV1, topics: ['kj-users'] });
    expect(serde.deserialize('kj-users', bytes)).toEqual({ id: 3 });
    const ours = serde.serialize('kj-users', { id: 4 })!;
    expect(await client.decode(Buffer.from(ours))).toEqual({ id: 4 });
  });

  it('should round-trip JSON Schema both ways when the kafkajs client and Tributary serdes share a subject', async () => {
    const client = kafkajs();
    const { id } = await client.register({ type: SchemaType.JSON, schema: orderJson }, { subject: 'kj-orders-value' });
    expect(await client.getLatestSchemaId('kj-orders-value')).toBe(id);
    const bytes = await client.encode(id, { id: 1, item: 'tea' });
    expect(await client.decode(bytes)).toEqual({ id: 1, item: 'tea' });
    const serde = await jsonSchemaSerde({ registry, schema: orderJson, topics: ['kj-orders'] });
    expect(serde.schemaIdFor('kj-orders')).toBe(id);
    expect(serde.deserialize('kj-orders', bytes)).toEqual({ id: 1, item: 'tea' });
    expect(await client.decode(Buffer.from(serde.serialize('kj-orders', { id: 2, item: 'milk' })!))).toEqual({
      id: 2,
      item: 'milk',
    });
  });

  it('should round-trip Protobuf and decode Tributary bytes when driven by the kafkajs client', async () => {
    const client = kafkajs();
    const { id } = await client.register(
      { type: SchemaType.PROTOBUF, schema: plainProto },
      { subject: 'kj-pings-value' },
    );
    expect(await client.getLatestSchemaId('kj-pings-value')).toBe(id);
    const bytes = await client.encode(id, { seq: 7, note: 'hi' });
    expect(await client.decode(bytes)).toMatchObject({ seq: 7, note: 'hi' });
    // The kafkajs client writes no message indexes (its bytes go straight from the id to the
    // payload); Tributary's serde reads those leniently, and kafkajs reads Confluent's framing.
    expect(bytes[5]).not.toBe(0);
    const serde = await protobufSerde({ registry, schema: plainProto, topics: ['kj-pings'] });
    expect(serde.schemaIdFor('kj-pings')).toBe(id);
    expect(serde.deserialize('kj-pings', bytes)).toMatchObject({ seq: 7, note: 'hi' });
    const empty = await client.encode(id, {});
    expect(serde.deserialize('kj-pings', empty)).toMatchObject({ seq: 0, note: '' });
    const ours = serde.serialize('kj-pings', { seq: 8, note: 'yo' })!;
    expect(await client.decode(Buffer.from(ours))).toMatchObject({ seq: 8, note: 'yo' });
  });
});

describe('@confluentinc/schemaregistry', () => {
  const confluent = () => new SchemaRegistryClient({ baseURLs: [server.url], cacheCapacity: 100 });

  it('should register, look up, configure and delete when driven by the Confluent client', async () => {
    const client = confluent();
    const id = await client.register('cf-users-value', { schemaType: 'AVRO', schema: userV1 });
    expect(await client.getId('cf-users-value', { schemaType: 'AVRO', schema: userV1 })).toBe(id);
    expect(await client.getVersion('cf-users-value', { schemaType: 'AVRO', schema: userV1 })).toBe(1);
    expect((await client.getLatestSchemaMetadata('cf-users-value')).id).toBe(id);
    expect((await client.getSchemaMetadata('cf-users-value', 1)).schema).toBe(userV1);
    expect((await client.getBySubjectAndId('cf-users-value', id)).schema).toBe(userV1);
    expect(await client.getAllVersions('cf-users-value')).toEqual([1]);
    expect(await client.getAllSubjects()).toContain('cf-users-value');
    expect(await client.testSubjectCompatibility('cf-users-value', { schemaType: 'AVRO', schema: userV2 })).toBe(true);
    expect(await client.updateCompatibility('cf-users-value', 'FULL' as never)).toBe('FULL');
    expect(await client.getCompatibility('cf-users-value')).toBe('FULL');
    expect(await client.deleteSubject('cf-users-value')).toEqual([1]);
    expect(await client.deleteSubject('cf-users-value', true)).toEqual([1]);
    await expect(confluent().getLatestSchemaMetadata('cf-users-value')).rejects.toMatchObject({ errorCode: 40401 });
  });

  it("should decode each other's Avro bytes when Confluent and Tributary serdes share a subject", async () => {
    const client = confluent();
    await client.register('cf-avro-value', { schemaType: 'AVRO', schema: userV1 });
    const ser = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true });
    const de = new AvroDeserializer(client, SerdeType.VALUE, {});
    const bytes = await ser.serialize('cf-avro', { id: 11 });
    expect(await de.deserialize('cf-avro', bytes)).toEqual({ id: 11 });

    const serde = await avroSerde({ registry, schema: userV1, topics: ['cf-avro'] });
    expect(serde.deserialize('cf-avro', bytes)).toEqual({ id: 11 });
    expect(await de.deserialize('cf-avro', Buffer.from(serde.serialize('cf-avro', { id: 12 })!))).toEqual({ id: 12 });

    const auto = new AvroSerializer(client, SerdeType.VALUE, { autoRegisterSchemas: true });
    const autoBytes = await auto.serialize('cf-auto', { name: 'x' });
    expect(await de.deserialize('cf-auto', autoBytes)).toEqual({ name: 'x' });
    expect(registry.subjects()).toContain('cf-auto-value');
  });

  it("should decode each other's JSON Schema bytes when Confluent and Tributary serdes share a subject", async () => {
    const client = confluent();
    await client.register('cf-json-value', { schemaType: 'JSON', schema: orderJson });
    const ser = new JsonSerializer(client, SerdeType.VALUE, { useLatestVersion: true, validate: true });
    const de = new JsonDeserializer(client, SerdeType.VALUE, { validate: true });
    const bytes = await ser.serialize('cf-json', { id: 1, item: 'tea' });
    expect(await de.deserialize('cf-json', bytes)).toEqual({ id: 1, item: 'tea' });
    await expect(ser.serialize('cf-json', { id: 'x' })).rejects.toThrow();

    const serde = await jsonSchemaSerde({ registry, schema: orderJson, topics: ['cf-json'] });
    expect(serde.deserialize('cf-json', bytes)).toEqual({ id: 1, item: 'tea' });
    expect(await de.deserialize('cf-json', Buffer.from(serde.serialize('cf-json', { id: 2, item: 'jam' })!))).toEqual({
      id: 2,
      item: 'jam',
    });
  });

  it("should decode each other's Protobuf bytes when the schema has a nested message and an import", async () => {
    const client = confluent();
    await client.register('shop/common.proto', { schemaType: 'PROTOBUF', schema: commonProto });
    const orderId = await client.register('cf-orders-value', {
      schemaType: 'PROTOBUF',
      schema: orderProto,
      references: orderRefs,
    });
    // The client fetches schemas as base64 FileDescriptorProtos.
    const serialized = (await client.getBySubjectAndId('cf-orders-value', orderId, 'serialized')).schema;
    expect(serialized).toMatch(/^[A-Za-z0-9+/=]+$/);

    // Message descriptors for the client, built from the registry's own descriptors.
    const plugin = getFormat('PROTOBUF');
    const fdp = (id: number) =>
      fromBinary(
        FileDescriptorProtoSchema,
        Buffer.from(plugin.toFormat!(registry.parsedSchema(id), 'serialized'), 'base64'),
      );
    const commonId = registry.getVersion('shop/common.proto', 1).id;
    const common = fdp(commonId);
    common.name = 'shop/common.proto';
    const order = fdp(orderId);
    order.name = 'shop/order.proto';
    order.dependency = ['shop/common.proto'];
    const files = createFileRegistry(create(FileDescriptorSetSchema, { file: [common, order] }));
    const orderDesc = files.getMessage('shop.Order')!;
    const lineDesc = files.getMessage('shop.Order.Line')!;

    const ser = new ProtobufSerializer(client, SerdeType.VALUE, { useLatestVersion: true, registry: files as never });
    const de = new ProtobufDeserializer(client, SerdeType.VALUE, {});
    const msg = create(orderDesc, {
      id: 5,
      total: { currency: 'EUR', cents: 250 },
      lines: [{ sku: 'a', qty: 1 }],
    } as never);
    const bytes = await ser.serialize('cf-orders', msg);
    expect(bytes[5]).toBe(0);
    expect(await de.deserialize('cf-orders', bytes)).toMatchObject({
      id: 5,
      total: { currency: 'EUR', cents: 250 },
      lines: [{ sku: 'a', qty: 1 }],
    });

    const serde = await protobufSerde({
      registry,
      schema: { schema: orderProto, references: orderRefs },
      topics: ['cf-orders'],
    });
    expect(serde.schemaIdFor('cf-orders')).toBe(orderId);
    expect(serde.deserialize('cf-orders', bytes)).toMatchObject({
      id: 5,
      total: { currency: 'EUR', cents: 250 },
      lines: [{ sku: 'a', qty: 1 }],
    });
    const ours = serde.serialize('cf-orders', { id: 6, total: { currency: 'USD', cents: 99 }, lines: [] })!;
    expect(await de.deserialize('cf-orders', Buffer.from(ours))).toMatchObject({
      id: 6,
      total: { currency: 'USD', cents: 99 },
    });

    // A nested message: indexes [0, 0] both ways.
    await client.register('cf-lines-value', { schemaType: 'PROTOBUF', schema: orderProto, references: orderRefs });
    const lineSer = new ProtobufSerializer(client, SerdeType.VALUE, {
      useLatestVersion: true,
      registry: files as never,
    });
    const lineBytes = await lineSer.serialize('cf-lines', create(lineDesc, { sku: 'z', qty: 9 } as never));
    expect([...lineBytes.subarray(5, 8)]).toEqual([4, 0, 0]);
    const lineSerde = await protobufSerde({
      registry,
      schema: { schema: orderProto, references: orderRefs },
      messageName: 'shop.Order.Line',
      topics: ['cf-lines'],
    });
    expect(lineSerde.deserialize('cf-lines', lineBytes)).toMatchObject({ sku: 'z', qty: 9 });
    expect(
      await de.deserialize('cf-lines', Buffer.from(lineSerde.serialize('cf-lines', { sku: 'y', qty: 2 })!)),
    ).toMatchObject({
      sku: 'y',
      qty: 2,
    });
  });
});
