import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../../src/errors.ts';
import { formats, getFormat, isSchemaType, schemaTypes } from '../../../schema-registry/formats/index.ts';

describe('format plugins', () => {
  it.each(['AVRO', 'PROTOBUF', 'JSON'] as const)('should give the %s plugin when asked for its type', (type) => {
    expect(getFormat(type).schemaType).toBe(type);
    expect(formats[type]).toBe(getFormat(type));
  });

  it('should give the Avro plugin when no type is given, as Confluent defaults to AVRO', () => {
    expect(getFormat().schemaType).toBe('AVRO');
    expect(getFormat(undefined).schemaType).toBe('AVRO');
    expect(getFormat(null).schemaType).toBe('AVRO');
  });

  it('should fail with INVALID_SCHEMA when the type is unknown', () => {
    const err = (() => {
      try {
        getFormat('XML' as never);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(TributaryError);
    expect((err as TributaryError).code).toBe('INVALID_SCHEMA');
  });

  it('should list the schema types in the order GET /schemas/types answers', () => {
    expect(schemaTypes).toEqual(['JSON', 'PROTOBUF', 'AVRO']);
    expect(isSchemaType('JSON')).toBe(true);
    expect(isSchemaType('json')).toBe(false);
  });

  it('should give the same canonical form and a different text when only formatting differs, in every format', () => {
    const pairs: [keyof typeof formats, string, string][] = [
      [
        'AVRO',
        '{"type":"record","name":"A","fields":[{"name":"x","type":"int"}]}',
        '{ "name": "A", "type": "record", "fields": [ { "type": "int", "name": "x" } ] }',
      ],
      [
        'JSON',
        '{"type":"object","properties":{"x":{"type":"integer"}}}',
        '{ "properties": { "x": { "type": "integer" } }, "type": "object" }',
      ],
      [
        'PROTOBUF',
        'syntax = "proto3"; message A { int32 x = 1; }',
        'syntax = "proto3";\n\n// A\nmessage A {\n  int32 x = 1;\n}\n',
      ],
    ];
    for (const [type, a, b] of pairs) {
      const plugin = getFormat(type);
      expect(plugin.parse(a).canonical).toBe(plugin.parse(b).canonical);
      expect(plugin.parse(a).schema).toBe(a);
    }
  });
});
