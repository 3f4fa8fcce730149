/**
 * Which schemas are "the same schema" (one id, no new version) and which lookups find a version:
 * Confluent's identity (the whole Avro schema), `normalize=true`, and `canLookup` equivalence.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LogBackend, openLog } from '../../src/index.ts';
import { SchemaRegistry } from '../../schema-registry/registry.ts';
import { buildRegistryApp } from '../../schema-registry/server.ts';
import { address, memoryRegistry } from './helpers.ts';

const plainLong = JSON.stringify({ type: 'record', name: 'Event', fields: [{ name: 'at', type: 'long' }] });
const timestamp = JSON.stringify({
  type: 'record',
  name: 'Event',
  fields: [{ name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } }],
});
const withDefault = JSON.stringify({
  type: 'record',
  name: 'Event',
  fields: [{ name: 'at', type: 'long', default: 0 }],
});

const country = '{"type":"enum","name":"Country","namespace":"com.example","symbols":["NL","FR"]}';
const place = JSON.stringify({
  type: 'record',
  name: 'Place',
  namespace: 'com.example',
  fields: [
    { name: 'home', type: 'com.example.Address' },
    { name: 'country', type: { type: 'com.example.Country' } },
  ],
});
const placeRefs = [
  { name: 'com.example.Address', subject: 'address', version: 1 },
  { name: 'com.example.Country', subject: 'country', version: 1 },
];

describe('schema identity', () => {
  let log: LogBackend;
  let registry: SchemaRegistry;

  beforeEach(async () => {
    ({ log, registry } = await memoryRegistry());
  });

  afterEach(async () => {
    await registry.close();
    await log.close();
  });

  it('should give a logical type its own id and serve it with the logical type when fetched by id', async () => {
    const plain = await registry.register('plain-value', { schema: plainLong });
    const logical = await registry.register('logical-value', { schema: timestamp });
    expect(logical.id).not.toBe(plain.id);
    const app = buildRegistryApp(registry);
    const res = await app.inject({ method: 'GET', url: `/schemas/ids/${logical.id}` });
    expect(JSON.parse(JSON.parse(res.body).schema).fields[0].type).toEqual({
      type: 'long',
      logicalType: 'timestamp-millis',
    });
    await app.close();
  });

  it('should create a new version when only a default changes', async () => {
    await registry.register('events-value', { schema: plainLong });
    const second = await registry.register('events-value', { schema: withDefault });
    expect(second).toMatchObject({ version: 2, created: true });
    expect(registry.lookup('events-value', { schema: plainLong }).version).toBe(1);
    expect(registry.lookup('events-value', { schema: withDefault }).version).toBe(2);
  });

  it('should answer the existing version when custom properties come in another order', async () => {
    const a = JSON.stringify({ type: 'record', name: 'R', 'connect.name': 'R', 'connect.version': 1, fields: [] });
    const b = JSON.stringify({ type: 'record', name: 'R', 'connect.version': 1, 'connect.name': 'R', fields: [] });
    await registry.register('r', { schema: a });
    expect(await registry.register('r', { schema: b })).toMatchObject({ version: 1, created: false });
    expect(await registry.register('r', { schema: b }, { normalize: true })).toMatchObject({
      version: 1,
      created: false,
    });
    expect(registry.lookup('r', { schema: b }, { normalize: true }).version).toBe(1);
  });

  it('should store the normalised form when registering with normalize', async () => {
    const spaced = JSON.stringify(
      { name: 'R', type: 'record', fields: [{ type: 'int', name: 'a', y: 1, x: 2 }] },
      null,
      2,
    );
    const { id } = await registry.register('r', { schema: spaced }, { normalize: true });
    expect(registry.getSchema(id).schema).toBe(
      '{"type":"record","name":"R","fields":[{"name":"a","type":"int","order":"ascending","x":2,"y":1}]}',
    );
  });

  describe('references', () => {
    beforeEach(async () => {
      await registry.register('address', { schema: address });
      await registry.register('country', { schema: country });
      await registry.register('place-value', { schema: place, references: placeRefs });
    });

    it('should accept named types from references referred to as {"type":"Name"}', () => {
      expect(registry.getVersion('place-value', 1).references).toEqual(placeRefs);
    });

    it('should find the version and make no new one when references come in another order with normalize', async () => {
      const reordered = [...placeRefs].reverse();
      expect(
        registry.lookup('place-value', { schema: place, references: reordered }, { normalize: true }).version,
      ).toBe(1);
      expect(
        await registry.register('place-value', { schema: place, references: reordered }, { normalize: true }),
      ).toMatchObject({
        version: 1,
        created: false,
      });
      expect(registry.versions('place-value')).toEqual([1]);
    });

    it('should find the version when the schema comes with its references inlined and none given', () => {
      const inlined = JSON.stringify({
        type: 'record',
        name: 'Place',
        namespace: 'com.example',
        fields: [
          { name: 'home', type: JSON.parse(address) },
          { name: 'country', type: JSON.parse(country) },
        ],
      });
      expect(registry.lookup('place-value', { schema: inlined })).toMatchObject({ version: 1, references: placeRefs });
    });

    it('should not find a version registered with references when other references are given', async () => {
      await registry.register('address2', { schema: address });
      const other = [{ name: 'com.example.Address', subject: 'address2', version: 1 }, placeRefs[1]!];
      expect(() => registry.lookup('place-value', { schema: place, references: other })).toThrow(/not found/);
    });
  });
});

describe('identity of a registry written before', () => {
  it('should keep every id when replaying records that an older identity wrote', async () => {
    // Under Parsing Canonical Form, a doc-only variant got the id of the first text.
    const documented = JSON.stringify({
      type: 'record',
      name: 'Event',
      doc: 'when',
      fields: [{ name: 'at', type: 'long' }],
    });
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    await log.createTopic({ topic: '_schemas', configs: { 'cleanup.policy': 'compact' } });
    const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
    await log.append('_schemas', 0, [
      {
        key: enc({ keytype: 'SCHEMA', subject: 'a', version: 1, magic: 1 }),
        value: enc({ subject: 'a', version: 1, id: 1, schema: plainLong, deleted: false }),
      },
      {
        key: enc({ keytype: 'SCHEMA', subject: 'b', version: 1, magic: 1 }),
        value: enc({ subject: 'b', version: 1, id: 1, schema: documented, deleted: false }),
      },
    ]);
    const registry = await SchemaRegistry.open(log);
    expect(registry.lookup('b', { schema: documented })).toMatchObject({ version: 1, id: 1 });
    expect(registry.lookup('a', { schema: plainLong })).toMatchObject({ version: 1, id: 1 });
    // Either text registered elsewhere gets the id its records hold.
    expect((await registry.register('c', { schema: documented })).id).toBe(1);
    expect((await registry.register('d', { schema: plainLong })).id).toBe(1);
    // A text no record holds is a new schema now.
    expect(await registry.register('a', { schema: timestamp })).toMatchObject({ id: 2, version: 2 });
    expect(registry.getSchema(1).schema).toBe(plainLong);
    await registry.close();
    await log.close();
  });
});
