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
});
