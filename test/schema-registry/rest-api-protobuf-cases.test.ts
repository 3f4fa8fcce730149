/**
 * Confluent's Protobuf and JSON Schema RestApiTests (core/…/rest/protobuf and rest/json), the cases
 * about references, normalisation, incompatibility messages, bad schemas, custom options and
 * well-known imports, over REST.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogBackend } from '../../src/index.ts';
import type { SchemaRegistry } from '../../schema-registry/registry.ts';
import { buildRegistryApp } from '../../schema-registry/server.ts';
import { memoryRegistry } from './helpers.ts';

const CT = 'application/vnd.schemaregistry.v1+json';
const PROTOBUF = 'PROTOBUF';

const pkgFile = (pkg: string, outer: string, body: string, imports: string[] = []) =>
  `syntax = "proto3";
package ${pkg};

option go_package = "${pkg}pb";
option java_multiple_files = true;
option java_outer_classname = "${outer}";
option java_package = "com.${pkg}";
${imports.length > 0 ? `\n${imports.map((i) => `import "${i}";`).join('\n')}\n` : ''}
${body}`;
const msg1 = pkgFile('pkg1', 'Msg1Proto', 'message Message1 {\n  string s = 1;\n}\n');
const msg2 = pkgFile('pkg2', 'Msg2Proto', 'message Message2 {\n  string s = 1;\n}\n');
const ref1 = { name: 'pkg1/msg1.proto', subject: 'pkg1/msg1.proto', version: 1 };
const ref2 = { name: 'pkg2/msg2.proto', subject: 'pkg2/msg2.proto', version: 1 };

describe("Confluent's Protobuf and JSON Schema RestApiTests", () => {
  let log: LogBackend;
  let registry: SchemaRegistry;
  let app: FastifyInstance;

  beforeEach(async () => {
    ({ log, registry } = await memoryRegistry());
    app = buildRegistryApp(registry);
    await call('PUT', '/config', { compatibility: 'NONE' });
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
    return { status: res.statusCode, body: JSON.parse(res.body) as ReturnType<typeof JSON.parse> };
  }
  const register = (subject: string, schema: string, extra: object = {}, query = '') =>
    call('POST', `/subjects/${encodeURIComponent(subject)}/versions${query}`, {
      schema,
      schemaType: PROTOBUF,
      ...extra,
    });

  it('testSchemaReferencesPkg: a map of an imported message, imported by its path', async () => {
    expect((await register('pkg1/msg1.proto', msg1)).body).toEqual({ id: 1 });
    const msg2WithImport = pkgFile(
      'pkg2',
      'Msg2Proto',
      'message Message2 {\n  map<string, pkg1.Message1> map = 1;\n  pkg1.Message1 f2 = 2;\n}\n',
      ['pkg1/msg1.proto'],
    );
    expect((await register('pkg2/msg2.proto', msg2WithImport, { references: [ref1] })).body).toEqual({ id: 2 });
  });

  it('testSchemaMissingReferences: an import without its reference is 42201', async () => {
    const root =
      'syntax = "proto3";\nimport "ref.proto";\nmessage ReferrerMessage {\n  ReferencedMessage ref = 1;\n}\n';
    expect((await register('referrer', root, { references: [] })).body.error_code).toBe(42201);
  });

  it('testSchemaReferences: confluent/meta.proto registered as a subject of its own serves as a reference', async () => {
    const meta =
      'syntax = "proto3";\npackage confluent;\nimport "google/protobuf/descriptor.proto";\nmessage Meta {\n  string doc = 1;\n  map<string, string> params = 2;\n}\nextend google.protobuf.FieldOptions {\n  Meta field_meta = 1088;\n}\n';
    const ref =
      'syntax = "proto3";\npackage io.confluent.kafka.serializers.protobuf.test;\nmessage ReferencedMessage {\n  string ref_id = 1;\n  bool is_active = 2;\n}\n';
    const root =
      'syntax = "proto3";\npackage io.confluent.kafka.serializers.protobuf.test;\nimport "ref.proto";\nimport "confluent/meta.proto";\nmessage ReferrerMessage {\n  string root_id = 1 [(confluent.field_meta) = { doc: "PII" }];\n  ReferencedMessage ref = 2;\n}\n';
    expect((await register('confluent/meta.proto', meta)).body).toEqual({ id: 1 });
    expect((await register('reference', ref)).body).toEqual({ id: 2 });
    const references = [
      { name: 'ref.proto', subject: 'reference', version: 1 },
      { name: 'confluent/meta.proto', subject: 'confluent/meta.proto', version: 1 },
    ];
    expect((await register('referrer', root, { references })).body).toEqual({ id: 3 });
    const byId = (await call('GET', '/schemas/ids/3')).body;
    expect(byId.schema).toBe(root);
    expect(byId.references).toEqual(references);
    const serialized = (await call('GET', '/schemas/ids/3?format=serialized')).body;
    expect(Buffer.from(serialized.schema, 'base64').length).toBeGreaterThan(0);
    expect(serialized.references).toEqual(references);
    const lookup = await call('POST', '/subjects/referrer', { schema: root, schemaType: PROTOBUF, references });
    expect(lookup.body.id).toBe(3);
    expect((await call('GET', '/subjects/referrer/versions/latest')).body.id).toBe(3);
  });

  it('testIncompatibleSchema: string to int32 under FULL is 409, and verbose messages name the old schema', async () => {
    const schema = (type: string) =>
      `syntax = "proto3";\npackage pkg3;\n\nmessage Schema1 {\n  string f1 = 1;\n  ${type} f2 = 2;\n}\n`;
    await call('PUT', '/config/testSubject', { compatibility: 'FULL' });
    expect((await register('testSubject', schema('string'), {}, '?normalize=true')).status).toBe(200);
    const refused = await register('testSubject', schema('int32'), {}, '?normalize=true');
    expect(refused.status).toBe(409);
    for (const part of ['oldSchemaVersion:', 'oldSchema:', 'compatibility:'])
      expect(refused.body.message).toContain(part);
    const verbose = (
      await call('POST', '/compatibility/subjects/testSubject/versions/1?verbose=true&normalize=true', {
        schema: schema('int32'),
        schemaType: PROTOBUF,
      })
    ).body;
    expect(verbose.is_compatible).toBe(false);
    const messages: string[] = verbose.messages;
    expect(messages.some((m) => m.includes('oldSchemaVersion:'))).toBe(true);
    expect(messages.some((m) => m.includes('oldSchema:'))).toBe(true);
    expect(messages.some((m) => m.includes('compatibility:'))).toBe(true);
  });

  it('testSchemaNormalization: options, imports and fields in another order find the version with normalize', async () => {
    await register('pkg1/msg1.proto', msg1);
    await register('pkg2/msg2.proto', msg2);
    const msg3 = pkgFile(
      'pkg3',
      'Msg3Proto',
      'message Message3 {\n  map<string, pkg1.Message1> map = 1;\n  pkg1.Message1 f1 = 2;\n  pkg2.Message2 f2 = 3;\n}\n',
      ['pkg1/msg1.proto', 'pkg2/msg2.proto'],
    );
    expect((await register('testSubject1', msg3, { references: [ref1, ref2] }, '?normalize=true')).body).toEqual({
      id: 3,
    });
    const alternate = `syntax = "proto3";
package pkg3;

option java_package = "com.pkg3";
option java_outer_classname = "Msg3Proto";
option java_multiple_files = true;
option go_package = "pkg3pb";

import "pkg2/msg2.proto";
import "pkg1/msg1.proto";

message Message3 {
  pkg2.Message2 f2 = 3;
  pkg1.Message1 f1 = 2;
  map<string, pkg1.Message1> map = 1;
}
`;
    const lookup = await call('POST', '/subjects/testSubject1?normalize=true', {
      schema: alternate,
      schemaType: PROTOBUF,
      references: [ref2, ref1],
    });
    expect(lookup.body.version).toBe(1);
    expect(lookup.body.id).toBe(3);
  });

  it('testBad: a schema that does not parse and a reference to nothing are 42201, and register nothing', async () => {
    expect(
      (await register('testTopic1', 'syntax = "proto3";\nmessage Bad {\n  notatype f = 1;\n}\n')).body.error_code,
    ).toBe(42201);
    const references = [{ name: 'bad', subject: 'bad', version: 100 }];
    expect((await register('testTopic1', msg1, { references })).body.error_code).toBe(42201);
    expect((await call('GET', '/subjects')).body).toEqual([]);
  });

  it('testCustomOption: options of an extension the schema does not define are accepted', async () => {
    const schema = `syntax = "proto3";

import "google/protobuf/descriptor.proto";

option java_package = "io.confluent.kafka.serializers.protobuf.test";
option java_outer_classname = "TestEnumProtos";
option php_namespace = "Bug\\\\V1";

message TestEnum {
  option (some_ref) = "https://test.com";

  Suit suit = 1;

  oneof test_oneof {
    option (some_ref) = "https://test.com";
  
    string name = 2;
    int32 age = 3;
  }

  enum Suit {
    option (some_ref) = "https://test.com";
    SPADES = 0;
    HEARTS = 1;
    DIAMONDS = 2;
    CLUBS = 3;
  }
}
`;
    expect((await register('test-proto', schema)).body).toEqual({ id: 1 });
  });

  it('testValidateFieldsAcceptsWellKnownImports: timestamp and duration need no reference', async () => {
    const schema =
      'syntax = "proto3";\npackage com.example;\n\nimport "google/protobuf/timestamp.proto";\nimport "google/protobuf/duration.proto";\n\nmessage Event {\n  string name = 1;\n  google.protobuf.Timestamp created_at = 2;\n  google.protobuf.Duration ttl = 3;\n}\n';
    expect((await register('wellknown_subject', schema)).body).toEqual({ id: 1 });
  });

  describe('JSON Schema', () => {
    const json = (schema: object) => JSON.stringify(schema);
    const registerJson = (subject: string, schema: string, extra: object = {}) =>
      call('POST', `/subjects/${subject}/versions`, { schema, schemaType: 'JSON', ...extra });

    it('testSchemaReferences, testSchemaMissingReferences: a $ref to another subject by its reference name', async () => {
      const ref = json({ type: 'object', properties: { name: { type: 'string' } } });
      const root = json({ type: 'object', properties: { ref: { $ref: 'ref.json' } } });
      expect((await registerJson('reference', ref)).body).toEqual({ id: 1 });
      const references = [{ name: 'ref.json', subject: 'reference', version: 1 }];
      expect((await registerJson('referrer', root, { references })).body).toEqual({ id: 2 });
      expect((await call('GET', '/schemas/ids/2')).body.references).toEqual(references);
      expect((await registerJson('referrer2', root, { references: [] })).body.error_code).toBe(42201);
    });

    it('testIncompatibleSchema: a property changing type under FULL is 409 with the old schema in the message', async () => {
      const schema = (type: string) =>
        json({ type: 'object', properties: { f1: { type: 'string' }, f2: { type } }, additionalProperties: false });
      await call('PUT', '/config/testSubject', { compatibility: 'FULL' });
      expect((await registerJson('testSubject', schema('string'))).status).toBe(200);
      const refused = await registerJson('testSubject', schema('integer'));
      expect(refused.status).toBe(409);
      for (const part of ['oldSchemaVersion:', 'oldSchema:', 'compatibility:'])
        expect(refused.body.message).toContain(part);
    });

    it('testBad: invalid JSON Schemas are 42201', async () => {
      expect((await registerJson('testTopic1', '{"type":')).body.error_code).toBe(42201);
      expect((await registerJson('testTopic1', json({ type: 'strin' }))).body.error_code).toBe(42201);
      expect((await call('GET', '/subjects')).body).toEqual([]);
    });
  });
});
