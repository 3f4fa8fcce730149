import { createFileRegistry, type DescMessage, fromBinary, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, file_google_protobuf_timestamp } from '@bufbuild/protobuf/wkt';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { type ProtobufParsedSchema, protobufFormat as proto } from '../../../schema-registry/formats/protobuf.ts';
import type { ResolvedReference } from '../../../schema-registry/formats/types.ts';
import { caught } from '../helpers.ts';

const money: ResolvedReference = {
  name: 'common/money.proto',
  subject: 'money',
  version: 1,
  schemaType: 'PROTOBUF',
  schema:
    'syntax = "proto3";\npackage common;\nimport "common/currency.proto";\nmessage Money { int64 units = 1; Currency currency = 2; }\n',
  references: [
    {
      name: 'common/currency.proto',
      subject: 'currency',
      version: 1,
      schemaType: 'PROTOBUF',
      schema: 'syntax = "proto3"; package common; enum Currency { EUR = 0; USD = 1; }',
      references: [],
    },
  ],
};

const ORDER = `
syntax = "proto3";
package acme.v1;

import "google/protobuf/timestamp.proto";
import "common/money.proto";

// An order, with nested messages before and after its fields.
message Order {
  int64 id = 1;
  map<string, int32> counts = 2;
  message Line {
    string sku = 1;
    Kind kind = 2;
    enum Kind { UNKNOWN = 0; BOOK = 1; }
    message Note { string text = 1; }
  }
  repeated Line lines = 3;
  oneof payment { string card = 4; string iban = 5; }
  optional string note = 6;
  google.protobuf.Timestamp placed_at = 7;
  common.Money total = 8;
}

enum Status { NEW = 0; PAID = 1; }

message Shipment {
  string carrier = 1;
  message Parcel {
    message Label { string code = 1; }
    Label label = 1;
  }
}
`;

describe('Protobuf parse', () => {
  it('should resolve an import from a reference, and its own reference, when names match', () => {
    const schema = proto.parse(ORDER, [money]);
    expect([...schema.library.files.keys()].sort()).toEqual([
      'common/currency.proto',
      'common/money.proto',
      'google/protobuf/timestamp.proto',
      'schema.proto',
    ]);
  });

  it('should provide google/protobuf well-known files when they are imported without a reference', () => {
    for (const file of [
      'any',
      'duration',
      'empty',
      'field_mask',
      'struct',
      'timestamp',
      'wrappers',
      'descriptor',
      'api',
      'type',
      'source_context',
    ]) {
      const text = `syntax = "proto3"; import "google/protobuf/${file}.proto"; message A { int32 x = 1; }`;
      expect(() => proto.parse(text)).not.toThrow();
    }
    const schema = proto.parse(
      'syntax = "proto3"; import "google/protobuf/wrappers.proto"; message A { google.protobuf.StringValue s = 1; }',
    );
    expect(proto.deserialize(schema, proto.serialize(schema, { s: { value: 'x' } }))).toMatchObject({
      s: { value: 'x' },
    });
  });

  it('should provide confluent/meta.proto when a schema uses Confluent field metadata', () => {
    const text =
      'syntax = "proto3"; import "confluent/meta.proto"; message A { string ssn = 1 [(confluent.field_meta).tags = "PII"]; }';
    expect(proto.parse(text).canonical).toContain('string ssn = 1 [(confluent.field_meta).tags = "PII"];');
  });

  it.each([
    ['google/type/calendar_period.proto', 'google.type.CalendarPeriod'],
    ['google/type/color.proto', 'google.type.Color'],
    ['google/type/date.proto', 'google.type.Date'],
    ['google/type/datetime.proto', 'google.type.DateTime'],
    ['google/type/dayofweek.proto', 'google.type.DayOfWeek'],
    ['google/type/decimal.proto', 'google.type.Decimal'],
    ['google/type/expr.proto', 'google.type.Expr'],
    ['google/type/fraction.proto', 'google.type.Fraction'],
    ['google/type/interval.proto', 'google.type.Interval'],
    ['google/type/latlng.proto', 'google.type.LatLng'],
    ['google/type/money.proto', 'google.type.Money'],
    ['google/type/month.proto', 'google.type.Month'],
    ['google/type/phone_number.proto', 'google.type.PhoneNumber'],
    ['google/type/postal_address.proto', 'google.type.PostalAddress'],
    ['google/type/quaternion.proto', 'google.type.Quaternion'],
    ['google/type/timeofday.proto', 'google.type.TimeOfDay'],
    ['confluent/type/decimal.proto', 'confluent.type.Decimal'],
    ['confluent/type/variant.proto', 'confluent.type.Variant'],
    ['confluent/meta.proto', 'confluent.Meta'],
  ])('should resolve %s as a built-in import when a schema uses %s without a reference', (file, type) => {
    const text = `syntax = "proto3";\nimport "${file}";\nmessage A {\n  ${type} v = 1;\n}\n`;
    expect(proto.parse(text).canonical).toContain(`${type} v = 1;`);
  });

  it('should read and write a record of Google and Confluent built-in types when they are imported', () => {
    const schema = proto.parse(`syntax = "proto3";
import "google/type/date.proto";
import "google/type/money.proto";
import "confluent/type/variant.proto";
message Payment {
  google.type.Date day = 1;
  google.type.Money amount = 2;
  confluent.type.Variant extra = 3;
}
`);
    const value = {
      day: { year: 2026, month: 12, day: 5 },
      amount: { currency_code: 'EUR', units: 12, nanos: 500_000_000 },
      extra: { metadata: Buffer.from([1]), value: Buffer.from([2, 3]) },
    };
    expect(proto.deserialize(schema, proto.serialize(schema, value))).toMatchObject({
      day: value.day,
      amount: { currency_code: 'EUR', nanos: 500_000_000 },
      extra: { metadata: Buffer.from([1]), value: Buffer.from([2, 3]) },
    });
  });

  it('should accept data-contract rules in confluent/meta.proto options when a schema carries them', () => {
    const text = `syntax = "proto3";
import "confluent/meta.proto";
message A {
  string ssn = 1 [(confluent.field_meta) = { tags: "PII", rules: [{ name: "mask", expr: "size(ssn) == 9" }] }];
}
`;
    expect(() => proto.parse(text)).not.toThrow();
  });

  it.each([
    ['a syntax error', 'syntax = "proto3"; message A { int32 x = 1 }', /illegal token/],
    ['an unknown type', 'syntax = "proto3"; message A { Missing m = 1; }', /no such Type or Enum 'Missing'/],
    ['an import without a reference', 'syntax = "proto3"; import "other.proto"; message A {}', /imports other\.proto/],
    ['a duplicate message', 'syntax = "proto3"; message A {} message A {}', /duplicate name/],
    [
      'a base64 text that is not a descriptor',
      'AAAAAAAAAAAAAAAAAAAA',
      /not a \.proto text nor a base64 FileDescriptorProto/,
    ],
  ])('should fail with INVALID_SCHEMA when the schema has %s', (_, text, message) => {
    const err = caught(() => proto.parse(text));
    expect(err.code).toBe('INVALID_SCHEMA');
    expect(err.message).toMatch(message);
    expect(err.context['schemaType']).toBe('PROTOBUF');
  });

  it('should fail with INVALID_SCHEMA when a reference defines a type the schema defines too', () => {
    const ref = { ...money.references[0]!, name: 'dup.proto', schema: 'syntax = "proto3"; package acme; message A {}' };
    expect(
      caught(() => proto.parse('syntax = "proto3"; package acme; import "dup.proto"; message A {}', [ref])).code,
    ).toBe('INVALID_SCHEMA');
  });

  it('should parse proto2 with required fields, defaults and groups', () => {
    const schema = proto.parse(
      'syntax = "proto2"; package p; message A { required int32 id = 1; optional string s = 2 [default = "x"]; optional group G = 3 { optional int32 y = 1; } }',
    );
    expect(schema.canonical).toBe(
      [
        'syntax = "proto2";',
        'package p;',
        'message A {',
        '  required int32 id = 1;',
        '  optional string s = 2 [default = "x"];',
        '  optional group G = 3 {',
        '    optional int32 y = 1;',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    const bytes = proto.serialize(schema, { id: 1, g: { y: 2 } });
    expect(proto.deserialize(schema, bytes)).toMatchObject({ id: 1, s: 'x', g: { y: 2 } });
  });

  it('should give the first message full name as the record name', () => {
    expect(proto.recordName!(proto.parse(ORDER, [money]))).toBe('acme.v1.Order');
  });
});

describe('Protobuf message indexes', () => {
  const schema = proto.parse(ORDER, [money]);

  it.each([
    [undefined, [0]],
    ['acme.v1.Order', [0]],
    ['Order', [0]],
    ['.acme.v1.Order', [0]],
    ['acme.v1.Shipment', [1]],
    ['acme.v1.Order.Line', [0, 0]],
    ['acme.v1.Order.Line.Note', [0, 0, 0]],
    ['acme.v1.Shipment.Parcel', [1, 0]],
    ['Shipment.Parcel.Label', [1, 0, 0]],
  ])('should give Confluent indexes when the message is %s', (name, indexes) => {
    expect(proto.messageIndexes!(schema, name)).toEqual(indexes);
  });

  it('should fail with INVALID_SCHEMA when the message is unknown', () => {
    expect(caught(() => proto.messageIndexes!(schema, 'acme.v1.Status')).code).toBe('INVALID_SCHEMA');
  });

  it('should encode and decode the message the indexes name when they are nested or not first', () => {
    const root = protobuf.parse(ORDER.replace(/import "common[^\n]*\n/, '').replace('common.Money total = 8;', ''), {
      keepCase: true,
    }).root;
    root.addJSON(protobuf.common.get('google/protobuf/timestamp.proto')!.nested!);
    for (const [name, value] of [
      ['acme.v1.Shipment', { carrier: 'DHL' }],
      ['acme.v1.Order.Line', { sku: 'b-1', kind: 1 }],
      ['acme.v1.Shipment.Parcel.Label', { code: 'Z' }],
    ] as const) {
      const messageIndexes = proto.messageIndexes!(schema, name);
      const bytes = proto.serialize(schema, value, { messageIndexes });
      expect(Buffer.from(bytes)).toEqual(Buffer.from(root.lookupType(name).encode(value).finish()));
      expect(proto.deserialize(schema, bytes, { messageIndexes })).toMatchObject(value);
    }
  });

  it('should fail with SERIALIZATION_ERROR when the indexes name no message', () => {
    expect(caught(() => proto.deserialize(schema, new Uint8Array(), { messageIndexes: [5] })).code).toBe(
      'SERIALIZATION_ERROR',
    );
  });

  it('should count messages the way @confluentinc/schemaregistry does when it reads our descriptor', () => {
    const registry = registryFor(schema);
    const file = registry.getFile('schema.proto')!;
    // The client's algorithm: index among the file's messages, then among each parent's nested messages.
    const clientIndexes = (m: DescMessage): number[] =>
      m.parent === undefined
        ? [file.messages.indexOf(m)]
        : [...clientIndexes(m.parent), m.parent.nestedMessages.indexOf(m)];
    for (const name of [
      'acme.v1.Order',
      'acme.v1.Order.Line',
      'acme.v1.Order.Line.Note',
      'acme.v1.Shipment.Parcel.Label',
    ]) {
      expect(clientIndexes(registry.getMessage(name)!)).toEqual(proto.messageIndexes!(schema, name));
    }
  });
});

function registryFor(schema: ProtobufParsedSchema) {
  const main = fromBinary(FileDescriptorProtoSchema, Buffer.from(proto.toFormat!(schema, 'serialized'), 'base64'));
  const deps = new Map<string, ReturnType<typeof fromBinary<typeof FileDescriptorProtoSchema>>>();
  const add = (refs: readonly ResolvedReference[]) => {
    for (const ref of refs) {
      const fdp = fromBinary(
        FileDescriptorProtoSchema,
        Buffer.from(proto.toFormat!(proto.parse(ref.schema, ref.references), 'serialized'), 'base64'),
      );
      fdp.name = ref.name;
      deps.set(ref.name, fdp);
      add(ref.references);
    }
  };
  add(schema.references);
  return createFileRegistry(main, (name) =>
    name === 'google/protobuf/timestamp.proto' ? file_google_protobuf_timestamp : deps.get(name),
  );
}

describe('Protobuf serialize and deserialize', () => {
  const schema = proto.parse(ORDER, [money]);

  it.each([
    ['a scalar has the wrong type', { id: 'x' }, '/id', 'integer|Long expected'],
    ['a nested field has the wrong type', { lines: [{ sku: 3 }] }, '/lines/sku', 'string expected'],
    ['a map value has the wrong type', { counts: { a: 'x' } }, '/counts', 'integer{k:string} expected'],
    ['an enum value is not a number', { lines: [{ kind: 'BOOK' }] }, '/lines/kind', 'enum value expected'],
    [
      'an imported message field has the wrong type',
      { total: { units: 'x' } },
      '/total/units',
      'integer|Long expected',
    ],
  ])('should fail with SCHEMA_VALIDATION_FAILED naming path and rule when %s', (_, value, path, rule) => {
    const err = caught(() => proto.serialize(schema, value));
    expect(err.code).toBe('SCHEMA_VALIDATION_FAILED');
    expect(err.context['path']).toBe(path);
    expect(String(err.context['rule'])).toContain(rule);
  });

  it('should fail with SCHEMA_VALIDATION_FAILED when the value is not an object', () => {
    expect(caught(() => proto.serialize(schema, 42)).code).toBe('SCHEMA_VALIDATION_FAILED');
  });

  it('should fail with SERIALIZATION_ERROR when the bytes are not the message', () => {
    expect(caught(() => proto.deserialize(schema, new Uint8Array([0x0a, 0x05, 0x01]))).code).toBe(
      'SERIALIZATION_ERROR',
    );
  });

  it('should give back the message when any valid value is serialized and deserialized', () => {
    const scalars = proto.parse(`syntax = "proto3";
      message S {
        int32 i32 = 1; sint32 s32 = 2; uint32 u32 = 3; fixed32 f32 = 4; bool b = 5; string s = 6; bytes raw = 7;
        double d = 8; repeated int32 many = 9; map<string, string> tags = 10; E e = 11; optional string maybe = 12;
        enum E { ZERO = 0; ONE = 1; TWO = 2; }
      }`);
    const values = fc.record(
      {
        i32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        s32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        u32: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        f32: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        b: fc.boolean(),
        s: fc.string(),
        raw: fc.uint8Array({ minLength: 1 }),
        d: fc.double({ noNaN: true }),
        many: fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 1 }),
        tags: fc.dictionary(fc.string({ minLength: 1 }), fc.string()),
        e: fc.constantFrom(0, 1, 2),
        maybe: fc.string(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(values, (value) => {
        const decoded = proto.deserialize(scalars, proto.serialize(scalars, value)) as protobuf.Message;
        const type = scalars.messages[0]!;
        const expected = type.toObject(type.fromObject(value), { defaults: true, bytes: Array });
        expect(type.toObject(decoded, { defaults: true, bytes: Array })).toEqual(expected);
      }),
    );
  });
});

describe('Protobuf canonical form', () => {
  const base =
    'syntax = "proto3";\npackage p;\nimport "b.proto";\nimport "a.proto";\nmessage M {\n  int32 x = 1;\n  N n = 2;\n  message N { string s = 1; }\n}\n';
  const refs: ResolvedReference[] = [
    {
      name: 'a.proto',
      subject: 'a',
      version: 1,
      schemaType: 'PROTOBUF',
      schema: 'syntax = "proto3"; package q; message A {}',
      references: [],
    },
    {
      name: 'b.proto',
      subject: 'b',
      version: 1,
      schemaType: 'PROTOBUF',
      schema: 'syntax = "proto3"; package q; message B {}',
      references: [],
    },
  ];

  it.each([
    [
      'comments and whitespace differ',
      '// lead\nsyntax="proto3";package p;import "b.proto";import "a.proto";/* x */message M{int32 x=1;N n=2;message N{string s=1;}}',
    ],
    [
      'imports are ordered differently',
      base.replace('import "b.proto";\nimport "a.proto";', 'import "a.proto";\nimport "b.proto";'),
    ],
    ['fields are declared in another order', base.replace('  int32 x = 1;\n  N n = 2;', '  N n = 2;\n  int32 x = 1;')],
    ['a type is named fully qualified', base.replace('  N n = 2;', '  .p.M.N n = 2;')],
    ['a type is named relative to the package', base.replace('  N n = 2;', '  M.N n = 2;')],
  ])('should give the same canonical form when %s', (_, other) => {
    expect(proto.parse(other, refs).canonical).toBe(proto.parse(base, refs).canonical);
  });

  it.each([
    ['a field number changes', base.replace('int32 x = 1', 'int32 x = 3')],
    ['a field type changes', base.replace('int32 x = 1', 'int64 x = 1')],
    ['messages are reordered', base.replace('message M {', 'message Z {}\nmessage M {')],
    ['the package changes', base.replace('package p;', 'package p2;')],
  ])('should give another canonical form when %s', (_, other) => {
    expect(proto.parse(other, refs).canonical).not.toBe(proto.parse(base, refs).canonical);
  });

  it('should parse its own canonical form into the same canonical form', () => {
    const schema = proto.parse(ORDER, [money]);
    expect(proto.parse(schema.canonical, [money]).canonical).toBe(schema.canonical);
  });
});

describe('Protobuf format=serialized', () => {
  const schema = proto.parse(ORDER, [money]);
  const fdp = fromBinary(FileDescriptorProtoSchema, Buffer.from(proto.toFormat!(schema, 'serialized'), 'base64'));

  it('should render the file as a FileDescriptorProto with fully qualified names and map entries', () => {
    expect(fdp.package).toBe('acme.v1');
    expect(fdp.syntax).toBe('proto3');
    expect(fdp.dependency).toEqual(['google/protobuf/timestamp.proto', 'common/money.proto']);
    expect(fdp.messageType.map((m) => m.name)).toEqual(['Order', 'Shipment']);
    const order = fdp.messageType[0]!;
    expect(order.field.find((f) => f.name === 'lines')!.typeName).toBe('.acme.v1.Order.Line');
    expect(order.field.find((f) => f.name === 'total')!.typeName).toBe('.common.Money');
    const entry = order.nestedType.find((n) => n.options?.mapEntry === true)!;
    expect(entry.name).toBe('CountsEntry');
    expect(order.oneofDecl.map((o) => o.name)).toEqual(['payment', '_note']);
    expect(order.field.find((f) => f.name === 'note')!.proto3Optional).toBe(true);
  });

  it('should parse a serialized schema into the same canonical form when it is registered that way', () => {
    const again = proto.parse(proto.toFormat!(schema, 'serialized'), [money]);
    expect(again.canonical).toBe(schema.canonical);
    expect(proto.toFormat!(again, '')).toBe(schema.canonical);
    expect(proto.toFormat!(schema, '')).toBe(ORDER);
  });

  it('should accept a descriptor encoded by @bufbuild/protobuf as @confluentinc/schemaregistry sends it', () => {
    const base64 = Buffer.from(toBinary(FileDescriptorProtoSchema, fdp)).toString('base64');
    expect(proto.parse(base64, [money]).canonical).toBe(schema.canonical);
  });

  it('should decode what @bufbuild/protobuf encodes, and the other way round, when both use our descriptor', () => {
    const Order = registryFor(schema).getMessage('acme.v1.Order')!;
    const theirs = toBinary(Order, {
      $typeName: 'acme.v1.Order',
      id: 7n,
      counts: { a: 1 },
      lines: [{ $typeName: 'acme.v1.Order.Line', sku: 'q', kind: 1 }],
      payment: { case: 'iban', value: 'NL01' },
      note: 'n',
      total: { $typeName: 'common.Money', units: 2n, currency: 1 },
    } as never);
    expect(proto.deserialize(schema, theirs)).toMatchObject({
      counts: { a: 1 },
      lines: [{ sku: 'q', kind: 1 }],
      iban: 'NL01',
      note: 'n',
      total: { currency: 1 },
    });
    const back = fromBinary(
      Order,
      proto.serialize(schema, { id: 9, lines: [{ sku: 'x' }], card: 'c' }),
    ) as unknown as Record<string, unknown>;
    expect(back['id']).toBe(9n);
    expect(back['payment']).toEqual({ case: 'card', value: 'c' });
  });
});

describe('Protobuf compatibility', () => {
  type Case = [name: string, reader: string, writer: string, expected: { path: string; kind: string }[]];
  const p3 = (body: string, extra = '') => `syntax = "proto3";\npackage acme;\n${extra}\nmessage M {\n${body}\n}\n`;
  const p2 = (body: string) => `syntax = "proto2";\npackage acme;\nmessage M {\n${body}\n}\n`;

  const scalars: [string, string, boolean][] = [
    ['int32', 'int64', true],
    ['int32', 'uint32', true],
    ['uint64', 'bool', true],
    ['sint32', 'sint64', true],
    ['fixed32', 'sfixed32', true],
    ['fixed64', 'sfixed64', true],
    ['string', 'bytes', true],
    ['bytes', 'string', true],
    ['int32', 'sint32', false],
    ['int32', 'fixed32', false],
    ['fixed32', 'fixed64', false],
    ['float', 'double', false],
    ['int64', 'string', false],
    ['sfixed64', 'double', false],
  ];
  const scalarCases: Case[] = scalars.map(([from, to, ok]) => [
    `a field changes from ${from} to ${to}`,
    p3(`  ${to} f = 1;`),
    p3(`  ${from} f = 1;`),
    ok ? [] : [{ path: '#/M/1', kind: 'FIELD_SCALAR_KIND_CHANGED' }],
  ]);

  const cases: Case[] = [
    ...scalarCases,
    [
      'an enum field becomes int32',
      p3('  int32 f = 1;\n  enum E { A = 0; }'),
      p3('  E f = 1;\n  enum E { A = 0; }'),
      [],
    ],
    [
      'an enum field becomes string',
      p3('  string f = 1;\n  enum E { A = 0; }'),
      p3('  E f = 1;\n  enum E { A = 0; }'),
      [{ path: '#/M/1', kind: 'FIELD_SCALAR_KIND_CHANGED' }],
    ],
    [
      'a scalar becomes a message',
      p3('  N f = 1;\n  message N {}'),
      p3('  int32 f = 1;\n  message N {}'),
      [{ path: '#/M/1', kind: 'FIELD_KIND_CHANGED' }],
    ],
    [
      'a message field names another message',
      p3('  B f = 1;\n  message A {}\n  message B {}'),
      p3('  A f = 1;\n  message A {}\n  message B {}'),
      [{ path: '#/M/1', kind: 'FIELD_NAMED_TYPE_CHANGED' }],
    ],
    [
      'a map value type changes group',
      p3('  map<string, string> m = 1;'),
      p3('  map<string, int32> m = 1;'),
      [{ path: '#/M/1', kind: 'FIELD_SCALAR_KIND_CHANGED' }],
    ],
    [
      'a map becomes a repeated message',
      p3('  repeated N m = 1;\n  message N { string key = 1; int32 value = 2; }'),
      p3('  map<string, int32> m = 1;\n  message N { string key = 1; int32 value = 2; }'),
      [{ path: '#/M/1', kind: 'FIELD_KIND_CHANGED' }],
    ],
    ['an optional field is added', p3('  int32 a = 1;\n  string b = 2;'), p3('  int32 a = 1;'), []],
    ['an optional field is removed', p3('  int32 a = 1;'), p3('  int32 a = 1;\n  string b = 2;'), []],
    ['a field is renamed', p3('  int32 renamed = 1;'), p3('  int32 a = 1;'), []],
    [
      'a numeric field becomes repeated',
      p3('  repeated int32 a = 1;'),
      p3('  int32 a = 1;'),
      [{ path: '#/M/1', kind: 'FIELD_NUMERIC_LABEL_CHANGED' }],
    ],
    ['a string field becomes repeated', p3('  repeated string a = 1;'), p3('  string a = 1;'), []],
    ['a message is added', `${p3('  int32 a = 1;')}message Other {}\n`, p3('  int32 a = 1;'), []],
    [
      'a message is removed',
      p3('  int32 a = 1;'),
      `${p3('  int32 a = 1;')}message Other {}\n`,
      [{ path: '#/Other', kind: 'MESSAGE_REMOVED' }],
    ],
    [
      'a nested message is removed',
      p3('  int32 a = 1;'),
      p3('  int32 a = 1;\n  message Inner { int32 x = 1; }'),
      [{ path: '#/M/Inner', kind: 'MESSAGE_REMOVED' }],
    ],
    [
      'messages are reordered',
      `message Other {}\n${p3('  int32 a = 1;')}`.replace(
        'message Other {}\nsyntax = "proto3";\npackage acme;',
        'syntax = "proto3";\npackage acme;\nmessage Other {}',
      ),
      `${p3('  int32 a = 1;')}message Other {}\n`,
      [],
    ],
    [
      'a nested field changes type',
      p3('  Inner i = 1;\n  message Inner { string x = 1; }'),
      p3('  Inner i = 1;\n  message Inner { int32 x = 1; }'),
      [{ path: '#/M/Inner/1', kind: 'FIELD_SCALAR_KIND_CHANGED' }],
    ],
    [
      'the package changes',
      p3('  int32 a = 1;').replace('package acme;', 'package other;'),
      p3('  int32 a = 1;'),
      [{ path: '#/', kind: 'PACKAGE_CHANGED' }],
    ],
    ['an enum value is added', p3('  E e = 1;\n  enum E { A = 0; B = 1; }'), p3('  E e = 1;\n  enum E { A = 0; }'), []],
    [
      'an enum value is removed',
      p3('  E e = 1;\n  enum E { A = 0; }'),
      p3('  E e = 1;\n  enum E { A = 0; B = 1; }'),
      [],
    ],
    [
      'a required field is added',
      p2('  optional int32 a = 1;\n  required int32 b = 2;'),
      p2('  optional int32 a = 1;'),
      [{ path: '#/M/2', kind: 'REQUIRED_FIELD_ADDED' }],
    ],
    [
      'a required field is removed',
      p2('  optional int32 a = 1;'),
      p2('  optional int32 a = 1;\n  required int32 b = 2;'),
      [{ path: '#/M/2', kind: 'REQUIRED_FIELD_REMOVED' }],
    ],
    [
      'an optional field becomes required',
      p2('  required int32 a = 1;'),
      p2('  optional int32 a = 1;'),
      [{ path: '#/M/1', kind: 'REQUIRED_LABEL_CHANGED' }],
    ],
    [
      'a required field becomes optional',
      p2('  optional int32 a = 1;'),
      p2('  required int32 a = 1;'),
      [{ path: '#/M/1', kind: 'REQUIRED_LABEL_CHANGED' }],
    ],
    [
      'a proto2 optional field is added',
      p2('  optional int32 a = 1;\n  optional string b = 2;'),
      p2('  optional int32 a = 1;'),
      [],
    ],
    // Confluent's ONEOF_FIELD_MOVED_TO_TOP_LEVEL, ONEOF_REMOVED and ONEOF_ADDED are compatible.
    [
      'a field moves out of a oneof',
      p3('  string a = 1;\n  oneof o { string b = 2; }'),
      p3('  oneof o { string a = 1; string b = 2; }'),
      [],
    ],
    [
      'a oneof is dissolved',
      p3('  string a = 1;\n  string b = 2;'),
      p3('  oneof o { string a = 1; string b = 2; }'),
      [],
    ],
    [
      'a oneof is renamed',
      p3('  oneof renamed { float f = 1; int32 i = 2; }'),
      p3('  oneof old { float f = 1; int32 i = 2; }'),
      [],
    ],
    [
      'a field moves into a new singleton oneof',
      p3('  oneof a { int32 y = 2; }\n  oneof b { int32 x = 1; }'),
      p3('  oneof a { int32 x = 1; int32 y = 2; }'),
      [],
    ],
    [
      'fields of two oneofs meet in one',
      p3('  oneof a { int32 x = 1; int32 y = 2; }'),
      p3('  oneof a { int32 x = 1; }\n  oneof b { int32 y = 2; }'),
      [{ path: '#/M/a', kind: 'FIELD_MOVED_TO_EXISTING_ONEOF' }],
    ],
    [
      'a oneof field changes type under a renamed oneof',
      p3('  oneof n { int64 x = 1; }'),
      p3('  oneof o { string x = 1; }'),
      [{ path: '#/M/n/1', kind: 'FIELD_SCALAR_KIND_CHANGED' }],
    ],
    [
      'a single field moves into a new oneof',
      p3('  oneof o { string a = 1; }\n  int32 c = 3;'),
      p3('  string a = 1;\n  int32 c = 3;'),
      [],
    ],
    [
      'several fields move into a new oneof',
      p3('  oneof o { string a = 1; int32 c = 3; }'),
      p3('  string a = 1;\n  int32 c = 3;'),
      [{ path: '#/M/o', kind: 'MULTIPLE_FIELDS_MOVED_TO_ONEOF' }],
    ],
    [
      'a field moves into an existing oneof',
      p3('  oneof o { string a = 1; string b = 2; }'),
      p3('  string a = 1;\n  oneof o { string b = 2; }'),
      [{ path: '#/M/o', kind: 'FIELD_MOVED_TO_EXISTING_ONEOF' }],
    ],
    [
      'a oneof field is removed',
      p3('  oneof o { string a = 1; }'),
      p3('  oneof o { string a = 1; string b = 2; }'),
      [{ path: '#/M/o/2', kind: 'ONEOF_FIELD_REMOVED' }],
    ],
    [
      'a oneof field is removed as its oneof is renamed',
      p3('  oneof n { string a = 1; }'),
      p3('  oneof o { string a = 1; string b = 2; }'),
      [{ path: '#/M/o/2', kind: 'ONEOF_FIELD_REMOVED' }],
    ],
    ['a oneof field is added', p3('  oneof o { string a = 1; string b = 2; }'), p3('  oneof o { string a = 1; }'), []],
    ['a oneof is removed with its fields', p3('  int32 x = 9;'), p3('  int32 x = 9;\n  oneof o { string a = 1; }'), []],
    ['a field becomes proto3 optional', p3('  optional string a = 1;'), p3('  string a = 1;'), []],
  ];

  it.each(cases)('should judge the change when %s', (_, reader, writer, expected) => {
    const issues = proto.checkCompatibility(proto.parse(reader), proto.parse(writer));
    expect(issues.map((i) => ({ path: i.path, kind: i.kind }))).toEqual(expected);
  });

  it('should find no issue when a schema is compared with itself', () => {
    const schema = proto.parse(ORDER, [money]);
    expect(proto.checkCompatibility(schema, proto.parse(ORDER, [money]))).toEqual([]);
  });

  it('should compare a message from a reference when the reference version changes', () => {
    const money2: ResolvedReference = {
      ...money,
      version: 2,
      schema: money.schema.replace('int64 units = 1;', 'string units = 1;'),
    };
    const issues = proto.checkCompatibility(proto.parse(ORDER, [money2]), proto.parse(ORDER, [money]));
    expect(issues.map((i) => ({ path: i.path, kind: i.kind }))).toEqual([
      { path: '#/Money/1', kind: 'FIELD_SCALAR_KIND_CHANGED' },
      { path: '#/Order/8', kind: 'FIELD_NAMED_TYPE_CHANGED' },
    ]);
  });

  it('should judge a schema registered as a descriptor like its text', () => {
    const writer = proto.parse(p3('  int32 a = 1;'));
    const reader = proto.parse(proto.toFormat!(proto.parse(p3('  string a = 1;')), 'serialized'));
    expect(proto.checkCompatibility(reader, writer).map((i) => i.path)).toEqual(['#/M/1']);
  });
});
