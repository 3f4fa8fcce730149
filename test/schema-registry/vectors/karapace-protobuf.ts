/**
 * Karapace's Protobuf compatibility cases (tests/unit/compatibility/test_protobuf_checks.py,
 * tests/unit/protobuf/test_protobuf_compatibility.py and the REST cases of
 * tests/integration/test_dependencies_compatibility_protobuf.py), transcribed as data: `before` is the
 * registered (writer) schema, `after` the new (reader) one, `compatible` Karapace's decision.
 * `changes` is empty: Karapace's results do not name Confluent's change types.
 */
import type { DiffVector } from './types.ts';

const person = (fields: string, name = 'Person') => `syntax = "proto3";\nmessage ${name} {\n${fields}}\n`;

/** `TestMessage` with a nested `Value` whose fields are given, in package a1. */
const a1Value = (fields: string, extra = '') => `syntax = "proto3";
package a1;
message TestMessage {
    message Value {
${fields}    }
    string test = 1;
    .a1.TestMessage.Value val = 2;
${extra}}
`;

/** A message using `container.H` from an imported file (or a Google type), as the REST cases do. */
const usingContainer = (
  importName: string,
  type: string,
  pkg = 'package a1;\n',
  self = '.a1.TestMessage.V',
) => `syntax = "proto3";
${pkg}import "${importName}";
message TestMessage {
    message V {
        ${type} h = 1;
        int32 x = 2;
    }
    string t = 1;
    ${self} v = 2;
}
`;
const container = (type: string, message = 'H', field = 's', pkg = 'package a1;\n') => `syntax = "proto3";
${pkg}message container {
    message ${message} {
        ${type} ${field} = 1;
    }
}
`;

export const karapaceProtobuf: DiffVector<string>[] = [
  {
    name: 'identical schemas',
    before: person('  string name = 1;\n  int32 age = 2;\n'),
    after: person('  string name = 1;\n  int32 age = 2;\n'),
    changes: [],
    compatible: true,
  },
  {
    name: 'adding an optional field',
    before: person('  string name = 1;\n'),
    after: person('  string name = 1;\n  int32 age = 2;\n'),
    changes: [],
    compatible: true,
  },
  {
    name: 'renaming the message',
    before: person('  string name = 1;\n'),
    after: person('  string name = 1;\n', 'Human'),
    changes: [],
    compatible: false,
  },
  {
    name: 'changing a field type from int32 to string',
    before: person('  string name = 1;\n  int32 age = 2;\n'),
    after: person('  string name = 1;\n  string age = 2;\n'),
    changes: [],
    compatible: false,
  },
  {
    name: 'changing a field number',
    before: person('  string name = 1;\n  int32 age = 2;\n'),
    after: person('  string name = 1;\n  int32 age = 3;\n'),
    changes: [],
    compatible: false,
  },
  {
    name: 'removing a field',
    before: person('  string name = 1;\n  int32 age = 2;\n'),
    after: person('  string name = 1;\n'),
    changes: [],
    compatible: true,
  },
  {
    name: 'adding an enum value',
    before:
      'syntax = "proto3";\nmessage Holder {\n  enum Color {\n    UNKNOWN = 0;\n    RED = 1;\n  }\n  Color color = 1;\n}\n',
    after:
      'syntax = "proto3";\nmessage Holder {\n  enum Color {\n    UNKNOWN = 0;\n    RED = 1;\n    GREEN = 2;\n  }\n  Color color = 1;\n}\n',
    changes: [],
    compatible: true,
  },
  {
    name: 'changing the second of two fields from int32 to string',
    before: person('  string a = 1;\n  int32 b = 2;\n'),
    after: person('  string a = 1;\n  string b = 2;\n'),
    changes: [],
    compatible: false,
  },
  {
    name: 'changing the package',
    before: a1Value('        string str = 1;\n'),
    after: a1Value('        string str = 1;\n').replaceAll('a1', 'a2'),
    changes: [],
    compatible: true,
  },
  {
    name: 'adding a field to a nested message',
    before: a1Value('        string str = 1;\n'),
    after: a1Value('        string str = 1;\n        string str2 = 2;\n'),
    changes: [],
    compatible: true,
  },
  {
    name: 'dropping a field of a nested message',
    before: a1Value('        string str = 1;\n        string str2 = 2;\n'),
    after: a1Value('        string str = 1;\n'),
    changes: [],
    compatible: true,
  },
  {
    name: 'renaming a field of a nested message',
    before: a1Value('        string str2 = 1;\n'),
    after: a1Value('        string str = 1;\n'),
    changes: [],
    compatible: true,
  },
  {
    name: 'changing an int32 field to an enum',
    before: a1Value('        string str2 = 1;\n        int32 x = 2;\n'),
    after: a1Value(
      '        string str2 = 1;\n        Enu x = 2;\n',
      '    enum Enu {\n        A = 0;\n        B = 1;\n    }\n',
    ),
    changes: [],
    compatible: true,
  },
  {
    // Karapace numbers hodofield 0, which protoc and protobufjs refuse (field numbers start at 1).
    name: 'moving a message after another',
    before:
      'syntax = "proto3";\npackage tc4;\n\nmessage Fred {\n  int32 fredfield = 1;\n}\n\nmessage HodoCode {\n  int32 hodofield = 2;\n}\n',
    after:
      'syntax = "proto3";\npackage tc4;\n\nmessage HodoCode {\n  int32 hodofield = 2;\n}\n\nmessage Fred {\n  int32 fredfield = 1;\n}\n',
    changes: [],
    compatible: true,
  },
  {
    name: 'moving an enum before the message using it, and adding a field',
    before:
      'syntax = "proto3";\npackage tc4;\n\nmessage Fred {\n  HodoCode hodecode = 1;\n}\n\nenum HodoCode {\n  HODO_CODE_UNSPECIFIED = 0;\n}\n',
    after:
      'syntax = "proto3";\npackage tc4;\n\nenum HodoCode {\n  HODO_CODE_UNSPECIFIED = 0;\n}\n\nmessage Fred {\n  HodoCode hodecode = 1;\n  string id = 2;\n}\n',
    changes: [],
    compatible: true,
  },
  {
    name: 'adding a field to a message declared before an enum',
    before:
      'syntax = "proto3";\npackage tc4;\n\nmessage Fred {\n  HodoCode hodecode = 1;\n}\n\nenum HodoCode {\n  HODO_CODE_UNSPECIFIED = 0;\n}\n',
    after:
      'syntax = "proto3";\npackage tc4;\n\nmessage Fred {\n  HodoCode hodecode = 1;\n  string id = 2;\n}\n\nenum HodoCode {\n  HODO_CODE_UNSPECIFIED = 0;\n}\n',
    changes: [],
    compatible: true,
  },
  {
    name: 'changing the number of the last field',
    before:
      'syntax = "proto3";\npackage pkg;\nmessage Foo {\n    string fieldA = 1;\n    string fieldB = 2;\n    string fieldC = 3;\n    string fieldX = 4;\n}\n',
    after:
      'syntax = "proto3";\npackage pkg;\nmessage Foo {\n    string fieldA = 1;\n    string fieldB = 2;\n    string fieldC = 3;\n    string fieldX = 5;\n}\n',
    changes: [],
    compatible: false,
  },
  {
    name: 'importing the same container from another subject',
    before: usingContainer('container1.proto', '.a1.container.Hint').replaceAll(' h = 1', ' hint = 1'),
    after: usingContainer('container2.proto', '.a1.container.Hint').replaceAll(' h = 1', ' hint = 1'),
    beforeImports: { 'container1.proto': container('string', 'Hint', 'hint_str') },
    afterImports: { 'container2.proto': container('string', 'Hint', 'hint_str') },
    changes: [],
    compatible: true,
  },
  {
    name: 'importing a container whose nested field changed type',
    before: usingContainer('container1.proto', '.a1.container.Hint').replaceAll(' h = 1', ' hint = 1'),
    after: usingContainer('container2.proto', '.a1.container.Hint').replaceAll(' h = 1', ' hint = 1'),
    beforeImports: { 'container1.proto': container('string', 'Hint', 'hint_str') },
    afterImports: { 'container2.proto': container('int32', 'Hint', 'hint_str') },
    changes: [],
    compatible: false,
  },
  {
    name: 'importing a container whose nested field changed type, short names',
    before: usingContainer('container1.proto', '.a1.container.H'),
    after: usingContainer('container2.proto', '.a1.container.H'),
    beforeImports: { 'container1.proto': container('string') },
    afterImports: { 'container2.proto': container('int32') },
    changes: [],
    compatible: false,
  },
  {
    name: 'a field changed from a referenced message to google.type.PostalAddress',
    before: usingContainer('container.proto', '.a1.container.H'),
    after: usingContainer('google/type/postal_address.proto', 'google.type.PostalAddress'),
    beforeImports: { 'container.proto': container('string') },
    changes: [],
    compatible: false,
  },
  {
    name: 'a field changed from google.type.PostalAddress to a referenced message',
    before: usingContainer('google/type/postal_address.proto', 'google.type.PostalAddress'),
    after: usingContainer('container.proto', '.a1.container.H'),
    afterImports: { 'container.proto': container('string') },
    changes: [],
    compatible: false,
  },
  {
    name: 'importing a container without a package whose nested field changed type',
    before: usingContainer('container1.proto', '.container.H', '', '.TestMessage.V'),
    after: usingContainer('container2.proto', '.container.H', '', '.TestMessage.V'),
    beforeImports: { 'container1.proto': container('string', 'H', 's', '') },
    afterImports: { 'container2.proto': container('int32', 'H', 's', '') },
    changes: [],
    compatible: false,
  },
];
