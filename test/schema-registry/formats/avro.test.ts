import avsc from 'avsc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AvroParsedSchema, avroFormat as avro } from '../../../schema-registry/formats/avro.ts';
import type { ResolvedReference } from '../../../schema-registry/formats/types.ts';
import { caught } from '../helpers.ts';

function record(fields: object[], extra: object = {}): string {
  return JSON.stringify({ type: 'record', name: 'User', namespace: 'acme', fields, ...extra });
}

function kinds(reader: AvroParsedSchema, writer: AvroParsedSchema): { path: string; kind: string }[] {
  return avro.checkCompatibility(reader, writer).map((i) => ({ path: i.path, kind: i.kind }));
}

describe('Avro identity', () => {
  const base = { type: 'record', name: 'User', namespace: 'acme', fields: [{ name: 'id', type: 'long' }] };
  const withField = (field: object, extra: object = {}) =>
    JSON.stringify({ ...base, ...extra, fields: [{ name: 'id', type: 'long', ...field }] });
  const plain = JSON.stringify(base);

  // [case, a, b, same as given, same with normalize=true]. Confluent's AvroSchemaTest
  // (testMetaInequalities, testNormalization…) and the identity cases of issue 12.
  const cases: [string, string, string, boolean, boolean][] = [
    [
      'whitespace and attribute order',
      plain,
      '{ "fields" : [ {"type":"long","name":"id"} ], "namespace":"acme", "name":"User", "type":"record" }',
      true,
      true,
    ],
    [
      'a dotted name for namespace + name',
      plain,
      JSON.stringify({ ...base, namespace: undefined, name: 'acme.User' }),
      true,
      true,
    ],
    ['a primitive in object form', plain, withField({ type: { type: 'long' } }), true, true],
    ['an explicit ascending order', plain, withField({ order: 'ascending' }), true, true],
    ['a record doc', plain, JSON.stringify({ ...base, doc: 'a user' }), false, false],
    ['record aliases', plain, JSON.stringify({ ...base, aliases: ['Person'] }), false, false],
    ['a field doc', plain, withField({ doc: 'the key' }), false, false],
    ['field aliases', plain, withField({ aliases: ['key'] }), false, false],
    ['a default', plain, withField({ default: 0 }), false, false],
    ['another default', withField({ default: 0 }), withField({ default: 1 }), false, false],
    ['a logical type', plain, withField({ type: { type: 'long', logicalType: 'timestamp-millis' } }), false, false],
    [
      'a decimal precision',
      withField({ type: { type: 'bytes', logicalType: 'decimal', precision: 4, scale: 2 } }),
      withField({ type: { type: 'bytes', logicalType: 'decimal', precision: 5, scale: 2 } }),
      false,
      false,
    ],
    ['a custom property', plain, JSON.stringify({ ...base, 'connect.name': 'acme.User' }), false, false],
    [
      'custom properties in another order',
      withField({ type: { type: 'long', 'connect.name': 'x', 'connect.version': 1 } }),
      withField({ type: { type: 'long', 'connect.version': 1, 'connect.name': 'x' } }),
      false,
      true,
    ],
    [
      'aliases in another order',
      JSON.stringify({ ...base, aliases: ['A', 'B'] }),
      JSON.stringify({ ...base, aliases: ['B', 'A'] }),
      false,
      true,
    ],
    [
      'a decimal scale of 0 written out',
      withField({ type: { type: 'bytes', logicalType: 'decimal', precision: 4 } }),
      withField({ type: { type: 'bytes', logicalType: 'decimal', precision: 4, scale: 0 } }),
      false,
      true,
    ],
  ];

  it.each(cases)(
    'should tell schemas apart as Confluent does when they differ by %s',
    (_, a, b, same, sameNormalized) => {
      const x = avro.parse(a);
      const y = avro.parse(b);
      expect(x.canonical === y.canonical).toBe(same);
      expect(x.normalized === y.normalized).toBe(sameNormalized);
    },
  );

  it('should keep every attribute in the form when the schema has doc, aliases, defaults and properties', () => {
    const schema = avro.parse(
      JSON.stringify({
        type: 'record',
        name: 'Envelope',
        namespace: 'some.scope',
        'connect.name': 'some.scope.Envelope',
        fields: [
          {
            name: 'at',
            doc: 'when',
            default: 0,
            type: { type: 'long', logicalType: 'timestamp-millis', 'connect.version': 1 },
          },
        ],
      }),
    );
    expect(schema.canonical).toBe(
      '{"type":"record","name":"some.scope.Envelope","fields":[{"name":"at","type":{"type":"long","logicalType":"timestamp-millis","connect.version":1},' +
        '"doc":"when","default":0}],"connect.name":"some.scope.Envelope"}',
    );
    // The normalised form is itself a schema with the same form.
    expect(avro.parse(schema.normalized!).normalized).toBe(schema.normalized);
  });

  it('should qualify nested names with the enclosing namespace and write a named type once', () => {
    const schema = avro.parse(
      JSON.stringify({
        type: 'record',
        name: 'Outer',
        namespace: 'a.b',
        fields: [
          { name: 'e', type: { type: 'enum', name: 'E', symbols: ['X'] } },
          { name: 'f', type: { type: 'fixed', name: 'F', namespace: 'c', size: 2 } },
          { name: 'again', type: 'E' },
        ],
      }),
    );
    expect(schema.canonical).toBe(
      '{"type":"record","name":"a.b.Outer","fields":[{"name":"e","type":{"type":"enum","name":"a.b.E","symbols":["X"]}},' +
        '{"name":"f","type":{"type":"fixed","name":"c.F","size":2}},{"name":"again","type":"a.b.E"}]}',
    );
  });

  // Schemas built from a random shape, written twice: keys shuffled and spaced out the second time.
  type Shape =
    | string
    | { k: 'record'; ns?: string; doc?: string; fields: Shape[] }
    | { k: 'enum'; n: number }
    | { k: 'fixed'; size: number }
    | { k: 'array'; of: Shape }
    | { k: 'map'; of: Shape }
    | { k: 'union'; of: string[] };
  const primitives = ['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'];
  const shapes = fc.letrec<{ shape: Shape }>((tie) => ({
    shape: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(...primitives),
      fc.record({
        k: fc.constant('record' as const),
        ns: fc.option(fc.constantFrom('a', 'a.b', 'x.y.z'), { nil: undefined }),
        doc: fc.option(fc.string(), { nil: undefined }),
        fields: fc.array(tie('shape'), { maxLength: 3 }),
      }),
      fc.record({ k: fc.constant('enum' as const), n: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ k: fc.constant('fixed' as const), size: fc.integer({ min: 0, max: 16 }) }),
      fc.record({ k: fc.constant('array' as const), of: tie('shape') }),
      fc.record({ k: fc.constant('map' as const), of: tie('shape') }),
      fc.record({
        k: fc.constant('union' as const),
        of: fc.uniqueArray(fc.constantFrom(...primitives), { minLength: 1, maxLength: 4 }),
      }),
    ),
  })).shape;

  function toSchema(shape: Shape, counter = { n: 0 }, useWrapped = false): unknown {
    if (typeof shape === 'string') return useWrapped ? { type: shape } : shape;
    const name = () => `T${counter.n++}`;
    switch (shape.k) {
      case 'record':
        return {
          type: 'record',
          name: name(),
          ...(shape.ns === undefined ? {} : { namespace: shape.ns }),
          ...(shape.doc === undefined ? {} : { doc: shape.doc }),
          fields: shape.fields.map((f, i) => ({
            name: `f${i}`,
            type: toSchema(f, counter, i % 2 === 1),
            doc: 'd',
            order: 'ignore',
          })),
        };
      case 'enum':
        return {
          type: 'enum',
          name: name(),
          symbols: Array.from({ length: shape.n }, (_, i) => `S${i}`),
          aliases: ['Old'],
        };
      case 'fixed':
        return { type: 'fixed', name: name(), size: shape.size };
      case 'array':
        return { type: 'array', items: toSchema(shape.of, counter) };
      case 'map':
        return { type: 'map', values: toSchema(shape.of, counter) };
      case 'union':
        return shape.of;
    }
  }

  function reversedKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(reversedKeys);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reversedKeys(v)]),
    );
  }

  it('should give one form when random schemas differ only in key order and whitespace', () => {
    fc.assert(
      fc.property(shapes, (shape) => {
        const schema = toSchema(shape);
        const a = avro.parse(JSON.stringify(schema));
        const b = avro.parse(JSON.stringify(reversedKeys(schema), null, 2));
        expect(b.canonical).toBe(a.canonical);
        // and the form is a schema Avro reads the same way
        expect(avsc.Type.forSchema(JSON.parse(a.canonical)).fingerprint().equals(a.type.fingerprint())).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('should accept a named type referred to in object form and an empty union, as Avro Java does', () => {
    const schema = avro.parse(
      JSON.stringify({
        type: 'record',
        name: 'R',
        fields: [
          { name: 'e', type: { type: 'enum', name: 'E', symbols: ['A'] } },
          { name: 'again', type: { type: 'E' } },
        ],
      }),
    );
    expect(avro.deserialize(schema, avro.serialize(schema, { e: 'A', again: 'A' }))).toEqual({ e: 'A', again: 'A' });
    const empty = avro.parse('{"type":"record","name":"R","fields":[{"name":"never","type":[]}]}');
    expect(empty.canonical).toBe('{"type":"record","name":"R","fields":[{"name":"never","type":[]}]}');
    expect(caught(() => avro.serialize(empty, { never: null })).code).toBe('SCHEMA_VALIDATION_FAILED');
    expect(avro.parse('[]').canonical).toBe('[]');
  });
});

describe('Avro parse', () => {
  it.each([
    ['not JSON', '{"type":', /not JSON/],
    ['an unknown type name', record([{ name: 'a', type: 'strin' }]), /undefined type name: acme\.strin/],
    ['a record without a name', '{"type":"record","fields":[]}', /.+/],
    ['a default of the wrong type', record([{ name: 'a', type: 'int', default: 'x' }]), /invalid/],
    ['duplicate enum symbols', '{"type":"enum","name":"E","symbols":["A","A"]}', /.+/],
  ])('should fail with INVALID_SCHEMA when the schema has %s', (_, text, message) => {
    const err = caught(() => avro.parse(text));
    expect(err.code).toBe('INVALID_SCHEMA');
    expect(err.message).toMatch(message);
    expect(err.context['schemaType']).toBe('AVRO');
  });

  const address: ResolvedReference = {
    name: 'acme.Address',
    subject: 'address',
    version: 1,
    schemaType: 'AVRO',
    schema: JSON.stringify({
      type: 'record',
      name: 'Address',
      namespace: 'acme',
      fields: [
        { name: 'street', type: 'string' },
        { name: 'country', type: 'acme.Country' },
      ],
    }),
    references: [
      {
        name: 'acme.Country',
        subject: 'country',
        version: 2,
        schemaType: 'AVRO',
        schema: '{"type":"enum","name":"Country","namespace":"acme","symbols":["NL","FR"]}',
        references: [],
      },
    ],
  };
  const withAddress = record([
    { name: 'id', type: 'int' },
    { name: 'home', type: 'acme.Address' },
  ]);

  it('should resolve named types from references, recursively, when the schema refers to them', () => {
    const schema = avro.parse(withAddress, [address]);
    const value = { id: 1, home: { street: 'Dam 1', country: 'NL' } };
    expect(avro.deserialize(schema, avro.serialize(schema, value))).toEqual(value);
  });

  it('should name referenced types without their definition when computing the canonical form', () => {
    const schema = avro.parse(withAddress, [address]);
    expect(schema.canonical).toBe(
      '{"type":"record","name":"acme.User","fields":[{"name":"id","type":"int"},{"name":"home","type":"acme.Address"}]}',
    );
  });

  it('should write referenced types out in the resolved form, as the same schema sent inlined', () => {
    const schema = avro.parse(withAddress, [address]);
    const inlined = JSON.stringify({
      ...JSON.parse(withAddress),
      fields: [
        { name: 'id', type: 'int' },
        {
          name: 'home',
          type: {
            ...JSON.parse(address.schema),
            fields: [
              { name: 'street', type: 'string' },
              { name: 'country', type: JSON.parse(address.references[0]!.schema) },
            ],
          },
        },
      ],
    });
    expect(avro.parse(inlined).resolved).toBe(schema.resolved);
    expect(avro.parse(inlined).canonical).not.toBe(schema.canonical);
  });

  it('should fail with INVALID_SCHEMA when a referenced type is missing', () => {
    expect(caught(() => avro.parse(withAddress)).code).toBe('INVALID_SCHEMA');
  });

  it('should write the referenced types in place when asked for the resolved format', () => {
    const resolved = JSON.parse(avro.toFormat!(avro.parse(withAddress, [address]), 'resolved'));
    expect(resolved.fields[1].type.fields[1].type.symbols).toEqual(['NL', 'FR']);
    expect(avro.toFormat!(avro.parse(withAddress, [address]), '')).toBe(withAddress);
  });

  it('should give the full name of a named schema as its record name', () => {
    expect(avro.recordName!(avro.parse(record([])))).toBe('acme.User');
    expect(avro.recordName!(avro.parse('"string"'))).toBeUndefined();
  });
});

describe('Avro compatibility', () => {
  type Case = [name: string, reader: string, writer: string, expected: { path: string; kind: string }[]];
  const f = (fields: object[], extra: object = {}) => record(fields, extra);
  const cases: Case[] = [
    [
      'a field is added with a default',
      f([
        { name: 'a', type: 'int' },
        { name: 'b', type: 'string', default: '' },
      ]),
      f([{ name: 'a', type: 'int' }]),
      [],
    ],
    [
      'a field is added without a default',
      f([
        { name: 'a', type: 'int' },
        { name: 'b', type: 'string' },
      ]),
      f([{ name: 'a', type: 'int' }]),
      [{ path: '/fields/1', kind: 'READER_FIELD_MISSING_DEFAULT_VALUE' }],
    ],
    [
      'a field is removed',
      f([{ name: 'a', type: 'int' }]),
      f([
        { name: 'a', type: 'int' },
        { name: 'b', type: 'string' },
      ]),
      [],
    ],
    [
      'a field is renamed with an alias',
      f([{ name: 'b', type: 'int', aliases: ['a'] }]),
      f([{ name: 'a', type: 'int' }]),
      [],
    ],
    ['int is promoted to long', f([{ name: 'a', type: 'long' }]), f([{ name: 'a', type: 'int' }]), []],
    ['int is promoted to float', f([{ name: 'a', type: 'float' }]), f([{ name: 'a', type: 'int' }]), []],
    ['long is promoted to double', f([{ name: 'a', type: 'double' }]), f([{ name: 'a', type: 'long' }]), []],
    ['float is promoted to double', f([{ name: 'a', type: 'double' }]), f([{ name: 'a', type: 'float' }]), []],
    ['string is read as bytes', f([{ name: 'a', type: 'bytes' }]), f([{ name: 'a', type: 'string' }]), []],
    ['bytes are read as string', f([{ name: 'a', type: 'string' }]), f([{ name: 'a', type: 'bytes' }]), []],
    [
      'long is narrowed to int',
      f([{ name: 'a', type: 'int' }]),
      f([{ name: 'a', type: 'long' }]),
      [{ path: '/fields/0/type', kind: 'TYPE_MISMATCH' }],
    ],
    [
      'double is narrowed to float',
      f([{ name: 'a', type: 'float' }]),
      f([{ name: 'a', type: 'double' }]),
      [{ path: '/fields/0/type', kind: 'TYPE_MISMATCH' }],
    ],
    [
      'a string becomes an int',
      f([{ name: 'a', type: 'int' }]),
      f([{ name: 'a', type: 'string' }]),
      [{ path: '/fields/0/type', kind: 'TYPE_MISMATCH' }],
    ],
    [
      'a union branch is added',
      f([{ name: 'a', type: ['null', 'string', 'int'] }]),
      f([{ name: 'a', type: ['null', 'string'] }]),
      [],
    ],
    [
      'a union branch is removed',
      f([{ name: 'a', type: ['null', 'string'] }]),
      f([{ name: 'a', type: ['null', 'string', 'int'] }]),
      [{ path: '/fields/0/type/2', kind: 'MISSING_UNION_BRANCH' }],
    ],
    [
      'a type becomes a union containing it',
      f([{ name: 'a', type: ['null', 'string'] }]),
      f([{ name: 'a', type: 'string' }]),
      [],
    ],
    [
      'a type becomes a union that can promote it',
      f([{ name: 'a', type: ['null', 'long'] }]),
      f([{ name: 'a', type: 'int' }]),
      [],
    ],
    [
      'a type becomes a union without it',
      f([{ name: 'a', type: ['null', 'int'] }]),
      f([{ name: 'a', type: 'string' }]),
      [{ path: '/fields/0/type', kind: 'MISSING_UNION_BRANCH' }],
    ],
    [
      'a union becomes one of its types',
      f([{ name: 'a', type: 'string' }]),
      f([{ name: 'a', type: ['null', 'string'] }]),
      [{ path: '/fields/0/type', kind: 'TYPE_MISMATCH' }],
    ],
    [
      'enum symbols are removed without a default',
      f([{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['A'] } }]),
      f([{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['A', 'B'] } }]),
      [{ path: '/fields/0/type/symbols', kind: 'MISSING_ENUM_SYMBOLS' }],
    ],
    [
      'enum symbols are removed with a default',
      f([{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['A', 'UNKNOWN'], default: 'UNKNOWN' } }]),
      f([{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['A', 'B'] } }]),
      [],
    ],
    [
      'enum symbols are added',
      f([{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['A', 'B'] } }]),
      f([{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['A'] } }]),
      [],
    ],
    [
      'a fixed size changes',
      f([{ name: 'x', type: { type: 'fixed', name: 'F', size: 8 } }]),
      f([{ name: 'x', type: { type: 'fixed', name: 'F', size: 4 } }]),
      [{ path: '/fields/0/type/size', kind: 'FIXED_SIZE_MISMATCH' }],
    ],
    ['the record is renamed', f([], { name: 'Person' }), f([]), [{ path: '/name', kind: 'NAME_MISMATCH' }]],
    ['the record is renamed with an alias', f([], { name: 'Person', aliases: ['acme.User'] }), f([]), []],
    ['only the namespace changes', f([], { namespace: 'other' }), f([]), []],
    [
      'a nested enum is renamed',
      f([{ name: 'e', type: { type: 'enum', name: 'Kind', symbols: ['A'] } }]),
      f([{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['A'] } }]),
      [{ path: '/fields/0/type/name', kind: 'NAME_MISMATCH' }],
    ],
    [
      'array items change type',
      f([{ name: 'xs', type: { type: 'array', items: 'int' } }]),
      f([{ name: 'xs', type: { type: 'array', items: 'string' } }]),
      [{ path: '/fields/0/type/items', kind: 'TYPE_MISMATCH' }],
    ],
    [
      'map values change type',
      f([{ name: 'm', type: { type: 'map', values: 'boolean' } }]),
      f([{ name: 'm', type: { type: 'map', values: 'int' } }]),
      [{ path: '/fields/0/type/values', kind: 'TYPE_MISMATCH' }],
    ],
    [
      'an array becomes a map',
      f([{ name: 'm', type: { type: 'map', values: 'int' } }]),
      f([{ name: 'm', type: { type: 'array', items: 'int' } }]),
      [{ path: '/fields/0/type', kind: 'TYPE_MISMATCH' }],
    ],
    [
      'a field of a nested record is added without a default',
      f([
        {
          name: 'n',
          type: {
            type: 'record',
            name: 'N',
            fields: [
              { name: 'x', type: 'int' },
              { name: 'y', type: 'int' },
            ],
          },
        },
      ]),
      f([{ name: 'n', type: { type: 'record', name: 'N', fields: [{ name: 'x', type: 'int' }] } }]),
      [{ path: '/fields/0/type/fields/1', kind: 'READER_FIELD_MISSING_DEFAULT_VALUE' }],
    ],
    [
      'a recursive record gains an optional field',
      f([
        { name: 'next', type: ['null', 'acme.User'], default: null },
        { name: 'v', type: ['null', 'int'], default: null },
      ]),
      f([{ name: 'next', type: ['null', 'acme.User'], default: null }]),
      [],
    ],
    [
      'a recursive record changes a field type',
      f([
        { name: 'next', type: ['null', 'acme.User'], default: null },
        { name: 'v', type: 'int' },
      ]),
      f([
        { name: 'next', type: ['null', 'acme.User'], default: null },
        { name: 'v', type: 'string' },
      ]),
      [{ path: '/fields/1/type', kind: 'TYPE_MISMATCH' }],
    ],
    ['the top-level type changes', '"string"', '"int"', [{ path: '/', kind: 'TYPE_MISMATCH' }]],
  ];

  it.each(cases)('should judge the change when %s', (_, reader, writer, expected) => {
    expect(kinds(avro.parse(reader), avro.parse(writer))).toEqual(expected);
  });

  it('should agree with avsc resolution when the checker finds no issue', () => {
    for (const [, reader, writer, expected] of cases) {
      const r = avsc.Type.forSchema(JSON.parse(reader));
      const w = avsc.Type.forSchema(JSON.parse(writer));
      const resolves = (() => {
        try {
          r.createResolver(w, { ignoreNamespaces: true });
          return true;
        } catch {
          return false;
        }
      })();
      expect({ reader, writer, resolves }).toEqual({ reader, writer, resolves: expected.length === 0 });
    }
  });
});

describe('Avro serialize and deserialize', () => {
  const schema = avro.parse(
    record([
      { name: 'id', type: 'int' },
      { name: 'n', type: 'long' },
      { name: 'score', type: 'double' },
      { name: 'name', type: 'string' },
      { name: 'raw', type: 'bytes' },
      { name: 'ok', type: 'boolean' },
      { name: 'tags', type: { type: 'array', items: 'string' } },
      { name: 'counts', type: { type: 'map', values: 'int' } },
      { name: 'email', type: ['null', 'string'], default: null },
      { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['A', 'B', 'C'] } },
      { name: 'address', type: { type: 'record', name: 'Address', fields: [{ name: 'street', type: 'string' }] } },
    ]),
  );
  const values = fc.record({
    id: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    // avsc 5.7 writes longs beyond ±2^52 wrongly (zigzag needs one more bit than a double holds).
    n: fc
      .double({ min: -(2 ** 52), max: 2 ** 52, noNaN: true })
      .map(Math.trunc)
      .map((x) => x + 0),
    score: fc.double({ noNaN: true }),
    name: fc.string({ unit: 'grapheme' }),
    raw: fc.uint8Array().map((a) => Buffer.from(a)),
    ok: fc.boolean(),
    tags: fc.array(fc.string()),
    // avsc reads maps into plain objects by assignment, so a '__proto__' key sets the prototype instead.
    counts: fc.dictionary(
      fc.string().filter((k) => k !== '__proto__'),
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    ),
    email: fc.option(fc.string(), { nil: null }),
    kind: fc.constantFrom('A', 'B', 'C'),
    address: fc.record({ street: fc.string() }),
  });

  it('should give back the value when it is serialized and deserialized', () => {
    fc.assert(
      fc.property(values, (value) => {
        const back = avro.deserialize(schema, avro.serialize(schema, value)) as Record<string, unknown>;
        expect({ ...back, address: { ...(back['address'] as object) } }).toEqual(value);
      }),
    );
  });

  it('should write the same bytes as avsc when the value is valid', () => {
    const type = avsc.Type.forSchema(JSON.parse(schema.schema));
    fc.assert(
      fc.property(values, (value) => {
        expect(Buffer.from(avro.serialize(schema, value))).toEqual(type.toBuffer(value));
      }),
      { numRuns: 50 },
    );
  });

  it.each([
    ['a nested field has the wrong type', { address: { street: 3 } }, '/address/street', 'string'],
    ['an array item has the wrong type', { tags: ['a', 4] }, '/tags/1', 'string'],
    ['an enum symbol is unknown', { kind: 'D' }, '/kind', 'enum acme.Kind'],
    ['an int is out of range', { id: 2 ** 31 }, '/id', 'int'],
    ['a required field is missing', { id: undefined }, '/id', 'int'],
  ])('should fail with SCHEMA_VALIDATION_FAILED naming path and rule when %s', (_, patch, path, rule) => {
    const valid = fc.sample(values, { numRuns: 1, seed: 1 })[0]!;
    const err = caught(() => avro.serialize(schema, { ...valid, ...patch }));
    expect(err.code).toBe('SCHEMA_VALIDATION_FAILED');
    expect(err.context['path']).toBe(path);
    expect(err.context['rule']).toBe(rule);
    expect(err.message).toContain(path);
  });

  it('should resolve to the reader schema when a reader is given', () => {
    const v1 = avro.parse(
      record([
        { name: 'id', type: 'int' },
        { name: 'old', type: 'string' },
      ]),
    );
    const v2 = avro.parse(
      record([
        { name: 'id', type: 'long' },
        { name: 'email', type: 'string', default: 'none' },
      ]),
    );
    const bytes = avro.serialize(v1, { id: 7, old: 'x' });
    expect({ ...(avro.deserialize(v1, bytes, { reader: v2 }) as object) }).toEqual({ id: 7, email: 'none' });
    expect({ ...(avro.deserialize(v1, bytes, { reader: v2 }) as object) }).toEqual({ id: 7, email: 'none' });
  });

  it('should fail with SERIALIZATION_ERROR when the reader cannot read the writer', () => {
    const v1 = avro.parse(record([{ name: 'id', type: 'int' }]));
    const v2 = avro.parse(
      record([
        { name: 'id', type: 'int' },
        { name: 'email', type: 'string' },
      ]),
    );
    expect(caught(() => avro.deserialize(v1, avro.serialize(v1, { id: 1 }), { reader: v2 })).code).toBe(
      'SERIALIZATION_ERROR',
    );
  });

  it('should fail with SERIALIZATION_ERROR when the bytes are truncated or too long', () => {
    const v1 = avro.parse(
      record([
        { name: 'id', type: 'int' },
        { name: 'name', type: 'string' },
      ]),
    );
    const bytes = avro.serialize(v1, { id: 1, name: 'hello' });
    expect(caught(() => avro.deserialize(v1, bytes.subarray(0, 3))).code).toBe('SERIALIZATION_ERROR');
    expect(caught(() => avro.deserialize(v1, new Uint8Array([...bytes, 0]))).code).toBe('SERIALIZATION_ERROR');
  });

  it('should read a plain Uint8Array when the bytes are not a Buffer', () => {
    const v1 = avro.parse('"string"');
    const bytes = new Uint8Array(avro.serialize(v1, 'hé'));
    expect(avro.deserialize(v1, bytes)).toBe('hé');
  });
});
