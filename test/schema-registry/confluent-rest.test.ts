/**
 * REST behaviour case for case with Confluent Schema Registry, from its RestApiTest (compatibility
 * of new subjects, normalisation, fetchMaxId, IMPORT, configs and modes, listings, metadata) and
 * the call sequence of Confluent's Java client.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogBackend } from '../../src/index.ts';
import type { SchemaRegistry } from '../../schema-registry/registry.ts';
import { buildRegistryApp } from '../../schema-registry/server.ts';
import { memoryRegistry, userV1, userV2, userV3Required } from './helpers.ts';

const CT = 'application/vnd.schemaregistry.v1+json';

const sub1 = '{"type":"record","name":"Subrecord1","namespace":"otherns","fields":[{"name":"field1","type":"string"}]}';
const sub2 = '{"type":"record","name":"Subrecord2","namespace":"otherns","fields":[{"name":"field2","type":"string"}]}';
const ref1 = { name: 'otherns.Subrecord1', subject: 'ref1', version: 1 };
const ref2 = { name: 'otherns.Subrecord2', subject: 'ref2', version: 1 };
/** One schema written two ways: a primitive in object form, custom property keys in another order. */
const myrecordA = JSON.stringify({
  type: 'record',
  name: 'myrecord',
  fields: [
    { type: { type: 'int' }, name: 'field0' },
    { name: 'field1', type: 'otherns.Subrecord1' },
    { name: 'field2', type: 'otherns.Subrecord2' },
  ],
  extraMetadata: { a: 1, b: 2 },
});
const myrecordB = JSON.stringify({
  type: 'record',
  name: 'myrecord',
  fields: [
    { type: 'int', name: 'field0' },
    { name: 'field1', type: 'otherns.Subrecord1' },
    { name: 'field2', type: 'otherns.Subrecord2' },
  ],
  extraMetadata: { b: 2, a: 1 },
});

describe('registry REST API, case for case with Confluent', () => {
  let log: LogBackend;
  let registry: SchemaRegistry;
  let app: FastifyInstance;

  beforeEach(async () => {
    ({ log, registry } = await memoryRegistry());
    app = buildRegistryApp(registry);
  });

  afterEach(async () => {
    await app.close();
    await registry.close();
    await log.close();
  });

  async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) {
    const res = await app.inject({
      method,
      url,
      ...(body === undefined ? {} : { payload: JSON.stringify(body), headers: { 'content-type': CT } }),
    });
    // Answers are JSON of many shapes; the tests read them field by field.
    return { status: res.statusCode, body: JSON.parse(res.body) as ReturnType<typeof JSON.parse> };
  }

  describe("the Java client's sequence", () => {
    it('should check /latest of a new subject as compatible, then register, then look up', async () => {
      // KafkaAvroSerializer with auto.register.schemas=false and the Maven plugin's test-compatibility goal.
      expect(await call('POST', '/compatibility/subjects/orders-value/versions/latest', { schema: userV1 })).toEqual({
        status: 200,
        body: { is_compatible: true },
      });
      expect(
        (await call('POST', '/compatibility/subjects/orders-value/versions/latest?verbose=true', { schema: userV1 }))
          .body,
      ).toEqual({
        is_compatible: true,
        messages: [],
      });
      expect(await call('POST', '/compatibility/subjects/orders-value/versions', { schema: userV1 })).toEqual({
        status: 200,
        body: { is_compatible: true },
      });
      expect(await call('POST', '/subjects/orders-value/versions', { schema: userV1 })).toEqual({
        status: 200,
        body: { id: 1 },
      });
      expect((await call('POST', '/subjects/orders-value', { schema: userV1 })).body).toEqual({
        subject: 'orders-value',
        version: 1,
        id: 1,
        schema: userV1,
      });
      expect(
        (await call('POST', '/compatibility/subjects/orders-value/versions/latest', { schema: userV2 })).body,
      ).toEqual({ is_compatible: true });
      expect(
        (await call('POST', '/compatibility/subjects/orders-value/versions/latest', { schema: userV3Required })).body,
      ).toEqual({ is_compatible: false });
    });
  });

  describe('compatibility', () => {
    it('should answer 40402 for a missing version and 42202 for an invalid one', async () => {
      await call('POST', '/subjects/test/versions', { schema: userV1 });
      expect(
        (await call('POST', '/compatibility/subjects/test/versions/100', { schema: userV1 })).body.error_code,
      ).toBe(40402);
      expect(
        (await call('POST', '/compatibility/subjects/test/versions/earliest', { schema: userV1 })).body.error_code,
      ).toBe(42202);
    });

    it('should answer an invalid schema with 200 and is_compatible false when verbose, 422 otherwise', async () => {
      await call('POST', '/subjects/test/versions', { schema: userV1 });
      const invalid =
        '{"namespace":"namespace","type":"record","name":"test","fields":[{"name":"string_default","type":"string","default":null}]}';
      expect((await call('POST', '/subjects/test/versions', { schema: invalid })).body.error_code).toBe(42201);
      for (const path of [
        '/compatibility/subjects/test/versions',
        '/compatibility/subjects/test/versions/latest',
        '/compatibility/subjects/new/versions/latest',
      ]) {
        const verbose = await call('POST', `${path}?verbose=true`, { schema: invalid });
        expect(verbose.status).toBe(200);
        expect(verbose.body.is_compatible).toBe(false);
        expect(verbose.body.messages[0]).toContain('Invalid schema');
        expect((await call('POST', path, { schema: invalid })).body.error_code).toBe(42201);
      }
    });

    it('should name the change type in a typed field when a schema is incompatible', async () => {
      await registry.register('users-value', { schema: userV1 });
      const result = registry.testCompatibility('users-value', { schema: userV3Required });
      expect(result.isCompatible).toBe(false);
      expect(result.issues).toEqual([
        { kind: 'READER_FIELD_MISSING_DEFAULT_VALUE', path: '/fields/2', message: expect.any(String), version: 1 },
      ]);
      const verbose = await call('POST', '/compatibility/subjects/users-value/versions?verbose=true', {
        schema: userV3Required,
      });
      expect(verbose.body.messages[0]).toContain("errorType:'READER_FIELD_MISSING_DEFAULT_VALUE'");
    });
  });

  describe('normalisation (RestApiTest.testSchemaNormalization)', () => {
    beforeEach(async () => {
      expect((await call('POST', '/subjects/ref1/versions', { schema: sub1 })).body).toEqual({ id: 1 });
      expect((await call('POST', '/subjects/ref2/versions', { schema: sub2 })).body).toEqual({ id: 2 });
      expect(
        (
          await call('POST', '/subjects/testSubject1/versions?normalize=true', {
            schema: myrecordA,
            references: [ref1, ref2],
          })
        ).body,
      ).toEqual({ id: 3 });
    });

    it('should find the version from another spelling with references in another order', async () => {
      const found = await call('POST', '/subjects/testSubject1?normalize=true', {
        schema: myrecordB,
        references: [ref2, ref1],
      });
      expect(found.body).toMatchObject({ version: 1, id: 3 });
    });

    it('should find the version from the schema with its references resolved in place', async () => {
      const resolved = JSON.stringify({
        ...JSON.parse(myrecordB),
        fields: [
          { name: 'field0', type: 'int' },
          { name: 'field1', type: JSON.parse(sub1) },
          { name: 'field2', type: JSON.parse(sub2) },
        ],
      });
      expect((await call('POST', '/subjects/testSubject1?normalize=true', { schema: resolved })).body).toMatchObject({
        version: 1,
        id: 3,
      });
      expect((await call('POST', '/subjects/testSubject1', { schema: resolved })).body).toMatchObject({
        version: 1,
        id: 3,
      });
    });

    it('should make no new version when the other spelling is registered with normalize', async () => {
      expect(
        (
          await call('POST', '/subjects/testSubject1/versions?normalize=true', {
            schema: myrecordB,
            references: [ref2, ref1],
          })
        ).body,
      ).toEqual({ id: 3 });
      expect((await call('GET', '/subjects/testSubject1/versions')).body).toEqual([1]);
      expect((await call('GET', '/subjects/testSubject1/versions/1')).body.references).toEqual([ref1, ref2]);
    });
  });

  describe('configs and modes', () => {
    it('should keep normalize when the level is changed, and normalise registrations by it', async () => {
      expect((await call('PUT', '/config/s', { normalize: true })).body).toEqual({ normalize: true });
      expect((await call('PUT', '/config/s', { compatibility: 'FULL' })).body).toEqual({ compatibility: 'FULL' });
      expect((await call('GET', '/config/s')).body).toEqual({ compatibilityLevel: 'FULL', normalize: true });
      const a = '{"type":"record","name":"R","fields":[],"x":1,"y":2}';
      const b = '{"type":"record","name":"R","fields":[],"y":2,"x":1}';
      await call('POST', '/subjects/s/versions', { schema: a });
      expect((await call('POST', '/subjects/s', { schema: b })).body.version).toBe(1);
      expect((await call('DELETE', '/config/s')).body).toEqual({ compatibilityLevel: 'FULL', normalize: true });
      expect((await call('GET', '/config/s')).body.error_code).toBe(40408);
    });

    it('should store schemas verbatim in IMPORT mode, whatever normalize says (testExplicitNormalizeIgnoredInImportMode)', async () => {
      const raw =
        '{"type":"record","name":"myrecord","fields":[{"type":"string","name":"field1","zprop":"z","aprop":"a"}]}';
      await call('PUT', '/config/s', { normalize: true });
      await call('PUT', '/mode/s', { mode: 'IMPORT' });
      expect(
        (await call('POST', '/subjects/s/versions?normalize=true', { schema: raw, id: 1, version: 1 })).body,
      ).toEqual({ id: 1 });
      expect((await call('GET', '/subjects/s/versions/1')).body.schema).toBe(raw);
      await call('PUT', '/mode/t', { mode: 'READWRITE' });
      await call('PUT', '/config/t', { normalize: true });
      await call('POST', '/subjects/t/versions', { schema: raw });
      expect(JSON.parse((await call('GET', '/subjects/t/versions/1')).body.schema).fields[0]).toEqual({
        name: 'field1',
        type: 'string',
        order: 'ascending',
        aprop: 'a',
        zprop: 'z',
      });
    });

    it('should remove the config and mode of a subject when its last version is hard-deleted', async () => {
      await call('POST', '/subjects/s/versions', { schema: userV1 });
      await call('PUT', '/config/s', { compatibility: 'NONE' });
      await call('PUT', '/mode/s', { mode: 'READWRITE' });
      await call('DELETE', '/subjects/s/versions/1');
      expect((await call('GET', '/config/s')).body).toEqual({ compatibilityLevel: 'NONE' });
      await call('DELETE', '/subjects/s/versions/1?permanent=true');
      expect((await call('GET', '/config/s')).body.error_code).toBe(40408);
      expect((await call('GET', '/mode/s')).body.error_code).toBe(40409);
    });

    it('should refuse writes in READONLY_OVERRIDE mode', async () => {
      await call('POST', '/subjects/s/versions', { schema: userV1 });
      expect((await call('PUT', '/mode', { mode: 'READONLY_OVERRIDE' })).body).toEqual({ mode: 'READONLY_OVERRIDE' });
      expect((await call('GET', '/mode')).body).toEqual({ mode: 'READONLY_OVERRIDE' });
      expect((await call('POST', '/subjects/s/versions', { schema: userV2 })).body.error_code).toBe(42205);
      expect((await call('DELETE', '/subjects/s')).body.error_code).toBe(42205);
      expect((await call('POST', '/subjects/s', { schema: userV1 })).body.version).toBe(1);
    });

    it('should create a new version for the same schema and id in IMPORT mode (testImportSameSchemaDifferentVersion)', async () => {
      await call('PUT', '/mode', { mode: 'IMPORT' });
      expect((await call('POST', '/subjects/subject1/versions', { schema: userV1, version: 1, id: 1 })).body).toEqual({
        id: 1,
      });
      expect((await call('POST', '/subjects/subject1/versions', { schema: userV1, version: 2, id: 1 })).body).toEqual({
        id: 1,
      });
      expect((await call('POST', '/subjects/subject1/versions', { schema: userV1, version: 1, id: 1 })).body).toEqual({
        id: 1,
      });
      expect((await call('GET', '/subjects/subject1/versions')).body).toEqual([1, 2]);
    });
  });

  describe('listings and metadata', () => {
    beforeEach(async () => {
      for (const subject of ['a', 'b', 'c']) await call('POST', `/subjects/${subject}/versions`, { schema: userV1 });
      await call('POST', '/subjects/a/versions', { schema: userV2 });
      await call('DELETE', '/subjects/b');
      await call('DELETE', '/subjects/a/versions/1');
    });

    it('should list soft-deleted subjects and versions only with deletedOnly', async () => {
      expect((await call('GET', '/subjects?deletedOnly=true')).body).toEqual(['b']);
      expect((await call('GET', '/subjects/a/versions?deletedOnly=true')).body).toEqual([1]);
      expect((await call('GET', '/subjects/b/versions?deletedOnly=true')).body).toEqual([1]);
      expect((await call('GET', '/subjects/c/versions?deletedOnly=true')).body).toEqual([]);
    });

    it('should page /subjects and /versions with offset and limit', async () => {
      expect((await call('GET', '/subjects?deleted=true&offset=1&limit=1')).body).toEqual(['b']);
      expect((await call('GET', '/subjects?offset=1')).body).toEqual(['c']);
      expect((await call('GET', '/subjects/a/versions?deleted=true&limit=1')).body).toEqual([1]);
      expect((await call('GET', '/subjects/a/versions?deleted=true&offset=1&limit=5')).body).toEqual([2]);
    });

    it('should add maxId to a schema by id when fetchMaxId is asked (testGetSchemaWithFetchMaxId)', async () => {
      expect((await call('GET', '/schemas/ids/1')).body.maxId).toBeUndefined();
      expect((await call('GET', '/schemas/ids/1?fetchMaxId=true')).body).toMatchObject({ schema: userV1, maxId: 2 });
    });

    it('should answer /contexts, /v1/metadata/id and /v1/metadata/version as Confluent does', async () => {
      expect((await call('GET', '/contexts')).body).toEqual(['.']);
      const id = (await call('GET', '/v1/metadata/id')).body;
      expect(id).toEqual({
        id: '',
        scope: {
          path: [],
          clusters: { 'kafka-cluster': expect.any(String), 'schema-registry-cluster': expect.any(String) },
        },
      });
      expect((await call('GET', '/v1/metadata/version')).body).toEqual({
        version: expect.stringMatching(/^\d+\.\d+\.\d+/),
        commitId: expect.any(String),
      });
    });
  });
});
