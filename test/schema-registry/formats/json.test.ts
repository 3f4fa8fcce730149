import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type JsonParsedSchema, jsonFormat as json } from '../../../schema-registry/formats/json.ts';
import type { ResolvedReference } from '../../../schema-registry/formats/types.ts';
import { caught } from '../helpers.ts';

const parse = (schema: unknown, refs: ResolvedReference[] = []): JsonParsedSchema =>
  json.parse(JSON.stringify(schema), refs);

function kinds(reader: unknown, writer: unknown): { path: string; kind: string }[] {
  return json.checkCompatibility(parse(reader), parse(writer)).map((i) => ({ path: i.path, kind: i.kind }));
}

const DRAFT_2020 = 'https://json-schema.org/draft/2020-12/schema';
const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

describe('JSON Schema parse', () => {
  it.each([
    ['not JSON', '{"type":', /not JSON/],
    ['a number instead of a schema', '42', /object or a boolean/],
    ['an invalid keyword value', '{"type":"object","minProperties":-1}', /minProperties/],
    ['an unknown type', '{"type":"strin"}', /type/],
    ['an unresolvable $ref', '{"$ref":"other.json"}', /other\.json/],
    ['draft-04', '{"$schema":"http://json-schema.org/draft-04/schema#"}', /Unsupported JSON Schema dialect/],
  ])('should fail with INVALID_SCHEMA when the schema is %s', (_, text, message) => {
    const err = caught(() => json.parse(text));
    expect(err.code).toBe('INVALID_SCHEMA');
    expect(err.message).toMatch(message);
  });

  it.each([
    [{}, 'draft-07'],
    [{ $schema: DRAFT_07 }, 'draft-07'],
    [{ $schema: 'http://json-schema.org/draft-06/schema#' }, 'draft-06'],
    [{ $schema: 'https://json-schema.org/draft/2019-09/schema' }, '2019-09'],
    [{ $schema: DRAFT_2020 }, '2020-12'],
  ])('should pick the dialect from $schema when it is %j', (schema, dialect) => {
    expect(parse(schema).dialect).toBe(dialect);
  });

  it('should give the same canonical form when only key order and whitespace differ', () => {
    const a = json.parse('{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}}}');
    const b = json.parse(
      '{\n "properties": { "b": {"type": "integer"}, "a": {"type": "string"} },\n "type": "object"\n}',
    );
    expect(a.canonical).toBe(b.canonical);
    expect(a.canonical).toBe('{"properties":{"a":{"type":"string"},"b":{"type":"integer"}},"type":"object"}');
  });

  it('should keep array order in the canonical form when arrays differ only in order', () => {
    expect(parse({ enum: ['a', 'b'] }).canonical).not.toBe(parse({ enum: ['b', 'a'] }).canonical);
  });

  it('should give the title as the record name when there is one', () => {
    expect(json.recordName!(parse({ title: 'Order', type: 'object' }))).toBe('Order');
    expect(json.recordName!(parse({ type: 'object' }))).toBeUndefined();
  });
});

describe('JSON Schema references', () => {
  const address: ResolvedReference = {
    name: 'address.json',
    subject: 'address',
    version: 1,
    schemaType: 'JSON',
    schema: JSON.stringify({
      type: 'object',
      properties: { street: { type: 'string' }, country: { $ref: 'country.json' } },
      required: ['street'],
    }),
    references: [
      {
        name: 'country.json',
        subject: 'country',
        version: 1,
        schemaType: 'JSON',
        schema: '{"type":"string","enum":["NL","FR"]}',
        references: [],
      },
    ],
  };

  it('should follow $ref to a reference by its name when the schema has no $id', () => {
    const schema = parse({ type: 'object', properties: { home: { $ref: 'address.json' } } }, [address]);
    expect(() => json.serialize(schema, { home: { street: 'Dam', country: 'NL' } })).not.toThrow();
    const err = caught(() => json.serialize(schema, { home: { street: 'Dam', country: 'DE' } }));
    expect(err.context['path']).toBe('/home/country');
    expect(err.context['rule']).toBe('enum');
  });

  it('should resolve a relative reference name against the schema $id when it has one', () => {
    const schema = parse(
      { $id: 'https://example.com/schemas/order.json', type: 'object', properties: { home: { $ref: 'address.json' } } },
      [address],
    );
    expect(caught(() => json.serialize(schema, { home: {} })).context['path']).toBe('/home/street');
  });

  it('should follow $ref to a reference by absolute URL when the reference is named by it', () => {
    const ref = { ...address, name: 'https://example.com/address.json' };
    const schema = parse(
      { $schema: DRAFT_2020, type: 'object', properties: { home: { $ref: 'https://example.com/address.json' } } },
      [ref],
    );
    expect(caught(() => json.serialize(schema, { home: {} })).context['path']).toBe('/home/street');
  });

  it('should fail with INVALID_SCHEMA when a reference is not JSON', () => {
    const bad = { ...address, schema: '{' };
    expect(caught(() => parse({ $ref: 'address.json' }, [bad])).code).toBe('INVALID_SCHEMA');
  });

  it('should compare referenced schemas when references change', () => {
    const v2 = {
      ...address,
      version: 2,
      schema: JSON.stringify({
        type: 'object',
        properties: { street: { type: 'string', maxLength: 10 } },
        required: ['street'],
      }),
      references: [],
    };
    const writer = parse({ type: 'object', properties: { home: { $ref: 'address.json' } } }, [address]);
    const reader = parse({ type: 'object', properties: { home: { $ref: 'address.json' } } }, [v2]);
    expect(json.checkCompatibility(reader, writer).map((i) => i.path)).toEqual([
      '#/properties/home/properties/street/maxLength',
    ]);
  });
});

describe('JSON Schema serialize and deserialize', () => {
  const order = parse({
    type: 'object',
    properties: {
      id: { type: 'integer', minimum: 1 },
      email: { type: 'string', format: 'email' },
      lines: {
        type: 'array',
        items: { type: 'object', properties: { qty: { type: 'integer', maximum: 10 } }, required: ['qty'] },
      },
    },
    required: ['id'],
    additionalProperties: false,
  });

  it.each([
    ['a number is below its minimum', { id: 0 }, '/id', 'minimum'],
    ['a required property is missing', {}, '/id', 'required'],
    ['a format does not match', { id: 1, email: 'not-an-email' }, '/email', 'format'],
    ['an array item breaks a bound', { id: 1, lines: [{ qty: 1 }, { qty: 11 }] }, '/lines/1/qty', 'maximum'],
    ['an unknown property is present', { id: 1, extra: true }, '/', 'additionalProperties'],
    ['the value has the wrong type', 'x', '/', 'type'],
  ])('should fail with SCHEMA_VALIDATION_FAILED naming path and keyword when %s', (_, value, path, rule) => {
    const err = caught(() => json.serialize(order, value));
    expect(err.code).toBe('SCHEMA_VALIDATION_FAILED');
    expect(err.context['path']).toBe(path);
    expect(err.context['rule']).toBe(rule);
  });

  it('should report every failure in the context when several rules fail', () => {
    const err = caught(() => json.serialize(order, { id: 0, email: 'x' }));
    expect((err.context['errors'] as unknown[]).length).toBe(2);
  });

  it('should write UTF-8 JSON text when the value is valid', () => {
    expect(Buffer.from(json.serialize(order, { id: 1, email: 'a@x.org' })).toString('utf8')).toBe(
      '{"id":1,"email":"a@x.org"}',
    );
    expect([...json.serialize(parse(true), 'é')]).toEqual([0x22, 0xc3, 0xa9, 0x22]);
  });

  it('should give back the value when any JSON value is serialized and deserialized with an open schema', () => {
    const open = parse(true);
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(json.deserialize(open, json.serialize(open, value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('should give back the record when a valid record is serialized and deserialized', () => {
    const records = fc.record(
      {
        id: fc.integer({ min: 1 }),
        email: fc.constantFrom('a@b.co', 'x.y@example.org'),
        lines: fc.array(fc.record({ qty: fc.integer({ max: 10 }) })),
      },
      { requiredKeys: ['id'] },
    );
    fc.assert(
      fc.property(records, (value) => {
        expect(json.deserialize(order, json.serialize(order, value))).toEqual(value);
      }),
    );
  });

  it('should fail with SCHEMA_VALIDATION_FAILED when the value is not JSON', () => {
    expect(caught(() => json.serialize(parse(true), undefined)).code).toBe('SCHEMA_VALIDATION_FAILED');
  });

  it('should fail with SERIALIZATION_ERROR when the bytes are not JSON', () => {
    expect(caught(() => json.deserialize(order, Buffer.from('{"id":'))).code).toBe('SERIALIZATION_ERROR');
  });

  it('should validate draft-07 tuples and 2020-12 prefixItems when the dialect says so', () => {
    const d7 = parse({
      $schema: DRAFT_07,
      type: 'array',
      items: [{ type: 'string' }, { type: 'integer' }],
      additionalItems: false,
    });
    const d2020 = parse({
      $schema: DRAFT_2020,
      type: 'array',
      prefixItems: [{ type: 'string' }, { type: 'integer' }],
      items: false,
    });
    for (const schema of [d7, d2020]) {
      expect(() => json.serialize(schema, ['a', 1])).not.toThrow();
      expect(caught(() => json.serialize(schema, ['a', 'b'])).context['path']).toBe('/1');
      expect(caught(() => json.serialize(schema, ['a', 1, 2])).code).toBe('SCHEMA_VALIDATION_FAILED');
    }
  });

  it('should follow $defs and $anchor in 2020-12 when the schema uses them', () => {
    const schema = parse({
      $schema: DRAFT_2020,
      $defs: { pos: { $anchor: 'positive', type: 'integer', minimum: 1 } },
      type: 'object',
      properties: { a: { $ref: '#positive' }, b: { $ref: '#/$defs/pos' } },
    });
    expect(caught(() => json.serialize(schema, { a: 0 })).context['path']).toBe('/a');
    expect(caught(() => json.serialize(schema, { b: 0 })).context['path']).toBe('/b');
  });
});

describe('JSON Schema compatibility', () => {
  type Case = [name: string, reader: unknown, writer: unknown, expected: { path: string; kind: string }[]];
  const obj = (properties: object, extra: object = {}) => ({ type: 'object', properties, ...extra });
  const closed = (properties: object, extra: object = {}) => obj(properties, { additionalProperties: false, ...extra });
  const S = { type: 'string' };
  const I = { type: 'integer' };

  const contentModels: Case[] = [
    ['a property is removed from an open model', obj({ a: S }), obj({ a: S, b: I }), []],
    [
      'a property is removed from a closed model',
      closed({ a: S }),
      closed({ a: S, b: I }),
      [{ path: '#/properties/b', kind: 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL' }],
    ],
    ['a false property is removed from a closed model', closed({ a: S }), closed({ a: S, b: false }), []],
    [
      'a property is added to an open model',
      obj({ a: S, b: I }),
      obj({ a: S }),
      [{ path: '#/properties/b', kind: 'OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL' }],
    ],
    ['an empty property is added to an open model', obj({ a: S, b: {} }), obj({ a: S }), []],
    ['a property is added to a closed model', closed({ a: S, b: I }), closed({ a: S }), []],
    [
      'a required property is added to a closed model',
      closed({ a: S, b: I }, { required: ['b'] }),
      closed({ a: S }),
      [{ path: '#/properties/b', kind: 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL' }],
    ],
    [
      'a required property with a default is added to a closed model',
      closed({ a: S, b: { type: 'integer', default: 0 } }, { required: ['b'] }),
      closed({ a: S }),
      [],
    ],
    [
      'a property is removed and a pattern covers it',
      obj({ a: S }, { patternProperties: { '^b': I }, additionalProperties: false }),
      closed({ a: S, b: I }),
      [],
    ],
    [
      'a property is removed and the covering pattern rejects it',
      obj({ a: S }, { patternProperties: { '^b': S }, additionalProperties: false }),
      closed({ a: S, b: I }),
      [
        { path: '#/properties/b/type', kind: 'TYPE_CHANGED' },
        { path: '#/properties/b', kind: 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' },
      ],
    ],
    [
      'a property is added that the writer additionalProperties covered',
      obj({ a: S, b: I }, { additionalProperties: I }),
      obj({ a: S }, { additionalProperties: I }),
      [],
    ],
    [
      'a property is added that the writer additionalProperties did not cover',
      obj({ a: S, b: S }, { additionalProperties: I }),
      obj({ a: S }, { additionalProperties: I }),
      [
        { path: '#/properties/b/type', kind: 'TYPE_CHANGED' },
        { path: '#/properties/b', kind: 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' },
      ],
    ],
    ['additionalProperties false becomes true', obj({ a: S }), closed({ a: S }), []],
    [
      'additionalProperties true becomes false',
      closed({ a: S }),
      obj({ a: S }),
      [{ path: '#/additionalProperties', kind: 'ADDITIONAL_PROPERTIES_REMOVED' }],
    ],
    [
      'additionalProperties becomes a schema',
      obj({}, { additionalProperties: I }),
      obj({}),
      [{ path: '#/additionalProperties', kind: 'ADDITIONAL_PROPERTIES_NARROWED' }],
    ],
    ['additionalProperties loses its schema', obj({}), obj({}, { additionalProperties: I }), []],
    [
      'additionalProperties schema changes',
      obj({}, { additionalProperties: S }),
      obj({}, { additionalProperties: I }),
      [{ path: '#/additionalProperties/type', kind: 'TYPE_CHANGED' }],
    ],
  ];

  const required: Case[] = [
    [
      'a property becomes required',
      obj({ a: S }, { required: ['a'] }),
      obj({ a: S }),
      [{ path: '#/required/a', kind: 'REQUIRED_ATTRIBUTE_ADDED' }],
    ],
    [
      'a property with a default becomes required',
      obj({ a: { type: 'string', default: '' } }, { required: ['a'] }),
      obj({ a: { type: 'string', default: '' } }),
      [],
    ],
    ['a property stops being required', obj({ a: S }), obj({ a: S }, { required: ['a'] }), []],
    // Confluent compares `required` only for properties both schemas declare.
    [
      'required moves to an undeclared name',
      { properties: { foo: S }, required: ['bar'] },
      { properties: { foo: S }, required: ['foo'] },
      [],
    ],
    ['an undeclared name becomes required', obj({ a: S }, { required: ['ghost'] }), obj({ a: S }), []],
  ];

  const types: Case[] = [
    ['a type is widened with null', obj({ a: { type: ['string', 'null'] } }), obj({ a: S }), []],
    ['integer is widened to number', obj({ a: { type: 'number' } }), obj({ a: I }), []],
    [
      'number is narrowed to integer',
      obj({ a: I }),
      obj({ a: { type: 'number' } }),
      [{ path: '#/properties/a/type', kind: 'TYPE_NARROWED' }],
    ],
    [
      'null is removed from a type',
      obj({ a: S }),
      obj({ a: { type: ['string', 'null'] } }),
      [{ path: '#/properties/a/type', kind: 'TYPE_NARROWED' }],
    ],
    ['a type changes', obj({ a: I }), obj({ a: S }), [{ path: '#/properties/a/type', kind: 'TYPE_CHANGED' }]],
    ['an open schema gets a type', obj({ a: S }), obj({ a: {} }), [{ path: '#/properties/a', kind: 'TYPE_NARROWED' }]],
    ['a typed schema is opened', obj({ a: {} }), obj({ a: S }), []],
    ['an enum gets a matching type', obj({ a: S }), obj({ a: { enum: ['x', 'y'] } }), []],
  ];

  const enums: Case[] = [
    ['enum values are added', obj({ a: { enum: ['x', 'y', 'z'] } }), obj({ a: { enum: ['x', 'y'] } }), []],
    [
      'enum values are removed',
      obj({ a: { enum: ['x'] } }),
      obj({ a: { enum: ['x', 'y'] } }),
      [{ path: '#/properties/a/enum', kind: 'ENUM_ARRAY_NARROWED' }],
    ],
    [
      'enum values are replaced',
      obj({ a: { enum: ['x', 'z'] } }),
      obj({ a: { enum: ['x', 'y'] } }),
      [{ path: '#/properties/a/enum', kind: 'ENUM_ARRAY_CHANGED' }],
    ],
    [
      'an enum is added',
      obj({ a: { type: 'string', enum: ['x'] } }),
      obj({ a: S }),
      [{ path: '#/properties/a/enum', kind: 'ENUM_ADDED' }],
    ],
    ['an enum is removed', obj({ a: S }), obj({ a: { type: 'string', enum: ['x'] } }), []],
    ['a const becomes an enum containing it', obj({ a: { enum: ['x', 'y'] } }), obj({ a: { const: 'x' } }), []],
  ];

  const bounds: Case[] = [
    [
      'maximum is added',
      obj({ n: { type: 'number', maximum: 10 } }),
      obj({ n: { type: 'number' } }),
      [{ path: '#/properties/n/maximum', kind: 'MAXIMUM_ADDED' }],
    ],
    [
      'maximum is decreased',
      obj({ n: { type: 'number', maximum: 5 } }),
      obj({ n: { type: 'number', maximum: 10 } }),
      [{ path: '#/properties/n/maximum', kind: 'MAXIMUM_DECREASED' }],
    ],
    [
      'maximum is increased',
      obj({ n: { type: 'number', maximum: 20 } }),
      obj({ n: { type: 'number', maximum: 10 } }),
      [],
    ],
    ['maximum is removed', obj({ n: { type: 'number' } }), obj({ n: { type: 'number', maximum: 10 } }), []],
    [
      'minimum is increased',
      obj({ n: { type: 'number', minimum: 5 } }),
      obj({ n: { type: 'number', minimum: 0 } }),
      [{ path: '#/properties/n/minimum', kind: 'MINIMUM_INCREASED' }],
    ],
    [
      'minimum is decreased',
      obj({ n: { type: 'number', minimum: -5 } }),
      obj({ n: { type: 'number', minimum: 0 } }),
      [],
    ],
    [
      'a maximum becomes an equal exclusive maximum',
      obj({ n: { type: 'number', exclusiveMaximum: 10 } }),
      obj({ n: { type: 'number', maximum: 10 } }),
      [{ path: '#/properties/n/exclusiveMaximum', kind: 'EXCLUSIVE_MAXIMUM_DECREASED' }],
    ],
    [
      'a maximum becomes a larger exclusive maximum',
      obj({ n: { type: 'number', exclusiveMaximum: 11 } }),
      obj({ n: { type: 'number', maximum: 10 } }),
      [],
    ],
    [
      'exclusiveMinimum is added',
      obj({ n: { type: 'number', exclusiveMinimum: 0 } }),
      obj({ n: { type: 'number' } }),
      [{ path: '#/properties/n/exclusiveMinimum', kind: 'EXCLUSIVE_MINIMUM_ADDED' }],
    ],
    [
      'multipleOf is reduced to a divisor',
      obj({ n: { type: 'number', multipleOf: 5 } }),
      obj({ n: { type: 'number', multipleOf: 10 } }),
      [],
    ],
    [
      'multipleOf is expanded',
      obj({ n: { type: 'number', multipleOf: 10 } }),
      obj({ n: { type: 'number', multipleOf: 5 } }),
      [{ path: '#/properties/n/multipleOf', kind: 'MULTIPLE_OF_CHANGED' }],
    ],
    [
      'multipleOf is added',
      obj({ n: { type: 'number', multipleOf: 2 } }),
      obj({ n: { type: 'number' } }),
      [{ path: '#/properties/n/multipleOf', kind: 'MULTIPLE_OF_ADDED' }],
    ],
    [
      'maxLength is added',
      obj({ s: { type: 'string', maxLength: 5 } }),
      obj({ s: S }),
      [{ path: '#/properties/s/maxLength', kind: 'MAX_LENGTH_ADDED' }],
    ],
    [
      'maxLength is decreased',
      obj({ s: { type: 'string', maxLength: 5 } }),
      obj({ s: { type: 'string', maxLength: 9 } }),
      [{ path: '#/properties/s/maxLength', kind: 'MAX_LENGTH_DECREASED' }],
    ],
    [
      'maxLength is increased',
      obj({ s: { type: 'string', maxLength: 9 } }),
      obj({ s: { type: 'string', maxLength: 5 } }),
      [],
    ],
    [
      'minLength is increased',
      obj({ s: { type: 'string', minLength: 3 } }),
      obj({ s: { type: 'string', minLength: 1 } }),
      [{ path: '#/properties/s/minLength', kind: 'MIN_LENGTH_INCREASED' }],
    ],
    ['minLength is removed', obj({ s: S }), obj({ s: { type: 'string', minLength: 1 } }), []],
    [
      'a pattern is added',
      obj({ s: { type: 'string', pattern: '^a' } }),
      obj({ s: S }),
      [{ path: '#/properties/s/pattern', kind: 'PATTERN_ADDED' }],
    ],
    [
      'a pattern is changed',
      obj({ s: { type: 'string', pattern: '^b' } }),
      obj({ s: { type: 'string', pattern: '^a' } }),
      [{ path: '#/properties/s/pattern', kind: 'PATTERN_CHANGED' }],
    ],
    ['a pattern is removed', obj({ s: S }), obj({ s: { type: 'string', pattern: '^a' } }), []],
    [
      'a format is added',
      obj({ s: { type: 'string', format: 'email' } }),
      obj({ s: S }),
      [{ path: '#/properties/s/format', kind: 'FORMAT_ADDED' }],
    ],
    [
      'maxProperties is decreased',
      obj({}, { maxProperties: 2 }),
      obj({}, { maxProperties: 3 }),
      [{ path: '#/maxProperties', kind: 'MAX_PROPERTIES_DECREASED' }],
    ],
    [
      'minProperties is added',
      obj({}, { minProperties: 1 }),
      obj({}),
      [{ path: '#/minProperties', kind: 'MIN_PROPERTIES_ADDED' }],
    ],
  ];

  const arrays: Case[] = [
    [
      'array items change type',
      { type: 'array', items: I },
      { type: 'array', items: S },
      [{ path: '#/items/type', kind: 'TYPE_CHANGED' }],
    ],
    [
      'array items are widened',
      { type: 'array', items: { type: ['string', 'integer'] } },
      { type: 'array', items: S },
      [],
    ],
    [
      'maxItems is decreased',
      { type: 'array', maxItems: 2 },
      { type: 'array', maxItems: 4 },
      [{ path: '#/maxItems', kind: 'MAX_ITEMS_DECREASED' }],
    ],
    [
      'minItems is added',
      { type: 'array', minItems: 1 },
      { type: 'array' },
      [{ path: '#/minItems', kind: 'MIN_ITEMS_ADDED' }],
    ],
    ['minItems is decreased', { type: 'array', minItems: 1 }, { type: 'array', minItems: 2 }, []],
    [
      'uniqueItems is added',
      { type: 'array', uniqueItems: true },
      { type: 'array' },
      [{ path: '#/uniqueItems', kind: 'UNIQUE_ITEMS_ADDED' }],
    ],
    ['uniqueItems is removed', { type: 'array' }, { type: 'array', uniqueItems: true }, []],
    [
      'a tuple item is added to an open tuple',
      { $schema: DRAFT_07, type: 'array', items: [S, I] },
      { $schema: DRAFT_07, type: 'array', items: [S] },
      [{ path: '#/items/1', kind: 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL' }],
    ],
    [
      'a tuple item is added to a closed tuple',
      { $schema: DRAFT_07, type: 'array', items: [S, I] },
      { $schema: DRAFT_07, type: 'array', items: [S], additionalItems: false },
      [],
    ],
    [
      'a tuple item is removed from a closed tuple',
      { $schema: DRAFT_2020, type: 'array', prefixItems: [S], items: false },
      { $schema: DRAFT_2020, type: 'array', prefixItems: [S, I], items: false },
      [{ path: '#/items', kind: 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL' }],
    ],
    [
      'a tuple item is removed from an open tuple',
      { $schema: DRAFT_2020, type: 'array', prefixItems: [S] },
      { $schema: DRAFT_2020, type: 'array', prefixItems: [S, I] },
      [],
    ],
    [
      'a tuple item changes type',
      { $schema: DRAFT_2020, type: 'array', prefixItems: [S, S] },
      { $schema: DRAFT_2020, type: 'array', prefixItems: [S, I] },
      [{ path: '#/prefixItems/1/type', kind: 'TYPE_CHANGED' }],
    ],
    [
      'additional items are forbidden',
      { $schema: DRAFT_07, type: 'array', items: [S], additionalItems: false },
      { $schema: DRAFT_07, type: 'array', items: [S] },
      [{ path: '#/additionalItems', kind: 'ADDITIONAL_ITEMS_REMOVED' }],
    ],
    // Without tuple items the validator ignores additionalItems; Confluent compares it all the same.
    [
      'additionalItems closes without a tuple',
      { additionalItems: false },
      { additionalItems: true },
      [{ path: '#/additionalItems', kind: 'ADDITIONAL_ITEMS_REMOVED' }],
    ],
    [
      'additionalItems changes type without a tuple',
      { additionalItems: { type: 'number' } },
      { additionalItems: S },
      [{ path: '#/additionalItems/type', kind: 'TYPE_CHANGED' }],
    ],
    [
      'additionalItems gains a schema without a tuple',
      { additionalItems: S },
      { additionalItems: true },
      [{ path: '#/additionalItems', kind: 'ADDITIONAL_ITEMS_NARROWED' }],
    ],
    ['additionalItems opens without a tuple', { additionalItems: true }, { additionalItems: S }, []],
    // 2020-12 unevaluatedItems after prefixItems: a partially open content model.
    [
      'a tuple item covered by unevaluatedItems is added',
      { $schema: DRAFT_2020, type: 'array', prefixItems: [S, { type: 'number' }, S], unevaluatedItems: S },
      { $schema: DRAFT_2020, type: 'array', prefixItems: [S, { type: 'number' }], unevaluatedItems: S },
      [],
    ],
    [
      'a tuple item not covered by unevaluatedItems is added',
      {
        $schema: DRAFT_2020,
        type: 'array',
        prefixItems: [S, { type: 'number' }, { type: 'number' }],
        unevaluatedItems: S,
      },
      { $schema: DRAFT_2020, type: 'array', prefixItems: [S, { type: 'number' }], unevaluatedItems: S },
      [
        { path: '#/prefixItems/2/type', kind: 'TYPE_CHANGED' },
        { path: '#/prefixItems/2', kind: 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' },
      ],
    ],
    [
      'a tuple item not covered by unevaluatedItems is removed',
      { $schema: DRAFT_2020, type: 'array', prefixItems: [S, { type: 'number' }], unevaluatedItems: S },
      {
        $schema: DRAFT_2020,
        type: 'array',
        prefixItems: [S, { type: 'number' }, { type: 'number' }],
        unevaluatedItems: S,
      },
      [
        { path: '#/unevaluatedItems/type', kind: 'TYPE_CHANGED' },
        { path: '#/unevaluatedItems', kind: 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' },
      ],
    ],
    [
      'a tuple item covered by unevaluatedItems is removed',
      { $schema: DRAFT_2020, type: 'array', prefixItems: [S], unevaluatedItems: S },
      { $schema: DRAFT_2020, type: 'array', prefixItems: [S, S], unevaluatedItems: S },
      [],
    ],
  ];

  const combined: Case[] = [
    ['a oneOf branch is added', { oneOf: [S, I] }, { oneOf: [S] }, []],
    [
      'a oneOf branch is removed',
      { oneOf: [S, I] },
      { oneOf: [S, I, { type: 'boolean' }] },
      [{ path: '#/oneOf', kind: 'SUM_TYPE_NARROWED' }],
    ],
    [
      'a oneOf loses all but one branch',
      { oneOf: [S] },
      { oneOf: [S, I] },
      [{ path: '#/oneOf/0/type', kind: 'TYPE_CHANGED' }],
    ],
    ['an anyOf branch is added', { anyOf: [S, I, { type: 'boolean' }] }, { anyOf: [S, I] }, []],
    [
      'an anyOf branch is removed',
      { anyOf: [S, { type: 'boolean' }] },
      { anyOf: [S, I] },
      [{ path: '#/anyOf', kind: 'SUM_TYPE_NARROWED' }],
    ],
    ['a schema becomes a oneOf containing it', { oneOf: [S, I] }, S, []],
    [
      'a schema becomes a oneOf without it',
      { oneOf: [I, { type: 'boolean' }] },
      S,
      [{ path: '#/oneOf', kind: 'TYPE_CHANGED' }],
    ],
    ['a oneOf becomes one of its branches', S, { oneOf: [S, I] }, [{ path: '#/type', kind: 'TYPE_CHANGED' }]],
    ['an allOf branch is removed', { allOf: [obj({ a: S })] }, { allOf: [obj({ a: S }), { required: ['a'] }] }, []],
    [
      'an allOf branch is added',
      { allOf: [obj({ a: S }), { required: ['a'] }] },
      { allOf: [obj({ a: S })] },
      [{ path: '#/allOf/1/required/a', kind: 'REQUIRED_ATTRIBUTE_ADDED' }],
    ],
    ['anyOf becomes oneOf', { oneOf: [S, I] }, { anyOf: [S, I] }, [{ path: '#/oneOf', kind: 'COMBINED_TYPE_CHANGED' }]],
    ['oneOf becomes anyOf', { anyOf: [S, I] }, { oneOf: [S, I] }, []],
    [
      'a branch of a oneOf is narrowed',
      { oneOf: [{ type: 'string', maxLength: 3 }, I] },
      { oneOf: [S, I] },
      [{ path: '#/oneOf', kind: 'SUM_TYPE_NARROWED' }],
    ],
    ['not is added', { type: 'string', not: { enum: ['x'] } }, S, [{ path: '#/not', kind: 'NOT_TYPE_ADDED' }]],
    ['not is relaxed', { not: { enum: ['x'] } }, { not: { enum: ['x', 'y'] } }, []],
    [
      'not is tightened',
      { not: { enum: ['x', 'y'] } },
      { not: { enum: ['x'] } },
      [{ path: '#/not', kind: 'NOT_TYPE_EXTENDED' }],
    ],
    // JSON.parse builds the conditional: biome rightly dislikes object literals with a `then` key.
    [
      'if/then/else is added',
      JSON.parse('{"type":"object","if":{"required":["a"]},"then":{"required":["b"]}}'),
      { type: 'object' },
      [{ path: '#/if', kind: 'CONDITIONAL_CHANGED' }],
    ],
  ];

  const refs: Case[] = [
    [
      'a definition behind $ref changes',
      {
        type: 'object',
        properties: { a: { $ref: '#/definitions/x' } },
        definitions: { x: { type: 'string', maxLength: 2 } },
      },
      { type: 'object', properties: { a: { $ref: '#/definitions/x' } }, definitions: { x: S } },
      [{ path: '#/properties/a/maxLength', kind: 'MAX_LENGTH_ADDED' }],
    ],
    [
      'a property is inlined from a $ref',
      { type: 'object', properties: { a: S } },
      { type: 'object', properties: { a: { $ref: '#/definitions/x' } }, definitions: { x: S } },
      [],
    ],
    [
      'a recursive schema gains an optional property',
      {
        $ref: '#/definitions/node',
        definitions: { node: { type: 'object', properties: { next: { $ref: '#/definitions/node' }, v: I } } },
      },
      {
        $ref: '#/definitions/node',
        definitions: {
          node: { type: 'object', properties: { next: { $ref: '#/definitions/node' } }, additionalProperties: false },
        },
      },
      [],
    ],
    [
      'a recursive schema changes a property type',
      {
        $schema: DRAFT_2020,
        $ref: '#/$defs/node',
        $defs: { node: { type: 'object', properties: { next: { $ref: '#/$defs/node' }, v: I } } },
      },
      {
        $schema: DRAFT_2020,
        $ref: '#/$defs/node',
        $defs: { node: { type: 'object', properties: { next: { $ref: '#/$defs/node' }, v: S } } },
      },
      [{ path: '#/properties/v/type', kind: 'TYPE_CHANGED' }],
    ],
  ];

  describe.each([
    ['content models', contentModels],
    ['required', required],
    ['types', types],
    ['enum and const', enums],
    ['bounds', bounds],
    ['arrays', arrays],
    ['combined schemas', combined],
    ['references', refs],
  ])('%s', (_, cases) => {
    it.each(cases)('should judge the change when %s', (_, reader, writer, expected) => {
      expect(kinds(reader, writer)).toEqual(expected);
    });
  });

  it('should find no issue when a schema is compared with itself', () => {
    for (const [, reader, writer] of [...contentModels, ...types, ...bounds, ...arrays, ...combined, ...refs]) {
      expect(kinds(reader, reader)).toEqual([]);
      expect(kinds(writer, writer)).toEqual([]);
    }
  });

  it('should accept every value the writer accepts when the checker finds no issue', () => {
    // Sampled check of the checker's soundness: values valid under the writer pass the reader.
    const samples: unknown[] = [
      null,
      true,
      0,
      1,
      -1,
      2.5,
      10,
      11,
      'x',
      'y',
      'z',
      'abc',
      'a@b.co',
      [],
      ['x'],
      ['x', 1],
      [1, 2],
      {},
      { a: 'x' },
      { a: 'x', b: 1 },
      { b: 1 },
      { n: 7 },
      { s: 'abc' },
      { v: 1, next: { v: 2 } },
    ];
    for (const [name, reader, writer, expected] of [
      ...contentModels,
      ...required,
      ...types,
      ...enums,
      ...bounds,
      ...arrays,
      ...combined,
      ...refs,
    ]) {
      // Confluent's rules let a reader require a property it has a default for, or a name no schema
      // declares: not validation matters.
      if (expected.length > 0 || name.includes('default') || name.includes('undeclared')) continue;
      const r = parse(reader);
      const w = parse(writer);
      for (const value of samples) {
        if (w.validate(value))
          expect({ name, value, accepted: r.validate(value) }).toEqual({ name, value, accepted: true });
      }
    }
  });
});
