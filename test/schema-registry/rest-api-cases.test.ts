/**
 * Confluent Schema Registry's RestApiTest, case by case over REST (contexts, data contracts, guids and
 * DEK cases left out: see docs/schema-registry.md). As in Confluent's test instance, the global level
 * starts at NONE, so unrelated schemas register one after another.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogBackend } from '../../src/index.ts';
import type { SchemaRegistry } from '../../schema-registry/registry.ts';
import { buildRegistryApp } from '../../schema-registry/server.ts';
import { memoryRegistry } from './helpers.ts';

const CT = 'application/vnd.schemaregistry.v1+json';

/** n distinct Avro records, as Confluent's getRandomCanonicalAvroString gives them. */
const avroSchemas = (n: number, from = 0): string[] =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({ type: 'record', name: 'myrecord', fields: [{ type: 'string', name: `f${from + i}` }] }),
  );

const record = (fields: object[]) => JSON.stringify({ type: 'record', name: 'myrecord', fields });

describe("Confluent's RestApiTest", () => {
  let log: LogBackend;
  let registry: SchemaRegistry;
  let app: FastifyInstance;

  beforeEach(async () => {
    ({ log, registry } = await memoryRegistry());
    app = buildRegistryApp(registry);
    expect((await call('PUT', '/config', { compatibility: 'NONE' })).status).toBe(200);
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
    const text = res.body;
    // Answers are JSON of many shapes (or the bare schema text); the tests read them field by field.
    let parsed: ReturnType<typeof JSON.parse>;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: res.statusCode, body: parsed };
  }

  const register = async (subject: string, schema: string, extra: object = {}) =>
    call('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema, ...extra });
  const errorCode = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) =>
    (await call(method, url, body)).body.error_code;

  it('testBasic: versions, ids, re-registration, listings and latest schemas of two subjects', async () => {
    expect(await errorCode('GET', '/subjects/testTopic1/versions')).toBe(40401);
    expect((await call('GET', '/subjects')).body).toEqual([]);
    const one = avroSchemas(10);
    const two = avroSchemas(5, 10);
    for (const [i, schema] of one.entries()) expect((await register('testTopic1', schema)).body).toEqual({ id: i + 1 });
    for (const [i, schema] of one.entries()) expect((await register('testTopic1', schema)).body).toEqual({ id: i + 1 });
    for (const [i, schema] of two.entries())
      expect((await register('testTopic2', schema)).body).toEqual({ id: 11 + i });
    expect((await call('GET', '/subjects/testTopic1/versions')).body).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await call('GET', '/subjects/testTopic2/versions')).body).toEqual([1, 2, 3, 4, 5]);
    expect((await call('GET', '/subjects')).body).toEqual(['testTopic1', 'testTopic2']);
    expect((await call('GET', '/subjects?offset=0&limit=1')).body).toEqual(['testTopic1']);
    expect((await call('GET', '/subjects?offset=1&limit=1')).body).toEqual(['testTopic2']);
    const latest = (await call('GET', '/schemas?latestOnly=true')).body as { version: number }[];
    expect(latest.map((s) => s.version)).toEqual([10, 5]);
    expect((await call('GET', '/contexts')).body).toEqual(['.']);
  });

  it('testRegisterSameSchemaOnDifferentSubject: one id for both subjects', async () => {
    const [schema] = avroSchemas(1);
    expect((await register('subject1', schema!)).body).toEqual({ id: 1 });
    expect((await register('subject2', schema!)).body).toEqual({ id: 1 });
  });

  it('testRegisterBadDefault: a null default for a string is 42201 on check and register', async () => {
    const schema = record([{ type: 'string', default: null, name: 'f' }]);
    expect(await errorCode('POST', '/compatibility/subjects/testSubject/versions/latest', { schema })).toBe(42201);
    expect(await errorCode('POST', '/subjects/testSubject/versions', { schema })).toBe(42201);
  });

  it('testRegisterInvalidSchemaBadType: an unknown field type is 42201 naming the type', async () => {
    const res = await register('testSubject', record([{ type: 'str', name: 'field1' }]));
    expect(res.status).toBe(422);
    expect(res.body.error_code).toBe(42201);
    expect(res.body.message).toContain('str');
  });

  it('testRegisterInvalidSchemaBadReference / testBad: a reference to a missing subject is 42201', async () => {
    const schema = record([{ type: 'string', name: 'field1' }]);
    const references = [{ name: 'invalid.schema', subject: 'badSubject', version: 1 }];
    expect((await register('testSubject', schema, { references })).body.error_code).toBe(42201);
    expect((await register('testTopic1', '{"type":"record","name":')).body.error_code).toBe(42201);
    const bad = [{ name: 'bad', subject: 'bad', version: 100 }];
    expect((await register('testTopic1', schema, { references: bad })).body.error_code).toBe(42201);
    expect((await call('GET', '/subjects')).body).toEqual([]);
  });

  it('testRegisterDiffSchemaType: Avro, JSON and Protobuf under one subject at NONE', async () => {
    await call('PUT', '/config/testSubject', { compatibility: 'NONE' });
    const json = '{"type":"object","properties":{"f1":{"type":"string"}}}';
    const proto = 'syntax = "proto3";\nmessage MyRecord {\n  string f1 = 1;\n}\n';
    expect((await register('testSubject', avroSchemas(1)[0]!)).body).toEqual({ id: 1 });
    const check = (schema: string, schemaType: string) =>
      call('POST', '/compatibility/subjects/testSubject/versions/latest', { schema, schemaType });
    expect((await check(json, 'JSON')).body).toEqual({ is_compatible: true });
    expect((await register('testSubject', json, { schemaType: 'JSON' })).body).toEqual({ id: 2 });
    expect((await check(proto, 'PROTOBUF')).body).toEqual({ is_compatible: true });
    expect((await register('testSubject', proto, { schemaType: 'PROTOBUF' })).body).toEqual({ id: 3 });
  });

  it('testImportDifferentSchemaOnSameID: another schema under an id already given is 42205', async () => {
    const schema1 = record([{ type: 'string', name: 'field1' }]);
    const schema2 = record([
      { type: 'string', name: 'field1' },
      { type: 'int', name: 'field2', default: 0 },
    ]);
    expect((await call('PUT', '/mode', { mode: 'IMPORT' })).status).toBe(200);
    expect((await register('subject1', schema1, { version: 1, id: 1 })).body).toEqual({ id: 1 });
    expect((await register('subject1', schema2, { version: 2, id: 1 })).body.error_code).toBe(42205);
    expect((await register('subject1', schema1, { version: 1, id: 1 })).body).toEqual({ id: 1 });
    expect((await register('subject2', schema2, { version: 1, id: 1 })).body.error_code).toBe(42205);
  });

  it('testCompatibleSchemaLookupBySubject: checking creates no version', async () => {
    const schemas = avroSchemas(10);
    await call('PUT', '/config/testSubject', { compatibility: 'NONE' });
    await register('testSubject', schemas[0]!);
    for (const schema of schemas) {
      expect((await call('POST', '/compatibility/subjects/testSubject/versions/latest', { schema })).status).toBe(200);
      expect((await call('GET', '/subjects/testSubject/versions')).body).toEqual([1]);
    }
  });

  it('testIncompatibleSchemaLookupBySubject: string to int under FULL is incompatible with that version', async () => {
    const schema1 = record([{ type: 'string', name: 'f' }]);
    const schema2 = record([{ type: 'int', name: 'f' }]);
    await call('PUT', '/config/testSubject', { compatibility: 'FULL' });
    await register('testSubject', schema1);
    const { version } = (await call('POST', '/subjects/testSubject', { schema: schema1 })).body;
    expect(
      (await call('POST', `/compatibility/subjects/testSubject/versions/${version}`, { schema: schema2 })).body,
    ).toEqual({ is_compatible: false });
  });

  it('testIncompatibleSchemaBySubject: compatible with latest, not with all under FORWARD_TRANSITIVE', async () => {
    const schema1 = record([
      { type: 'string', name: 'f1' },
      { type: 'string', name: 'f2' },
    ]);
    const schema2 = record([{ type: 'string', name: 'f1' }]);
    const schema3 = record([
      { type: 'string', name: 'f1' },
      { type: 'string', name: 'f3' },
    ]);
    await register('testSubject', schema1);
    await register('testSubject', schema2);
    await call('PUT', '/config/testSubject', { compatibility: 'FORWARD_TRANSITIVE' });
    const check = (url: string) => call('POST', url, { schema: schema3 });
    expect((await check('/compatibility/subjects/testSubject/versions/latest')).body).toEqual({ is_compatible: true });
    expect((await check('/compatibility/subjects/testSubject/versions')).body).toEqual({ is_compatible: false });
    const refused = await register('testSubject', schema3);
    expect(refused.status).toBe(409);
    expect(refused.body.error_code).toBe(409);
    for (const part of ['oldSchemaVersion:', 'oldSchema:', 'compatibility:'])
      expect(refused.body.message).toContain(part);
  });

  it('testBadFormat: an unknown format answers the schema as registered', async () => {
    const schema = record([{ type: 'string', name: 'f' }]);
    await register('testSubject', schema);
    expect((await call('GET', '/schemas/ids/1?format=bad-format')).body.schema).toBe(schema);
  });

  it('testSchemaRegistrationUnderDiffSubjects: a schema of subject1 is version 1 of subject2, same id', async () => {
    const schema1 = record([{ type: 'string', name: 'f' }]);
    const schema2 = record([{ type: 'int', name: 'foo' }]);
    await call('PUT', '/config/testSubject1', { compatibility: 'NONE' });
    await call('PUT', '/config/testSubject2', { compatibility: 'NONE' });
    expect((await register('testSubject1', schema1)).body).toEqual({ id: 1 });
    expect((await call('POST', '/subjects/testSubject1', { schema: schema1 })).body.version).toBe(1);
    expect((await register('testSubject1', schema2)).body).toEqual({ id: 2 });
    expect((await call('POST', '/subjects/testSubject1', { schema: schema2 })).body.version).toBe(2);
    expect((await register('testSubject2', schema2)).body).toEqual({ id: 2 });
    expect((await call('POST', '/subjects/testSubject2', { schema: schema2 })).body.version).toBe(1);
  });

  it('testConfigDefaults, testGlobalConfigChange: the global level changes and reverts on delete', async () => {
    expect((await call('GET', '/config')).body.compatibilityLevel).toBe('NONE');
    await call('PUT', '/config', { compatibility: 'FORWARD' });
    expect((await call('GET', '/config')).body.compatibilityLevel).toBe('FORWARD');
    await call('PUT', '/config', { compatibility: 'BACKWARD' });
    expect((await call('GET', '/config')).body.compatibilityLevel).toBe('BACKWARD');
    // Confluent's test instance reverts to its configured default (NONE); Tributary's default is BACKWARD.
    expect((await call('DELETE', '/config')).body.compatibilityLevel).toBe('BACKWARD');
    expect((await call('GET', '/config')).body.compatibilityLevel).toBe('BACKWARD');
  });

  it('testNonExistentSubjectConfigChange, testSubjectConfigChange: a subject level of its own', async () => {
    expect((await call('PUT', '/config/testSubject', { compatibility: 'FORWARD' })).status).toBe(200);
    expect((await call('GET', '/config/testSubject')).body.compatibilityLevel).toBe('FORWARD');
    expect((await call('GET', '/config')).body.compatibilityLevel).toBe('NONE');
    await call('DELETE', '/config/testSubject');
    expect((await call('GET', '/config/testSubject?defaultToGlobal=true')).body.compatibilityLevel).toBe('NONE');
  });

  it('testGetConfigNonExistentSubject: a subject without a level of its own is 40408', async () => {
    expect(await errorCode('GET', '/config/non-existent-subject')).toBe(40408);
  });

  it('testGetSchemaNonExistingId, testGetSchemaWithFetchMaxId, testGetSchemaTypes', async () => {
    expect(await errorCode('GET', '/schemas/ids/100')).toBe(40403);
    for (const schema of avroSchemas(3)) await register('subject', schema);
    expect((await call('GET', '/schemas/ids/1')).body.maxId).toBeUndefined();
    expect((await call('GET', '/schemas/ids/1?fetchMaxId=true')).body.maxId).toBe(3);
    expect(new Set((await call('GET', '/schemas/types')).body)).toEqual(new Set(['AVRO', 'JSON', 'PROTOBUF']));
  });

  it('testListVersionsNonExistingSubject, testGetVersionNonExistentSubject, testGetLatestVersionNonExistentSubject', async () => {
    expect(await errorCode('GET', '/subjects/Invalid/versions')).toBe(40401);
    expect(await errorCode('GET', '/subjects/non-existing-subject/versions/1')).toBe(40401);
    expect(await errorCode('GET', '/subjects/non_existent_subject/versions/latest')).toBe(40401);
  });

  it('testGetNonExistingVersion, testGetInvalidVersion: 40402 and 42202', async () => {
    await register('test', avroSchemas(1)[0]!);
    expect(await errorCode('GET', '/subjects/test/versions/200')).toBe(40402);
    expect(await errorCode('GET', '/subjects/test/versions/0')).toBe(42202);
  });

  it('testRegisterInvalidSubject: control characters in a subject are 42208', async () => {
    expect((await register('\rbad\nsubject\t', avroSchemas(1)[0]!)).body.error_code).toBe(42208);
  });

  it('testRegisterSchemaWithWildcardSubjectAllowedByDefault: "*" is a subject', async () => {
    expect((await register('*', avroSchemas(1)[0]!)).body).toEqual({ id: 1 });
  });

  it('testGetVersion, testGetOnlySchemaById, testGetLatestVersionSchemaOnly, testGetVersionSchemaOnly', async () => {
    const [a, b] = avroSchemas(2);
    await register('test', a!);
    await register('test', b!);
    expect((await call('GET', '/subjects/test/versions/1')).body.schema).toBe(a);
    expect((await call('GET', '/subjects/test/versions/2')).body.schema).toBe(b);
    expect((await call('GET', '/subjects/test/versions/latest')).body.schema).toBe(b);
    expect((await call('GET', '/schemas/ids/1/schema')).body).toEqual(JSON.parse(a!));
    expect((await call('GET', '/subjects/test/versions/latest/schema')).body).toEqual(JSON.parse(b!));
    expect((await call('GET', '/subjects/test/versions/1/schema')).body).toEqual(JSON.parse(a!));
  });

  it('testLookUpSchemaUnderNonExistentSubject, testLookUpNonExistentSchemaUnderSubject: 40401 and 40403', async () => {
    const [a, b] = avroSchemas(2);
    expect(await errorCode('POST', '/subjects/non-existent-subject', { schema: a })).toBe(40401);
    await register('test', a!);
    expect(await errorCode('POST', '/subjects/test', { schema: b })).toBe(40403);
  });

  it('testGetSubjectsAssociatedWithSchemaId, testGetVersionsAssociatedWithSchemaId, with deleted and paging', async () => {
    const [schema] = avroSchemas(1);
    expect(await errorCode('GET', '/schemas/ids/1/subjects')).toBe(40403);
    await register('testTopic1', schema!);
    await register('testTopic2', schema!);
    expect(new Set((await call('GET', '/schemas/ids/1/subjects')).body)).toEqual(new Set(['testTopic1', 'testTopic2']));
    expect((await call('GET', '/schemas/ids/1/versions')).body).toEqual(
      expect.arrayContaining([
        { subject: 'testTopic1', version: 1 },
        { subject: 'testTopic2', version: 1 },
      ]),
    );
    expect((await call('DELETE', '/subjects/testTopic2/versions/1')).body).toBe(1);
    expect((await call('GET', '/schemas/ids/1/subjects')).body).toEqual(['testTopic1']);
    expect((await call('GET', '/schemas/ids/1/versions')).body).toEqual([{ subject: 'testTopic1', version: 1 }]);
    expect((await call('GET', '/schemas/ids/1/subjects?offset=1&limit=1')).body).toEqual([]);
    expect((await call('GET', '/schemas/ids/1/versions?offset=1&limit=1')).body).toEqual([]);
    expect(new Set((await call('GET', '/schemas/ids/1/subjects?deleted=true')).body)).toEqual(
      new Set(['testTopic1', 'testTopic2']),
    );
    expect((await call('GET', '/schemas/ids/1/versions?deleted=true')).body).toHaveLength(2);
    expect((await call('GET', '/schemas/ids/1/subjects?deleted=true&offset=0&limit=1')).body).toHaveLength(1);
    expect((await call('GET', '/schemas/ids/1/versions?deleted=true&offset=1&limit=1')).body).toHaveLength(1);
  });

  it('testCompatibilityNonExistentSubject, testCompatibilityNonExistentVersion, testCompatibilityInvalidVersion', async () => {
    const [schema] = avroSchemas(1);
    for (const url of ['versions/latest', 'versions']) {
      expect((await call('POST', `/compatibility/subjects/non-existent-subject/${url}`, { schema })).body).toEqual({
        is_compatible: true,
      });
    }
    await register('test', schema!);
    expect(await errorCode('POST', '/compatibility/subjects/test/versions/100', { schema })).toBe(40402);
    expect(await errorCode('POST', '/compatibility/subjects/test/versions/earliest', { schema })).toBe(42202);
  });

  it('testCanonicalization: whitespace does not make another schema', async () => {
    const schema = '{   "type":   "string"}';
    expect((await register('test', schema)).body).toEqual({ id: 1 });
    expect((await register('test', schema)).body).toEqual({ id: 1 });
    expect((await call('POST', '/subjects/test', { schema })).body.id).toBe(1);
  });

  describe('deletes', () => {
    it('testDeleteSchemaVersionBasic: soft delete hides a version; versions continue after it', async () => {
      const [a, b] = avroSchemas(2);
      await register('test', a!);
      await register('test', b!);
      expect((await call('DELETE', '/subjects/test/versions/2')).body).toBe(2);
      expect((await call('GET', '/subjects/test/versions')).body).toEqual([1]);
      const deleted = (await call('GET', '/subjects/test/versions/2?deleted=true')).body;
      expect(deleted.version).toBe(2);
      expect(await errorCode('GET', '/subjects/test/versions/2')).toBe(40402);
      expect(await errorCode('POST', '/subjects/test', { schema: b })).toBe(40403);
      expect((await call('DELETE', '/subjects/test/versions/latest')).body).toBe(1);
      expect(await errorCode('GET', '/subjects/test/versions')).toBe(40401);
      for (let i = 0; i < 2; i++) {
        expect((await register('test', a!)).body).toEqual({ id: 1 });
        expect((await call('GET', '/subjects/test/versions')).body).toEqual([3]);
      }
    });

    it('testDeleteSchemaVersionPermanent: hard delete only after a soft one, then gone for good', async () => {
      const [a, b] = avroSchemas(2);
      await register('test', a!);
      await register('test', b!);
      expect(await errorCode('DELETE', '/subjects/test/versions/2?permanent=true')).toBe(40407);
      expect((await call('DELETE', '/subjects/test/versions/2')).body).toBe(2);
      expect((await call('GET', '/subjects/test/versions')).body).toEqual([1]);
      expect((await call('GET', '/subjects/test/versions?deleted=true')).body).toEqual([1, 2]);
      expect((await call('GET', '/subjects/test/versions?deleted=true&offset=0&limit=1')).body).toEqual([1]);
      expect(await errorCode('DELETE', '/subjects/test/versions/2')).toBe(40406);
      expect(await errorCode('GET', '/subjects/test/versions/2')).toBe(40402);
      expect((await call('GET', '/subjects/test/versions/2?deleted=true')).body.version).toBe(2);
      expect(await errorCode('POST', '/subjects/test', { schema: b })).toBe(40403);
      expect((await call('DELETE', '/subjects/test/versions/2?permanent=true')).body).toBe(2);
      expect(await errorCode('GET', '/subjects/test/versions/2?deleted=true')).toBe(40402);
      expect(await errorCode('DELETE', '/subjects/test/versions/2?permanent=true')).toBe(40402);
      expect((await call('DELETE', '/subjects/test/versions/latest')).body).toBe(1);
      expect(await errorCode('GET', '/subjects/test/versions')).toBe(40401);
      for (let i = 0; i < 2; i++) {
        expect((await register('test', a!)).body).toEqual({ id: 1 });
        expect((await call('GET', '/subjects/test/versions')).body).toEqual([2]);
      }
    });

    it('testDeleteSchemaVersionInvalidSubject, testDeleteInvalidVersion: 40401 and 40402', async () => {
      expect(await errorCode('DELETE', '/subjects/test/versions/1')).toBe(40401);
      await register('test', avroSchemas(1)[0]!);
      expect(await errorCode('DELETE', '/subjects/test/versions/2')).toBe(40402);
    });

    it('testDeleteLatestVersion, testGetLatestVersionDeleteOlder: latest follows deletes', async () => {
      const [a, b, c] = avroSchemas(3);
      await register('test', a!);
      await register('test', b!);
      expect((await call('DELETE', '/subjects/test/versions/1')).body).toBe(1);
      expect((await call('GET', '/subjects/test/versions/latest')).body.schema).toBe(b);
      await register('other', a!);
      await register('other', b!);
      expect((await call('DELETE', '/subjects/other/versions/latest')).body).toBe(2);
      expect((await call('GET', '/subjects/other/versions/latest')).body.schema).toBe(a);
      expect((await call('DELETE', '/subjects/other/versions/latest')).body).toBe(1);
      expect(await errorCode('GET', '/subjects/other/versions/latest')).toBe(40401);
      expect((await register('other', c!)).body).toEqual({ id: 3 });
      expect((await call('GET', '/subjects/other/versions/latest')).body.schema).toBe(c);
    });

    it('testDeleteWithLookup: a lookup finds a soft-deleted version only with deleted=true', async () => {
      const [a, b] = avroSchemas(2);
      await register('test', a!);
      await register('test', b!);
      expect((await call('DELETE', '/subjects/test/versions/1')).body).toBe(1);
      expect(await errorCode('POST', '/subjects/test', { schema: a })).toBe(40403);
      expect((await call('POST', '/subjects/test?deleted=true', { schema: a })).body.version).toBe(1);
      expect((await register('test', a!)).body).toEqual({ id: 1 });
      expect((await call('POST', '/subjects/test?deleted=true', { schema: a })).body.version).toBe(3);
      expect((await call('POST', '/subjects/test?deleted=false', { schema: a })).body.version).toBe(3);
      expect((await call('POST', '/subjects/test', { schema: a })).body.version).toBe(3);
    });

    it('testIncompatibleSchemaLookupBySubjectAfterDelete: a deleted version is not checked against', async () => {
      const schema1 = record([{ type: 'string', name: 'f' }]);
      const wrong2 = record([
        { type: 'string', name: 'f' },
        { type: 'string', name: 'g', default: 'd' },
      ]);
      const correct2 = record([
        { type: 'string', name: 'f' },
        { type: 'int', name: 'g', default: 0 },
      ]);
      await call('PUT', '/config/testSubject', { compatibility: 'BACKWARD' });
      await register('testSubject', schema1);
      const check = (schema: string) => call('POST', '/compatibility/subjects/testSubject/versions/latest', { schema });
      expect((await check(wrong2)).body).toEqual({ is_compatible: true });
      await register('testSubject', wrong2);
      expect((await check(correct2)).body).toEqual({ is_compatible: false });
      expect((await register('testSubject', correct2)).body.error_code).toBe(409);
      await call('DELETE', '/subjects/testSubject/versions/latest');
      expect((await check(correct2)).body).toEqual({ is_compatible: true });
      await register('testSubject', correct2);
      expect((await call('POST', '/subjects/testSubject', { schema: correct2 })).body.version).toBe(3);
    });

    it('testSubjectCompatibilityAfterDeletingAllVersions / AfterDeletingSubject: the global level stays', async () => {
      const schema1 = record([{ type: 'string', name: 'f' }]);
      const schema2 = record([
        { type: 'string', name: 'f' },
        { type: 'string', name: 'g', default: 'd' },
      ]);
      await call('PUT', '/config', { compatibility: 'FULL' });
      await call('PUT', '/config/testSubject', { compatibility: 'BACKWARD' });
      await register('testSubject', schema1);
      await register('testSubject', schema2);
      await call('DELETE', '/subjects/testSubject/versions/1');
      expect((await call('GET', '/config/testSubject')).body.compatibilityLevel).toBe('BACKWARD');
      expect((await call('GET', '/config')).body.compatibilityLevel).toBe('FULL');
      await call('DELETE', '/subjects/testSubject/versions/2');
      // Confluent's test accepts the subject level either kept or gone after soft deletes; its code
      // removes it only with a hard delete, and so does Tributary.
      expect((await call('GET', '/config/testSubject')).body.compatibilityLevel).toBe('BACKWARD');
      expect((await call('GET', '/config')).body.compatibilityLevel).toBe('FULL');
      await call('DELETE', '/subjects/testSubject?permanent=true');
      expect(await errorCode('GET', '/config/testSubject')).toBe(40408);
      expect((await call('GET', '/config')).body.compatibilityLevel).toBe('FULL');
    });

    it('testListSubjects, testListSoftDeletedSubjectsAndSchemas: deleted and deletedOnly listings', async () => {
      const [a, b, c] = avroSchemas(3);
      await register('test1', a!);
      await register('test2', b!);
      expect((await call('GET', '/subjects')).body).toEqual(['test1', 'test2']);
      expect((await call('DELETE', '/subjects/test2')).body).toEqual([1]);
      expect((await call('GET', '/subjects')).body).toEqual(['test1']);
      expect((await call('GET', '/subjects?deleted=true')).body).toEqual(['test1', 'test2']);
      expect((await call('DELETE', '/subjects/test2?permanent=true')).body).toEqual([1]);
      expect((await call('GET', '/subjects?deleted=true')).body).toEqual(['test1']);

      await register('test1', c!);
      await register('test3', b!);
      expect((await call('DELETE', '/subjects/test1/versions/1')).body).toBe(1);
      expect((await call('DELETE', '/subjects/test3/versions/1')).body).toBe(1);
      expect((await call('GET', '/subjects/test1/versions')).body).toEqual([2]);
      expect((await call('GET', '/subjects/test1/versions?deleted=true')).body).toEqual([1, 2]);
      expect((await call('GET', '/subjects/test1/versions?deletedOnly=true')).body).toEqual([1]);
      expect((await call('GET', '/subjects')).body).toEqual(['test1']);
      expect((await call('GET', '/subjects?deleted=true')).body).toEqual(['test1', 'test3']);
      expect((await call('GET', '/subjects?deletedOnly=true')).body).toEqual(['test3']);
    });

    it('testDeleteSubjectBasic, testDeleteSubjectException, testDeleteNonExistentSubject', async () => {
      const [a, b] = avroSchemas(2);
      expect(await errorCode('DELETE', '/subjects/never-registered-subject')).toBe(40401);
      expect(await errorCode('DELETE', '/subjects/never-registered-subject?permanent=true')).toBe(40401);
      await register('test', a!);
      await register('test', b!);
      expect((await call('DELETE', '/subjects/test')).body).toEqual([1, 2]);
      expect(await errorCode('GET', '/subjects/test/versions/latest')).toBe(40401);
      expect((await call('POST', '/subjects/test?deleted=true', { schema: a })).body.version).toBe(1);
      expect((await call('POST', '/subjects/test?deleted=true', { schema: b })).body.version).toBe(2);
      expect(await errorCode('DELETE', '/subjects/test')).toBe(40404);
    });

    it('testDeleteSubjectPermanent: only after a soft delete; then no lookup finds it', async () => {
      const [a, b] = avroSchemas(2);
      await register('test', a!);
      await register('test', b!);
      expect(await errorCode('DELETE', '/subjects/test?permanent=true')).toBe(40405);
      expect((await call('DELETE', '/subjects/test')).body).toEqual([1, 2]);
      expect((await call('POST', '/subjects/test?deleted=true', { schema: a })).body.version).toBe(1);
      expect((await call('DELETE', '/subjects/test?permanent=true')).body).toEqual([1, 2]);
      expect(await errorCode('POST', '/subjects/test', { schema: a })).toBe(40401);
      expect(await errorCode('POST', '/subjects/test?deleted=true', { schema: b })).toBe(40401);
    });

    it('testDeleteSubjectAndRegister: versions continue after a soft-deleted subject', async () => {
      const [a, b] = avroSchemas(2);
      await register('test', a!);
      await register('test', b!);
      await call('DELETE', '/subjects/test');
      expect((await register('test', a!)).body).toEqual({ id: 1 });
      expect((await register('test', b!)).body).toEqual({ id: 2 });
      expect((await call('GET', '/subjects/test/versions')).body).toEqual([3, 4]);
      expect(await errorCode('GET', '/subjects/test/versions/1')).toBe(40402);
    });
  });

  describe('metadata and modes', () => {
    it('testGetClusterId, testGetSchemaRegistryServerVersion', async () => {
      const id = (await call('GET', '/v1/metadata/id')).body;
      expect(id.scope.path).toEqual([]);
      expect(id.scope.clusters).toBeDefined();
      const version = (await call('GET', '/v1/metadata/version')).body;
      expect(typeof version.version).toBe('string');
      expect(typeof version.commitId).toBe('string');
    });

    it('testHttpResponseHeaders: answers are the registry media type', async () => {
      const res = await app.inject({ method: 'GET', url: '/v1/metadata/id' });
      expect(res.headers['content-type']).toContain('application/vnd.schemaregistry.v1+json');
    });

    it('testGlobalMode: subject modes, defaultToGlobal, READONLY_OVERRIDE refusing writes', async () => {
      expect((await call('GET', '/mode')).body).toEqual({ mode: 'READWRITE' });
      const [schema] = avroSchemas(1);
      await register('testSubject', schema!);
      expect(await errorCode('GET', '/mode/testSubject')).toBe(40409);
      expect((await call('GET', '/mode/testSubject?defaultToGlobal=true')).body).toEqual({ mode: 'READWRITE' });
      await call('PUT', '/mode', { mode: 'READONLY' });
      await call('PUT', '/mode/testSubject', { mode: 'READWRITE' });
      expect((await call('GET', '/mode/testSubject')).body).toEqual({ mode: 'READWRITE' });
      await call('DELETE', '/mode/testSubject');
      expect((await call('GET', '/mode/testSubject?defaultToGlobal=true')).body).toEqual({ mode: 'READONLY' });
      await call('PUT', '/mode', { mode: 'READONLY_OVERRIDE' });
      expect((await call('GET', '/mode/testSubject?defaultToGlobal=true')).body).toEqual({
        mode: 'READONLY_OVERRIDE',
      });
      expect((await register('testSubject2', schema!)).body.error_code).toBe(42205);
    });

    it('testRegisterWithAndWithoutMetadata, testRegisterDropsRuleSet: metadata and ruleSet are accepted', async () => {
      const schema = record([{ type: 'string', name: 'f1' }]);
      const metadata = { properties: { 'application.version': '2' } };
      expect((await register('testSubject', schema, { metadata })).status).toBe(200);
      expect((await register('testSubject', schema, { ruleSet: { domainRules: [] } })).status).toBe(200);
    });
  });

  describe('references', () => {
    const currency = JSON.stringify({
      type: 'enum',
      name: 'Currency',
      namespace: 'myavro.currencies',
      symbols: ['EUR', 'USD'],
    });
    const budget = (name: string, last: string) =>
      JSON.stringify({
        type: 'record',
        name,
        namespace: 'myavro',
        fields: [
          { name: 'buyerId', type: 'long' },
          { name: 'currency', type: { type: 'myavro.currencies.Currency' } },
          { name: last, type: 'double' },
        ],
      });
    const currencyRef = [{ name: 'myavro.currencies.Currency', subject: 'shared', version: 1 }];

    it('testSchemaReferencesMultipleLevels: a union root over two records sharing an enum', async () => {
      expect((await register('shared', currency)).body).toEqual({ id: 1 });
      expect((await register('ref1', budget('BudgetDecreased', 'amount'), { references: currencyRef })).body).toEqual({
        id: 2,
      });
      expect(
        (await register('ref2', budget('BudgetUpdated', 'updatedValue'), { references: currencyRef })).body,
      ).toEqual({ id: 3 });
      const root = '["myavro.BudgetDecreased","myavro.BudgetUpdated"]';
      const references = [
        { name: 'myavro.BudgetDecreased', subject: 'ref1', version: 1 },
        { name: 'myavro.BudgetUpdated', subject: 'ref2', version: 1 },
      ];
      expect((await register('root', root, { references })).body).toEqual({ id: 4 });
      const byId = (await call('GET', '/schemas/ids/4')).body;
      expect(byId.schema).toBe(root);
      expect(byId.references).toEqual(references);
      const resolved = JSON.parse((await call('GET', '/schemas/ids/4?subject=root&format=resolved')).body.schema);
      expect(resolved.map((r: { name: string }) => r.name)).toEqual(['myavro.BudgetDecreased', 'myavro.BudgetUpdated']);
      expect((await call('DELETE', '/subjects/root/versions/1')).status).toBe(200);
      expect((await call('DELETE', '/subjects/ref1/versions/1')).status).toBe(200);
      // The soft-deleted root still references ref1: a hard delete of ref1 must wait for root's.
      expect(await errorCode('DELETE', '/subjects/ref1/versions/1?permanent=true')).toBe(42206);
      expect((await call('DELETE', '/subjects/root/versions/1?permanent=true')).status).toBe(200);
      expect((await call('DELETE', '/subjects/ref1/versions/1?permanent=true')).status).toBe(200);
    });

    it('testSchemaMissingReferences: a schema naming a type without its reference is 42201', async () => {
      expect((await register('shared', currency)).body).toEqual({ id: 1 });
      expect(
        (await register('referrer', budget('BudgetDecreased', 'amount'), { references: [] })).body.error_code,
      ).toBe(42201);
    });

    it('testDeleteSubjectWithSelfReferencingVersions: references inside the subject do not block its deletes', async () => {
      await call('PUT', '/config/self-ref-subject', { compatibility: 'NONE' });
      const base = '{"type":"record","name":"Base","namespace":"com.example","fields":[{"name":"id","type":"string"}]}';
      const derived =
        '{"type":"record","name":"Derived","namespace":"com.example","fields":[{"name":"base","type":"com.example.Base"}]}';
      expect((await register('self-ref-subject', base)).body).toEqual({ id: 1 });
      const references = [{ name: 'com.example.Base', subject: 'self-ref-subject', version: 1 }];
      expect((await register('self-ref-subject', derived, { references })).body).toEqual({ id: 2 });
      expect((await call('GET', '/subjects/self-ref-subject/versions/1/referencedby')).body).toEqual([2]);
      expect((await call('DELETE', '/subjects/self-ref-subject')).body).toEqual([1, 2]);
      expect((await call('DELETE', '/subjects/self-ref-subject?permanent=true')).body).toEqual([1, 2]);
    });

    it('testRegisterSchemaWithInvalidNamespace: a namespace that is no Avro name is 42201', async () => {
      const schema = JSON.stringify({
        type: 'record',
        name: 'myrecord',
        namespace: 'a-bad.namespace',
        fields: [{ type: 'string', name: 'f' }],
      });
      expect((await register('testSubject0', schema)).body.error_code).toBe(42201);
    });
  });
});
