/**
 * Karapace's Avro compatibility cases (tests/unit/test_avro_compatibility.py: Confluent's
 * AvroCompatibilityTest schemas and Avro Java's TestSchemaCompatibility pairs), transcribed as data,
 * grouped by Karapace's test: does `reader` read what `writer` wrote, and for the incompatible pairs
 * of the named-error tests, the kind Avro names and where (`location`, a JSON pointer into the reader).
 */

export interface AvroPair {
  readonly reader: unknown;
  readonly writer: unknown;
  readonly compatible: boolean;
  readonly kind?: string;
  readonly locations?: readonly string[];
}

export const karapaceAvro: Record<string, AvroPair[]> = {
  'basic full compatibility': [
    {
      reader: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2', default: 'foo' },
        ],
      },
      writer: { type: 'record', name: 'myrecord', fields: [{ type: 'string', name: 'f1' }] },
      compatible: true,
    },
    {
      reader: { type: 'record', name: 'myrecord', fields: [{ type: 'string', name: 'f1' }] },
      writer: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2', default: 'foo' },
        ],
      },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2' },
        ],
      },
      writer: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2', default: 'foo' },
        ],
      },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2', default: 'foo' },
        ],
      },
      writer: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2' },
        ],
      },
      compatible: true,
    },
  ],
  'basic full transitive compatibility': [
    {
      reader: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2', default: 'foo' },
        ],
      },
      writer: { type: 'record', name: 'myrecord', fields: [{ type: 'string', name: 'f1' }] },
      compatible: true,
    },
    {
      reader: { type: 'record', name: 'myrecord', fields: [{ type: 'string', name: 'f1' }] },
      writer: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2', default: 'foo' },
        ],
      },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2', default: 'foo' },
        ],
      },
      writer: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2', default: 'foo' },
        ],
      },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2', default: 'foo' },
        ],
      },
      writer: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2' },
        ],
      },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2' },
        ],
      },
      writer: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2', default: 'foo' },
        ],
      },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2' },
        ],
      },
      writer: { type: 'record', name: 'myrecord', fields: [{ type: 'string', name: 'f1' }] },
      compatible: false,
    },
    {
      reader: { type: 'record', name: 'myrecord', fields: [{ type: 'string', name: 'f1' }] },
      writer: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2' },
        ],
      },
      compatible: true,
    },
  ],
  'schema compatibility': [
    {
      reader: { type: 'record', name: 'Record', fields: [{ name: 'oldField1', type: 'int' }] },
      writer: {
        type: 'record',
        name: 'Record',
        fields: [
          { name: 'oldField1', type: 'int' },
          { name: 'oldField2', type: 'string' },
        ],
      },
      compatible: true,
    },
    {
      reader: { type: 'record', name: 'Record', fields: [{ name: 'oldField2', type: 'string' }] },
      writer: {
        type: 'record',
        name: 'Record',
        fields: [
          { name: 'oldField1', type: 'int' },
          { name: 'oldField2', type: 'string' },
        ],
      },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'Record',
        fields: [
          { name: 'oldField1', type: 'int' },
          { name: 'oldField2', type: 'string' },
        ],
      },
      writer: {
        type: 'record',
        name: 'Record',
        fields: [
          { name: 'oldField1', type: 'int' },
          { name: 'oldField2', type: 'string' },
        ],
      },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'Record',
        fields: [
          { name: 'oldField1', type: 'int' },
          { name: 'newField2', type: 'int', default: 42 },
        ],
      },
      writer: {
        type: 'record',
        name: 'Record',
        fields: [
          { name: 'oldField1', type: 'int' },
          { name: 'oldField2', type: 'string' },
        ],
      },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'Record',
        fields: [
          { name: 'oldField1', type: 'int' },
          { name: 'newField2', type: 'int' },
        ],
      },
      writer: {
        type: 'record',
        name: 'Record',
        fields: [
          { name: 'oldField1', type: 'int' },
          { name: 'oldField2', type: 'string' },
        ],
      },
      compatible: false,
    },
    {
      reader: { type: 'array', items: { type: 'string' } },
      writer: { type: 'array', items: { type: 'string' } },
      compatible: true,
    },
    {
      reader: { type: 'map', values: { type: 'string' } },
      writer: { type: 'array', items: { type: 'string' } },
      compatible: false,
    },
    { reader: { type: 'string' }, writer: { type: 'string' }, compatible: true },
    { reader: { type: 'int' }, writer: { type: 'string' }, compatible: false },
    { reader: ['int', 'string'], writer: ['int', 'string', 'long'], compatible: false },
    { reader: 'boolean', writer: 'boolean', compatible: true },
    { reader: 'int', writer: 'int', compatible: true },
    { reader: 'long', writer: 'int', compatible: true },
    { reader: 'long', writer: 'long', compatible: true },
    { reader: 'float', writer: 'int', compatible: true },
    { reader: 'float', writer: 'long', compatible: true },
    { reader: 'double', writer: 'long', compatible: true },
    { reader: 'double', writer: 'int', compatible: true },
    { reader: 'double', writer: 'float', compatible: true },
    { reader: 'string', writer: 'string', compatible: true },
    { reader: 'bytes', writer: 'bytes', compatible: true },
    { reader: 'string', writer: 'bytes', compatible: true },
    { reader: 'bytes', writer: 'string', compatible: true },
    { reader: { type: 'array', items: 'int' }, writer: { type: 'array', items: 'int' }, compatible: true },
    { reader: { type: 'array', items: 'long' }, writer: { type: 'array', items: 'int' }, compatible: true },
    { reader: { type: 'map', values: 'int' }, writer: { type: 'map', values: 'int' }, compatible: true },
    { reader: { type: 'map', values: 'long' }, writer: { type: 'map', values: 'int' }, compatible: true },
    {
      reader: { type: 'enum', name: 'Enum1', symbols: ['A', 'B'] },
      writer: { type: 'enum', name: 'Enum1', symbols: ['A', 'B'] },
      compatible: true,
    },
    {
      reader: { type: 'enum', name: 'Enum1', symbols: ['A', 'B', 'C'] },
      writer: { type: 'enum', name: 'Enum1', symbols: ['A', 'B'] },
      compatible: true,
    },
    { reader: [], writer: [], compatible: true },
    { reader: ['float'], writer: [], compatible: true },
    { reader: ['float'], writer: ['int'], compatible: true },
    { reader: ['float'], writer: ['long'], compatible: true },
    { reader: ['float'], writer: ['int', 'long'], compatible: true },
    { reader: ['int'], writer: ['int'], compatible: true },
    { reader: ['int', 'string'], writer: ['string', 'int'], compatible: true },
    { reader: ['int'], writer: [], compatible: true },
    { reader: ['long'], writer: [], compatible: true },
    { reader: ['long'], writer: ['int'], compatible: true },
    { reader: ['double'], writer: ['int'], compatible: true },
    { reader: ['double'], writer: ['long'], compatible: true },
    { reader: ['double'], writer: ['float'], compatible: true },
    { reader: ['string'], writer: [], compatible: true },
    { reader: ['string'], writer: ['bytes'], compatible: true },
    { reader: ['bytes'], writer: [], compatible: true },
    { reader: ['bytes'], writer: ['string'], compatible: true },
    { reader: ['double'], writer: ['int', 'float'], compatible: true },
    { reader: 'float', writer: ['int', 'float'], compatible: true },
    { reader: 'long', writer: ['int', 'long'], compatible: true },
    { reader: 'double', writer: ['int', 'float'], compatible: true },
    { reader: 'double', writer: ['int', 'long', 'float', 'double'], compatible: true },
    { reader: 'float', writer: ['float'], compatible: true },
    { reader: ['int'], writer: 'int', compatible: true },
    { reader: 'int', writer: ['int'], compatible: true },
    {
      reader: { type: 'fixed', name: 'Fixed', size: 4 },
      writer: { type: 'fixed', name: 'Fixed', size: 4 },
      compatible: true,
    },
    {
      reader: { type: 'record', name: 'Record1', fields: [] },
      writer: { type: 'record', name: 'Record1', fields: [] },
      compatible: true,
    },
    {
      reader: { type: 'record', name: 'Record1', fields: [] },
      writer: { type: 'record', name: 'Record1', fields: [{ name: 'a', type: 'int' }] },
      compatible: true,
    },
    {
      reader: { type: 'record', name: 'Record1', fields: [{ name: 'a', type: 'int' }] },
      writer: { type: 'record', name: 'Record1', fields: [{ name: 'a', type: 'int' }] },
      compatible: true,
    },
    {
      reader: { type: 'record', name: 'Record1', fields: [{ name: 'a', type: 'int', default: 0 }] },
      writer: { type: 'record', name: 'Record1', fields: [{ name: 'a', type: 'int' }] },
      compatible: true,
    },
    {
      reader: { type: 'record', name: 'Record1', fields: [{ name: 'a', type: 'int', default: 0 }] },
      writer: { type: 'record', name: 'Record1', fields: [{ name: 'a', type: 'int', default: 0 }] },
      compatible: true,
    },
    {
      reader: { type: 'record', name: 'Record1', fields: [{ name: 'a', type: 'int' }] },
      writer: { type: 'record', name: 'Record1', fields: [{ name: 'a', type: 'int', default: 0 }] },
      compatible: true,
    },
    {
      reader: { type: 'record', name: 'Record1', fields: [{ name: 'a', type: 'long' }] },
      writer: { type: 'record', name: 'Record1', fields: [{ name: 'a', type: 'int' }] },
      compatible: true,
    },
    {
      reader: { type: 'record', name: 'Record1', fields: [{ name: 'a', type: 'int' }] },
      writer: {
        type: 'record',
        name: 'Record1',
        fields: [
          { name: 'a', type: 'int' },
          { name: 'b', type: 'int' },
        ],
      },
      compatible: true,
    },
    {
      reader: { type: 'record', name: 'Record1', fields: [{ name: 'a', type: 'int', default: 0 }] },
      writer: {
        type: 'record',
        name: 'Record1',
        fields: [
          { name: 'a', type: 'int' },
          { name: 'b', type: 'int' },
        ],
      },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'Record1',
        fields: [
          { name: 'a', type: 'int' },
          { name: 'b', type: 'int', default: 0 },
        ],
      },
      writer: { type: 'record', name: 'Record1', fields: [{ name: 'a', type: 'int' }] },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'Record1',
        fields: [
          { name: 'a', type: 'int', default: 0 },
          { name: 'b', type: 'int', default: 0 },
        ],
      },
      writer: { type: 'record', name: 'Record1', fields: [] },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'Record1',
        fields: [
          { name: 'a', type: 'int', default: 0 },
          { name: 'b', type: 'int', default: 0 },
        ],
      },
      writer: { type: 'record', name: 'Record1', fields: [{ name: 'a', type: 'int' }] },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'Record1',
        fields: [
          { name: 'a', type: 'int' },
          { name: 'b', type: 'int' },
        ],
      },
      writer: {
        type: 'record',
        name: 'Record1',
        fields: [
          { name: 'a', type: 'int', default: 0 },
          { name: 'b', type: 'int', default: 0 },
        ],
      },
      compatible: true,
    },
    { reader: { type: 'null' }, writer: { type: 'null' }, compatible: true },
    {
      reader: {
        type: 'record',
        name: 'List',
        fields: [
          { name: 'head', type: 'int' },
          { name: 'tail', type: 'List' },
        ],
      },
      writer: {
        type: 'record',
        name: 'List',
        fields: [
          { name: 'head', type: 'int' },
          { name: 'tail', type: 'List' },
        ],
      },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'List',
        fields: [
          { name: 'head', type: 'long' },
          { name: 'tail', type: 'List' },
        ],
      },
      writer: {
        type: 'record',
        name: 'List',
        fields: [
          { name: 'head', type: 'long' },
          { name: 'tail', type: 'List' },
        ],
      },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'List',
        fields: [
          { name: 'head', type: 'long' },
          { name: 'tail', type: 'List' },
        ],
      },
      writer: {
        type: 'record',
        name: 'List',
        fields: [
          { name: 'head', type: 'int' },
          { name: 'tail', type: 'List' },
        ],
      },
      compatible: true,
    },
    { reader: 'null', writer: 'null', compatible: true },
    {
      reader: {
        type: 'record',
        name: 'Record',
        fields: [{ name: 'Field', type: { type: 'enum', name: 'Enum', symbols: ['A', 'B'], default: 'A' } }],
      },
      writer: {
        type: 'record',
        name: 'Record',
        fields: [{ name: 'Field', type: { type: 'enum', name: 'Enum', symbols: ['A', 'B', 'C'], default: 'A' } }],
      },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'Record',
        fields: [
          { name: 'Field', type: { type: 'enum', name: 'Enum', symbols: ['A', 'B'], default: 'B' }, default: 'A' },
        ],
      },
      writer: {
        type: 'record',
        name: 'Record',
        fields: [
          { name: 'Field', type: { type: 'enum', name: 'Enum', symbols: ['A', 'B', 'C'], default: 'A' }, default: 'B' },
        ],
      },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'Record1',
        fields: [
          {
            name: 'f1',
            type: [
              'null',
              {
                type: 'array',
                items: { type: 'record', name: 'InnerRecord1', namespace: 'ns1', fields: [{ name: 'a', type: 'int' }] },
              },
            ],
          },
        ],
      },
      writer: {
        type: 'record',
        name: 'Record1',
        fields: [
          {
            name: 'f1',
            type: [
              'null',
              {
                type: 'array',
                items: { type: 'record', name: 'InnerRecord1', namespace: 'ns2', fields: [{ name: 'a', type: 'int' }] },
              },
            ],
          },
        ],
      },
      compatible: true,
    },
  ],
  'schema compatibility fixed size mismatch': [
    {
      reader: { type: 'fixed', name: 'Fixed', size: 4 },
      writer: { type: 'fixed', name: 'Fixed', size: 8 },
      compatible: false,
      kind: 'FIXED_SIZE_MISMATCH',
      locations: ['/size'],
    },
    {
      reader: { type: 'fixed', name: 'Fixed', size: 8 },
      writer: { type: 'fixed', name: 'Fixed', size: 4 },
      compatible: false,
      kind: 'FIXED_SIZE_MISMATCH',
      locations: ['/size'],
    },
    {
      reader: {
        type: 'record',
        name: 'Record1',
        fields: [
          { name: 'a', type: 'int', default: 0 },
          { name: 'b', type: { type: 'fixed', name: 'Fixed', size: 8 } },
        ],
      },
      writer: {
        type: 'record',
        name: 'Record1',
        fields: [
          { name: 'a', type: 'int', default: 0 },
          { name: 'b', type: { type: 'fixed', name: 'Fixed', size: 4 } },
        ],
      },
      compatible: false,
      kind: 'FIXED_SIZE_MISMATCH',
      locations: ['/fields/1/type/size'],
    },
    {
      reader: {
        type: 'record',
        name: 'Record1',
        fields: [
          { name: 'a', type: 'int', default: 0 },
          { name: 'b', type: { type: 'fixed', name: 'Fixed', size: 4 } },
        ],
      },
      writer: {
        type: 'record',
        name: 'Record1',
        fields: [
          { name: 'a', type: 'int', default: 0 },
          { name: 'b', type: { type: 'fixed', name: 'Fixed', size: 8 } },
        ],
      },
      compatible: false,
      kind: 'FIXED_SIZE_MISMATCH',
      locations: ['/fields/1/type/size'],
    },
  ],
  'schema compatibility missing enum symbols': [
    {
      reader: { type: 'enum', name: 'Enum1', symbols: ['A', 'B'] },
      writer: { type: 'enum', name: 'Enum1', symbols: ['A', 'B', 'C'] },
      compatible: false,
      kind: 'MISSING_ENUM_SYMBOLS',
      locations: ['/symbols'],
    },
    {
      reader: { type: 'enum', name: 'Enum1', symbols: ['B', 'C'] },
      writer: { type: 'enum', name: 'Enum1', symbols: ['A', 'B', 'C'] },
      compatible: false,
      kind: 'MISSING_ENUM_SYMBOLS',
      locations: ['/symbols'],
    },
    {
      reader: {
        type: 'record',
        name: 'Record1',
        fields: [{ name: 'field1', type: { type: 'enum', name: 'Enum1', symbols: ['A', 'B'] } }],
      },
      writer: {
        type: 'record',
        name: 'Record1',
        fields: [{ name: 'field1', type: { type: 'enum', name: 'Enum1', symbols: ['A', 'B', 'C'] } }],
      },
      compatible: false,
      kind: 'MISSING_ENUM_SYMBOLS',
      locations: ['/fields/0/type/symbols'],
    },
  ],
  'schema compatibility missing union branch': [
    { reader: ['int'], writer: ['int', 'string'], compatible: false, kind: 'MISSING_UNION_BRANCH', locations: ['/1'] },
    {
      reader: ['string'],
      writer: ['int', 'string'],
      compatible: false,
      kind: 'MISSING_UNION_BRANCH',
      locations: ['/0'],
    },
    {
      reader: ['int'],
      writer: ['int', { type: 'record', name: 'Record1', fields: [{ name: 'field1', type: 'int' }] }],
      compatible: false,
      kind: 'MISSING_UNION_BRANCH',
      locations: ['/1'],
    },
    {
      reader: ['int'],
      writer: ['int', { type: 'record', name: 'Record2', fields: [{ name: 'field1', type: 'int' }] }],
      compatible: false,
      kind: 'MISSING_UNION_BRANCH',
      locations: ['/1'],
    },
    {
      reader: ['int', { type: 'record', name: 'Record1', fields: [{ name: 'field1', type: 'int' }] }],
      writer: ['int', { type: 'record', name: 'Record2', fields: [{ name: 'field1', type: 'int' }] }],
      compatible: false,
      kind: 'MISSING_UNION_BRANCH',
      locations: ['/1'],
    },
    {
      reader: ['int'],
      writer: ['int', { type: 'enum', name: 'Enum1', symbols: ['A', 'B'] }],
      compatible: false,
      kind: 'MISSING_UNION_BRANCH',
      locations: ['/1'],
    },
    {
      reader: ['int'],
      writer: ['int', { type: 'fixed', name: 'Fixed', size: 4 }],
      compatible: false,
      kind: 'MISSING_UNION_BRANCH',
      locations: ['/1'],
    },
    { reader: ['int'], writer: ['int', 'boolean'], compatible: false, kind: 'MISSING_UNION_BRANCH', locations: ['/1'] },
    { reader: ['int'], writer: ['long'], compatible: false, kind: 'MISSING_UNION_BRANCH', locations: ['/0'] },
    { reader: ['int'], writer: ['float'], compatible: false, kind: 'MISSING_UNION_BRANCH', locations: ['/0'] },
    { reader: ['int'], writer: ['double'], compatible: false, kind: 'MISSING_UNION_BRANCH', locations: ['/0'] },
    { reader: ['int'], writer: ['bytes'], compatible: false, kind: 'MISSING_UNION_BRANCH', locations: ['/0'] },
    {
      reader: ['int'],
      writer: ['int', { type: 'array', items: 'int' }],
      compatible: false,
      kind: 'MISSING_UNION_BRANCH',
      locations: ['/1'],
    },
    {
      reader: ['int'],
      writer: ['int', { type: 'map', values: 'int' }],
      compatible: false,
      kind: 'MISSING_UNION_BRANCH',
      locations: ['/1'],
    },
    { reader: ['int'], writer: ['int', 'null'], compatible: false, kind: 'MISSING_UNION_BRANCH', locations: ['/1'] },
    {
      reader: ['int'],
      writer: ['int', 'long', 'float', 'double'],
      compatible: false,
      kind: 'MISSING_UNION_BRANCH',
      locations: ['/1', '/2', '/3'],
    },
    {
      reader: {
        type: 'record',
        name: 'Record1',
        fields: [
          { name: 'a', type: 'int', default: 0 },
          { name: 'b', type: ['int'], default: 0 },
        ],
      },
      writer: {
        type: 'record',
        name: 'Record1',
        fields: [
          { name: 'a', type: 'int', default: 0 },
          { name: 'b', type: ['int', 'string'], default: 0 },
        ],
      },
      compatible: false,
      kind: 'MISSING_UNION_BRANCH',
      locations: ['/fields/1/type/1'],
    },
  ],
  'schema compatibility name mismatch': [
    {
      reader: { type: 'enum', name: 'Enum1', symbols: ['A', 'B'] },
      writer: { type: 'enum', name: 'Enum2', symbols: ['A', 'B'] },
      compatible: false,
      kind: 'NAME_MISMATCH',
      locations: ['/name'],
    },
    {
      reader: { type: 'record', name: 'Record2', fields: [] },
      writer: { type: 'record', name: 'Record1', fields: [] },
      compatible: false,
      kind: 'NAME_MISMATCH',
      locations: ['/name'],
    },
    {
      reader: { type: 'fixed', name: 'Fixed', size: 4 },
      writer: { type: 'fixed', name: 'AnotherName', size: 4 },
      compatible: false,
      kind: 'NAME_MISMATCH',
      locations: ['/name'],
    },
    {
      reader: {
        type: 'record',
        name: 'Record1',
        fields: [
          { name: 'a', type: 'int', default: 0 },
          { name: 'b', type: { type: 'enum', name: 'Enum1', symbols: ['A', 'B'] } },
        ],
      },
      writer: {
        type: 'record',
        name: 'Record1',
        fields: [
          { name: 'a', type: 'int', default: 0 },
          { name: 'b', type: { type: 'enum', name: 'Enum2', symbols: ['A', 'B'] } },
        ],
      },
      compatible: false,
      kind: 'NAME_MISMATCH',
      locations: ['/fields/1/type/name'],
    },
  ],
  'schema compatibility reader field missing default value': [
    {
      reader: { type: 'record', name: 'Record1', fields: [{ name: 'a', type: 'int' }] },
      writer: { type: 'record', name: 'Record1', fields: [] },
      compatible: false,
      kind: 'READER_FIELD_MISSING_DEFAULT_VALUE',
      locations: ['/fields/0'],
    },
    {
      reader: {
        type: 'record',
        name: 'Record1',
        fields: [
          { name: 'a', type: 'int' },
          { name: 'b', type: 'int', default: 0 },
        ],
      },
      writer: { type: 'record', name: 'Record1', fields: [] },
      compatible: false,
      kind: 'READER_FIELD_MISSING_DEFAULT_VALUE',
      locations: ['/fields/0'],
    },
  ],
  'schema compatibility type mismatch': [
    { reader: 'null', writer: 'int', compatible: false, kind: 'TYPE_MISMATCH', locations: ['/'] },
    { reader: 'null', writer: 'long', compatible: false, kind: 'TYPE_MISMATCH', locations: ['/'] },
    { reader: 'boolean', writer: 'int', compatible: false, kind: 'TYPE_MISMATCH', locations: ['/'] },
    { reader: 'int', writer: 'null', compatible: false, kind: 'TYPE_MISMATCH', locations: ['/'] },
    { reader: 'int', writer: 'boolean', compatible: false, kind: 'TYPE_MISMATCH', locations: ['/'] },
    { reader: 'int', writer: 'long', compatible: false, kind: 'TYPE_MISMATCH', locations: ['/'] },
    { reader: 'int', writer: 'float', compatible: false, kind: 'TYPE_MISMATCH', locations: ['/'] },
    { reader: 'int', writer: 'double', compatible: false, kind: 'TYPE_MISMATCH', locations: ['/'] },
    { reader: 'long', writer: 'float', compatible: false, kind: 'TYPE_MISMATCH', locations: ['/'] },
    { reader: 'long', writer: 'double', compatible: false, kind: 'TYPE_MISMATCH', locations: ['/'] },
    { reader: 'float', writer: 'double', compatible: false, kind: 'TYPE_MISMATCH', locations: ['/'] },
    { reader: 'double', writer: 'string', compatible: false, kind: 'TYPE_MISMATCH', locations: ['/'] },
    {
      reader: { type: 'fixed', name: 'Fixed', size: 4 },
      writer: 'string',
      compatible: false,
      kind: 'TYPE_MISMATCH',
      locations: ['/'],
    },
    { reader: 'string', writer: 'boolean', compatible: false, kind: 'TYPE_MISMATCH', locations: ['/'] },
    { reader: 'string', writer: 'int', compatible: false, kind: 'TYPE_MISMATCH', locations: ['/'] },
    { reader: 'bytes', writer: 'null', compatible: false, kind: 'TYPE_MISMATCH', locations: ['/'] },
    { reader: 'bytes', writer: 'int', compatible: false, kind: 'TYPE_MISMATCH', locations: ['/'] },
    {
      reader: { type: 'record', name: 'Record1', fields: [{ name: 'a', type: 'int' }] },
      writer: 'int',
      compatible: false,
      kind: 'TYPE_MISMATCH',
      locations: ['/'],
    },
    {
      reader: { type: 'array', items: 'int' },
      writer: { type: 'array', items: 'long' },
      compatible: false,
      kind: 'TYPE_MISMATCH',
      locations: ['/items'],
    },
    {
      reader: { type: 'map', values: 'int' },
      writer: { type: 'array', items: 'int' },
      compatible: false,
      kind: 'TYPE_MISMATCH',
      locations: ['/'],
    },
    {
      reader: { type: 'array', items: 'int' },
      writer: { type: 'map', values: 'int' },
      compatible: false,
      kind: 'TYPE_MISMATCH',
      locations: ['/'],
    },
    {
      reader: { type: 'map', values: 'int' },
      writer: { type: 'map', values: 'long' },
      compatible: false,
      kind: 'TYPE_MISMATCH',
      locations: ['/values'],
    },
    {
      reader: 'int',
      writer: { type: 'enum', name: 'Enum2', symbols: ['A', 'B'] },
      compatible: false,
      kind: 'TYPE_MISMATCH',
      locations: ['/'],
    },
    {
      reader: { type: 'enum', name: 'Enum2', symbols: ['A', 'B'] },
      writer: 'int',
      compatible: false,
      kind: 'TYPE_MISMATCH',
      locations: ['/'],
    },
    {
      reader: 'float',
      writer: ['int', 'long', 'float', 'double'],
      compatible: false,
      kind: 'TYPE_MISMATCH',
      locations: ['/'],
    },
    { reader: 'long', writer: ['int', 'float'], compatible: false, kind: 'TYPE_MISMATCH', locations: ['/'] },
    { reader: 'int', writer: ['int', 'float'], compatible: false, kind: 'TYPE_MISMATCH', locations: ['/'] },
    {
      reader: {
        type: 'record',
        name: 'List',
        fields: [
          { name: 'head', type: 'int' },
          { name: 'tail', type: 'List' },
        ],
      },
      writer: {
        type: 'record',
        name: 'List',
        fields: [
          { name: 'head', type: 'long' },
          { name: 'tail', type: 'List' },
        ],
      },
      compatible: false,
      kind: 'TYPE_MISMATCH',
      locations: ['/fields/0/type'],
    },
  ],
  'schemaregistry basic backwards compatibility': [
    {
      reader: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2', default: 'foo' },
        ],
      },
      writer: { type: 'record', name: 'myrecord', fields: [{ type: 'string', name: 'f1' }] },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2' },
        ],
      },
      writer: { type: 'record', name: 'myrecord', fields: [{ type: 'string', name: 'f1' }] },
      compatible: false,
    },
    {
      reader: { type: 'record', name: 'myrecord', fields: [{ type: 'string', name: 'f1_new', aliases: ['f1'] }] },
      writer: { type: 'record', name: 'myrecord', fields: [{ type: 'string', name: 'f1' }] },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'myrecord',
        fields: [{ type: ['null', 'string'], name: 'f1', doc: 'doc of f1' }],
      },
      writer: { type: 'record', name: 'myrecord', fields: [{ type: 'string', name: 'f1' }] },
      compatible: true,
    },
    {
      reader: { type: 'record', name: 'myrecord', fields: [{ type: 'string', name: 'f1' }] },
      writer: {
        type: 'record',
        name: 'myrecord',
        fields: [{ type: ['null', 'string'], name: 'f1', doc: 'doc of f1' }],
      },
      compatible: false,
    },
    {
      reader: {
        type: 'record',
        name: 'myrecord',
        fields: [{ type: ['null', 'string', 'int'], name: 'f1', doc: 'doc of f1' }],
      },
      writer: {
        type: 'record',
        name: 'myrecord',
        fields: [{ type: ['null', 'string'], name: 'f1', doc: 'doc of f1' }],
      },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'myrecord',
        fields: [{ type: ['null', 'string'], name: 'f1', doc: 'doc of f1' }],
      },
      writer: {
        type: 'record',
        name: 'myrecord',
        fields: [{ type: ['null', 'string', 'int'], name: 'f1', doc: 'doc of f1' }],
      },
      compatible: false,
    },
    {
      reader: { type: 'enum', name: 'test_default', symbols: ['A'], default: 'B' },
      writer: { type: 'enum', name: 'test_default', symbols: ['A'], default: 'A' },
      compatible: true,
    },
  ],
  'schemaregistry basic backwards transitive compatibility': [
    {
      reader: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2', default: 'foo' },
        ],
      },
      writer: { type: 'record', name: 'myrecord', fields: [{ type: 'string', name: 'f1' }] },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2', default: 'foo' },
        ],
      },
      writer: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2', default: 'foo' },
        ],
      },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2' },
        ],
      },
      writer: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2', default: 'foo' },
        ],
      },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2' },
        ],
      },
      writer: { type: 'record', name: 'myrecord', fields: [{ type: 'string', name: 'f1' }] },
      compatible: false,
    },
  ],
  'schemaregistry basic forwards compatibility': [
    {
      reader: { type: 'record', name: 'myrecord', fields: [{ type: 'string', name: 'f1' }] },
      writer: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2', default: 'foo' },
        ],
      },
      compatible: true,
    },
    {
      reader: { type: 'record', name: 'myrecord', fields: [{ type: 'string', name: 'f1' }] },
      writer: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2' },
        ],
      },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2', default: 'foo' },
        ],
      },
      writer: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2' },
        ],
      },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2' },
        ],
      },
      writer: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2', default: 'foo' },
        ],
      },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2', default: 'foo' },
        ],
      },
      writer: { type: 'record', name: 'myrecord', fields: [{ type: 'string', name: 'f1' }] },
      compatible: true,
    },
  ],
  'schemaregistry basic forwards transitive compatibility': [
    {
      reader: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2', default: 'foo' },
        ],
      },
      writer: { type: 'record', name: 'myrecord', fields: [{ type: 'string', name: 'f1' }] },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2' },
        ],
      },
      writer: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2', default: 'foo' },
        ],
      },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'myrecord',
        fields: [
          { type: 'string', name: 'f1' },
          { type: 'string', name: 'f2' },
        ],
      },
      writer: { type: 'record', name: 'myrecord', fields: [{ type: 'string', name: 'f1' }] },
      compatible: false,
    },
  ],
  'simple schema promotion': [
    {
      reader: { name: 'foo', type: 'record', fields: [{ type: 'int', name: 'bar', aliases: ['f1'] }] },
      writer: {
        name: 'foo',
        type: 'record',
        fields: [
          { type: 'int', name: 'f1' },
          { type: 'string', name: 'f2' },
        ],
      },
      compatible: true,
    },
    {
      reader: { name: 'other', type: 'record', fields: [{ type: 'int', name: 'f1' }], aliases: ['foo'] },
      writer: {
        name: 'foo',
        type: 'record',
        fields: [
          { type: 'int', name: 'f1' },
          { type: 'string', name: 'f2' },
        ],
      },
      compatible: true,
    },
    {
      reader: { name: 'foo', type: 'record', fields: [{ type: 'int', name: 'f1' }] },
      writer: {
        name: 'foo',
        type: 'record',
        fields: [
          { type: 'int', name: 'f1' },
          { type: 'string', name: 'f2' },
        ],
      },
      compatible: true,
    },
    {
      reader: {
        name: 'foo',
        type: 'record',
        fields: [
          { type: 'int', name: 'f1' },
          { type: 'string', name: 'f2' },
        ],
      },
      writer: { name: 'foo', type: 'record', fields: [{ type: 'int', name: 'f1' }] },
      compatible: false,
    },
    {
      reader: {
        type: 'record',
        name: 'CA',
        namespace: 'ns1',
        fields: [
          { type: 'string', name: 'provider' },
          { type: ['null', 'string'], name: 'name', default: null },
          { type: ['null', 'string'], name: 'phone', default: null },
          { type: ['null', 'string'], name: 'email', default: null },
          { type: ['null', 'string'], name: 'reference', default: null },
          { type: ['null', 'double'], name: 'price', default: null },
          { type: ['null', 'string'], name: 'status_date', default: null },
        ],
      },
      writer: {
        type: 'record',
        name: 'CA',
        namespace: 'ns1',
        fields: [
          { type: 'string', name: 'provider' },
          { type: ['null', 'string'], name: 'name', default: null },
          { type: ['null', 'string'], name: 'phone', default: null },
          { type: ['null', 'string'], name: 'email', default: null },
          { type: ['null', 'string'], name: 'reference', default: null },
          { type: ['null', 'double'], name: 'price', default: null },
        ],
      },
      compatible: true,
    },
  ],
  'union to simple comparison': [
    {
      reader: {
        type: 'record',
        name: 'name',
        namespace: 'namespace',
        fields: [{ type: ['null', { type: 'array', items: 'string', name: 'fn' }], name: 'fn' }],
      },
      writer: {
        type: 'record',
        name: 'name',
        namespace: 'namespace',
        fields: [{ type: { type: 'array', items: 'string', name: 'fn' }, name: 'fn' }],
      },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'name',
        namespace: 'namespace',
        fields: [
          {
            type: ['null', { type: 'record', name: 'fn', fields: [{ type: 'string', name: 'inner_rec' }] }],
            name: 'fn',
          },
        ],
      },
      writer: {
        type: 'record',
        name: 'name',
        namespace: 'namespace',
        fields: [{ type: { type: 'record', name: 'fn', fields: [{ type: 'string', name: 'inner_rec' }] }, name: 'fn' }],
      },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'name',
        namespace: 'namespace',
        fields: [{ type: ['null', { type: 'enum', name: 'fn', symbols: ['foo', 'bar', 'baz'] }], name: 'fn' }],
      },
      writer: {
        type: 'record',
        name: 'name',
        namespace: 'namespace',
        fields: [{ type: { type: 'enum', name: 'fn', symbols: ['foo', 'bar', 'baz'] }, name: 'fn' }],
      },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'name',
        namespace: 'namespace',
        fields: [{ type: ['null', { type: 'fixed', size: 16, name: 'fn', aliases: ['testalias'] }], name: 'fn' }],
      },
      writer: {
        type: 'record',
        name: 'name',
        namespace: 'namespace',
        fields: [{ type: { type: 'fixed', size: 16, name: 'fn', aliases: ['testalias'] }, name: 'fn' }],
      },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'name',
        namespace: 'namespace',
        fields: [{ type: ['null', 'string'], name: 'fn' }],
      },
      writer: { type: 'record', name: 'name', namespace: 'namespace', fields: [{ type: 'string', name: 'fn' }] },
      compatible: true,
    },
    {
      reader: {
        type: 'record',
        name: 'name',
        namespace: 'namespace',
        fields: [{ type: ['null', { type: 'map', values: 'int', name: 'fn' }], name: 'fn' }],
      },
      writer: {
        type: 'record',
        name: 'name',
        namespace: 'namespace',
        fields: [{ type: { type: 'map', values: 'int', name: 'fn' }, name: 'fn' }],
      },
      compatible: true,
    },
  ],
};
