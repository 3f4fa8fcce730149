/**
 * Avro reader/writer compatibility, pair by pair, as Avro Java's schema compatibility tests (which
 * Karapace ports in its own test suite) decide them: promotions, unions (the empty one included),
 * enums, fixed, records, recursive records, names.
 */
import { describe, expect, it } from 'vitest';
import { avroFormat as avro } from '../../../schema-registry/formats/avro.ts';

const rec = (name: string, fields: object[], extra: object = {}) => ({ type: 'record', name, fields, ...extra });
const enumAB = { type: 'enum', name: 'Enum1', symbols: ['A', 'B'] };
const enumABC = { type: 'enum', name: 'Enum1', symbols: ['A', 'B', 'C'] };
const enumBC = { type: 'enum', name: 'Enum1', symbols: ['B', 'C'] };
const enum2AB = { type: 'enum', name: 'Enum2', symbols: ['A', 'B'] };
const fixed4 = { type: 'fixed', name: 'Fixed', size: 4 };
const fixed8 = { type: 'fixed', name: 'Fixed', size: 8 };
const fixed4Other = { type: 'fixed', name: 'AnotherName', size: 4 };
const empty1 = rec('Record1', []);
const empty2 = rec('Record2', []);
const aInt = rec('Record1', [{ name: 'a', type: 'int' }]);
const aLong = rec('Record1', [{ name: 'a', type: 'long' }]);
const aDefInt = rec('Record1', [{ name: 'a', type: 'int', default: 0 }]);
const aIntBInt = rec('Record1', [
  { name: 'a', type: 'int' },
  { name: 'b', type: 'int' },
]);
const aIntBDefInt = rec('Record1', [
  { name: 'a', type: 'int' },
  { name: 'b', type: 'int', default: 0 },
]);
const aDefIntBDefInt = rec('Record1', [
  { name: 'a', type: 'int', default: 0 },
  { name: 'b', type: 'int', default: 0 },
]);
const intList = rec('List', [
  { name: 'head', type: 'int' },
  { name: 'tail', type: ['null', 'List'], default: null },
]);
const longList = rec('List', [
  { name: 'head', type: 'long' },
  { name: 'tail', type: ['null', 'List'], default: null },
]);
const nsRecord = (ns: string) =>
  rec('Record1', [
    {
      name: 'f1',
      type: ['null', { type: 'array', items: rec('InnerRecord1', [{ name: 'a', type: 'int' }], { namespace: ns }) }],
    },
  ]);
const enumRecord = (symbols: string[], enumDefault: string, fieldDefault?: string) =>
  rec('Record', [
    {
      name: 'Field',
      type: { type: 'enum', name: 'Enum', symbols, default: enumDefault },
      ...(fieldDefault === undefined ? {} : { default: fieldDefault }),
    },
  ]);
const arr = (items: unknown) => ({ type: 'array', items });
const map = (values: unknown) => ({ type: 'map', values });

// [reader, writer]: the reader reads everything the writer writes.
const compatible: [string, unknown, unknown][] = [
  ['long reads int', 'long', 'int'],
  ['float reads int and long', 'float', 'long'],
  ['double reads float', 'double', 'float'],
  ['string reads bytes', 'string', 'bytes'],
  ['bytes reads string', 'bytes', 'string'],
  ['an array of long reads an array of int', arr('long'), arr('int')],
  ['a map of long reads a map of int', map('long'), map('int')],
  ['an enum with more symbols', enumABC, enumAB],
  ['an empty union reads an empty union', [], []],
  ['any union reads an empty union', ['float'], []],
  ['a float union reads int and long', ['float'], ['int', 'long']],
  ['union branches in another order', ['int', 'string'], ['string', 'int']],
  ['a double union reads int and float', ['double'], ['int', 'float']],
  ['a plain reader reads every branch of a union', 'double', ['int', 'long', 'float', 'double']],
  ['a singleton union reads its type', ['int'], 'int'],
  ['a type reads a singleton union of itself', 'int', ['int']],
  ['fixed of the same name and size', fixed4, fixed4],
  ['an empty record reads a record', empty1, aInt],
  ['a default fills a missing field', aDefIntBDefInt, empty1],
  ['a reader field with a default reads the field', aDefInt, aInt],
  ['a promoted field', aLong, aInt],
  ['extra writer fields are skipped', aInt, aIntBInt],
  ['a recursive record reads itself', intList, intList],
  ['a recursive record promotes', longList, intList],
  ['an enum default covers a missing symbol', enumRecord(['A', 'B'], 'A'), enumRecord(['A', 'B', 'C'], 'A')],
  ['enum and field defaults differ', enumRecord(['A', 'B'], 'B', 'A'), enumRecord(['A', 'B', 'C'], 'A', 'B')],
  ['nested records in other namespaces', nsRecord('ns1'), nsRecord('ns2')],
  [
    'a field made a union with null (array)',
    rec('R', [{ name: 'fn', type: ['null', arr('string')] }]),
    rec('R', [{ name: 'fn', type: arr('string') }]),
  ],
  [
    'a field made a union with null (enum)',
    rec('R', [{ name: 'fn', type: ['null', enumAB] }]),
    rec('R', [{ name: 'fn', type: enumAB }]),
  ],
  [
    'a field made a union with null (map)',
    rec('R', [{ name: 'fn', type: ['null', map('int')] }]),
    rec('R', [{ name: 'fn', type: map('int') }]),
  ],
  [
    'a field renamed with an alias',
    rec('foo', [{ name: 'bar', type: 'int', aliases: ['f1'] }]),
    rec('foo', [
      { name: 'f1', type: 'int' },
      { name: 'f2', type: 'string' },
    ]),
  ],
  [
    'a record renamed with an alias',
    rec('other', [{ name: 'f1', type: 'int' }], { aliases: ['foo'] }),
    rec('foo', [
      { name: 'f1', type: 'int' },
      { name: 'f2', type: 'string' },
    ]),
  ],
];

// [reader, writer, Confluent's change types]
const incompatible: [string, unknown, unknown, string[]][] = [
  ['null reads int', 'null', 'int', ['TYPE_MISMATCH']],
  ['int reads long', 'int', 'long', ['TYPE_MISMATCH']],
  ['long reads float', 'long', 'float', ['TYPE_MISMATCH']],
  ['float reads double', 'float', 'double', ['TYPE_MISMATCH']],
  ['string reads int', 'string', 'int', ['TYPE_MISMATCH']],
  ['a record reads int', aInt, 'int', ['TYPE_MISMATCH']],
  ['a map reads an array', map('int'), arr('int'), ['TYPE_MISMATCH']],
  ['an array of int reads an array of long', arr('int'), arr('long'), ['TYPE_MISMATCH']],
  ['an enum reads int', enum2AB, 'int', ['TYPE_MISMATCH']],
  ['a recursive record narrows', intList, longList, ['TYPE_MISMATCH']],
  ['fixed of another size', fixed4, fixed8, ['FIXED_SIZE_MISMATCH']],
  ['fixed of another name', fixed4, fixed4Other, ['NAME_MISMATCH']],
  ['an enum of another name', enumAB, enum2AB, ['NAME_MISMATCH']],
  ['a record of another name', empty2, empty1, ['NAME_MISMATCH']],
  ['an enum lacking a symbol', enumAB, enumABC, ['MISSING_ENUM_SYMBOLS']],
  ['an enum lacking another symbol', enumBC, enumABC, ['MISSING_ENUM_SYMBOLS']],
  ['a union lacking a branch', ['int'], ['int', 'string'], ['MISSING_UNION_BRANCH']],
  ['a union lacking a record branch', ['int'], ['int', aInt], ['MISSING_UNION_BRANCH']],
  ['a union lacking null', ['int'], ['int', 'null'], ['MISSING_UNION_BRANCH']],
  ['an empty union reads anything', [], 'int', ['MISSING_UNION_BRANCH']],
  ['a field without a default is missing', aInt, empty1, ['READER_FIELD_MISSING_DEFAULT_VALUE']],
  ['a second field with a default, the first without', aIntBDefInt, empty1, ['READER_FIELD_MISSING_DEFAULT_VALUE']],
];

const parse = (schema: unknown) => avro.parse(JSON.stringify(schema));

describe('Avro reader/writer compatibility matrix', () => {
  it.each(compatible)('should find %s compatible', (_, reader, writer) => {
    expect(avro.checkCompatibility(parse(reader), parse(writer))).toEqual([]);
  });

  it.each(incompatible)('should find %s incompatible', (_, reader, writer, kinds) => {
    expect([...new Set(avro.checkCompatibility(parse(reader), parse(writer)).map((i) => i.kind))]).toEqual(kinds);
  });
});
