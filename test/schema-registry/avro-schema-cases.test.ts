/**
 * Confluent's AvroSchemaTest (avro-serializer), the cases about what makes two Avro schemas the same
 * schema, normalisation, names and compatibility, run through Tributary's Avro plugin. Identity is the
 * plugin's `canonical` form (what ids are given by). The JSON↔Avro conversion and data-contract tag
 * cases are left out: Tributary has no such API.
 */
import { describe, expect, it } from 'vitest';
import { avroFormat as avro } from '../../schema-registry/formats/avro.ts';
import { caught } from './helpers.ts';

const canonical = (schema: unknown) => avro.parse(JSON.stringify(schema)).canonical;

const primitiveFields: object[] = [
  { name: 'null', type: 'null' },
  { name: 'boolean', type: 'boolean' },
  { name: 'int', type: 'int' },
  { name: 'long', type: 'long' },
  { name: 'float', type: 'float' },
  { name: 'double', type: 'double' },
  { name: 'bytes', type: 'bytes' },
  { name: 'string', type: 'string', aliases: ['string_alias'] },
  { name: 'null_default', type: 'null', default: null },
  { name: 'boolean_default', type: 'boolean', default: false },
  { name: 'int_default', type: 'int', default: 24 },
  { name: 'long_default', type: 'long', default: 4000000000 },
  { name: 'float_default', type: 'float', default: 12.3 },
  { name: 'double_default', type: 'double', default: 23.2 },
  { name: 'bytes_default', type: 'bytes', default: 'bytes' },
  { name: 'string_default', type: 'string', default: 'default string' },
];
const testRecord = (extra: object = {}, fields: object[] = primitiveFields) => ({
  namespace: 'namespace',
  type: 'record',
  name: 'test',
  ...extra,
  fields,
});
const withFirstField = (extra: object) => [{ ...primitiveFields[0], ...extra }, ...primitiveFields.slice(1)];
const suit = (symbols: string[], extra: object = {}) => ({ type: 'enum', name: 'Suit', symbols, ...extra });

describe("Confluent's AvroSchemaTest", () => {
  it('testMetaInequalities: doc, aliases, field doc and field aliases each make another schema', () => {
    const base = canonical(testRecord());
    expect(canonical(testRecord({ doc: 'test' }))).not.toBe(base);
    expect(canonical(testRecord({ aliases: ['test'] }))).not.toBe(base);
    expect(canonical(testRecord({}, withFirstField({ doc: 'test' })))).not.toBe(base);
    expect(canonical(testRecord({}, withFirstField({ aliases: ['test'] })))).not.toBe(base);
  });

  it('testArrayWithDefault, testMapWithDefault, testUnionWithDefault, testEnumWithDefault', () => {
    const array = { namespace: 'namespace', type: 'array', name: 'test', items: 'string' };
    const map = { namespace: 'namespace', type: 'map', name: 'test', values: 'string' };
    expect(canonical({ ...array, default: [] })).not.toBe(canonical(array));
    expect(canonical({ ...map, default: {} })).not.toBe(canonical(map));
    const union = (extra: object) => ({
      type: 'record',
      name: 'test',
      fields: [{ name: 'union', type: ['string', 'int'], ...extra }],
    });
    expect(canonical(union({ default: '' }))).not.toBe(canonical(union({})));
    const symbols = ['SPADES', 'HEARTS', 'DIAMONDS', 'CLUBS'];
    expect(canonical(suit(symbols, { default: 'HEARTS' }))).not.toBe(canonical(suit(symbols)));
  });

  it('testArrayWithDoc: a doc inside array items makes another schema', () => {
    const items = (doc: string) => ({
      type: 'array',
      items: { type: 'record', name: 'top', doc, fields: [{ name: 'field1', type: 'string' }] },
    });
    expect(canonical(items('test'))).not.toBe(canonical(items('test2')));
  });

  it('testNormalization: escaped quotes in docs survive, and field attributes are put in order', () => {
    const schema = {
      type: 'record',
      name: 'myrecord',
      doc: 'hi"there',
      fields: [{ type: 'string', name: 'f1', doc: 'bye"now' }],
    };
    const reordered = {
      type: 'record',
      name: 'myrecord',
      doc: 'hi"there',
      fields: [{ name: 'f1', type: 'string', doc: 'bye"now' }],
    };
    expect(canonical(schema)).toBe(canonical(reordered));
    const normalised = JSON.parse(avro.parse(JSON.stringify(schema)).normalized!);
    expect(normalised.doc).toBe('hi"there');
    // Confluent's normalised text writes every field's order too (toNormalizedString), as Tributary's does.
    expect(normalised.fields[0]).toEqual({ name: 'f1', type: 'string', order: 'ascending', doc: 'bye"now' });
  });

  it('testNormalizationPreservesMetadataForPrimitiveTypes: connect.* properties stay on primitives', () => {
    const envelope = {
      'connect.name': 'some.scope.Envelope',
      fields: [
        {
          default: null,
          name: 'before',
          type: [
            'null',
            {
              'connect.name': 'some.scope.Value',
              fields: [
                {
                  name: 'created_at',
                  type: { 'connect.name': 'io.debezium.time.Timestamp', 'connect.version': 1, type: 'long' },
                },
                { name: 'normal_long', type: 'long' },
              ],
              name: 'Value',
              type: 'record',
            },
          ],
        },
        { default: null, name: 'after', type: ['null', 'Value'] },
      ],
      name: 'Envelope',
      namespace: 'some.scope',
      type: 'record',
    };
    const parsed = avro.parse(JSON.stringify(envelope));
    const normalised = JSON.parse(parsed.normalized!);
    expect(normalised.fields[0].type[1].fields[0].type).toEqual({
      type: 'long',
      'connect.name': 'io.debezium.time.Timestamp',
      'connect.version': 1,
    });
    expect(normalised['connect.name']).toBe('some.scope.Envelope');
    // Without the properties it is another schema.
    const plain = structuredClone(envelope);
    plain.fields[0]!.type[1] = { ...(plain.fields[0]!.type[1] as object), 'connect.name': undefined } as never;
    expect(canonical(JSON.parse(JSON.stringify(plain)))).not.toBe(parsed.canonical);
    expect(avro.parse(parsed.normalized!).canonical).toBe(parsed.canonical);
  });

  it('testEnumCompatibility: an enum losing a symbol cannot read what the old one wrote', () => {
    const four = avro.parse(JSON.stringify(suit(['SPADES', 'HEARTS', 'DIAMONDS', 'CLUBS'])));
    const three = avro.parse(JSON.stringify(suit(['SPADES', 'HEARTS', 'DIAMONDS'])));
    expect(avro.checkCompatibility(three, four).map((issue) => issue.kind)).toEqual(['MISSING_ENUM_SYMBOLS']);
  });

  it('testInvalidDefaultDuringNormalize: a null default for a string is refused', () => {
    const schema = testRecord({}, [{ name: 'string_default', type: 'string', default: null }]);
    expect(caught(() => avro.parse(JSON.stringify(schema))).code).toBe('INVALID_SCHEMA');
  });

  it('testNonAsciiUtf8NamesAccepted: names outside ASCII are refused, as the Avro specification says (a difference)', () => {
    // Avro Java accepts any Unicode letter; the specification (and avsc, which Tributary and kafkajs
    // use) allows [A-Za-z_][A-Za-z0-9_]* only. Listed in docs/schema-registry.md.
    const schema = {
      type: 'record',
      name: 'Café',
      namespace: 'a.b',
      fields: [
        { name: 'naïve', type: 'string' },
        { name: 'e', type: { type: 'enum', name: 'Σ', symbols: ['Α', 'Β'] } },
      ],
    };
    expect(caught(() => avro.parse(JSON.stringify(schema))).code).toBe('INVALID_SCHEMA');
  });

  it('testNamespace: two records of one name in two namespaces in a union', () => {
    const record = (namespace: string, type: string) => ({
      name: 'sampleRecord',
      namespace,
      type: 'record',
      fields: [
        { name: 'my_field1', type },
        { type: 'int', name: 'my_field2' },
      ],
    });
    const schema = [record('com.example.mynamespace1', 'string'), record('com.example.mynamespace2', 'double')];
    const parsed = avro.parse(JSON.stringify(schema));
    const canonicalUnion = JSON.parse(parsed.canonical);
    expect(canonicalUnion).toHaveLength(2);
    expect(JSON.stringify(canonicalUnion)).toContain('com.example.mynamespace1');
    expect(JSON.stringify(canonicalUnion)).toContain('com.example.mynamespace2');
  });

  it('testVariantLogicalTypeParse: a record with logicalType variant keeps it through normalisation', () => {
    const schema = {
      type: 'record',
      name: 'x',
      fields: [
        { name: 'metadata', type: 'bytes' },
        { name: 'value', type: 'bytes' },
      ],
      logicalType: 'variant',
    };
    const parsed = avro.parse(JSON.stringify(schema));
    expect(JSON.parse(parsed.normalized!).logicalType).toBe('variant');
    expect(parsed.canonical).not.toBe(canonical({ ...schema, logicalType: undefined }));
  });

  it('testBadDefaultNull (AvroCompatibilityTest): a string default "null" for a null-first union is refused', () => {
    // Avro Java parses it without validating defaults, and the registry refuses it on registration
    // (RestApiTest.testRegisterBadDefault); Tributary's parser validates defaults always.
    const schema = {
      type: 'record',
      name: 'myrecord',
      fields: [
        { type: ['null', 'string'], name: 'f1', default: 'null' },
        { type: 'string', name: 'f2', default: 'foo' },
      ],
    };
    expect(caught(() => avro.parse(JSON.stringify(schema))).code).toBe('INVALID_SCHEMA');
  });
});
