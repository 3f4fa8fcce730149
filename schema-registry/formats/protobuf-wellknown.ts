/**
 * The files a Protobuf schema may import without a reference, as Confluent Schema Registry allows:
 * Google's well-known types (`google/protobuf/*.proto`, shipped with protobufjs), Google's common
 * types (`google/type/*.proto`) and Confluent's own `confluent/meta.proto`,
 * `confluent/type/decimal.proto` and `confluent/type/variant.proto`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';
import { GOOGLE_TYPES } from './protobuf-google-types.ts';

/** A built-in file: its .proto text, or protobufjs JSON when protobufjs only ships that. */
export type WellKnownSource = { readonly text: string } | { readonly json: protobuf.INamespace };

const require = createRequire(import.meta.url);

/** Well-known types protobufjs bundles as JSON (`protobuf.common`). */
const BUNDLED = ['any', 'duration', 'empty', 'field_mask', 'struct', 'timestamp', 'wrappers'];
/** Well-known types protobufjs ships as .proto files. */
const SHIPPED = ['api', 'descriptor', 'source_context', 'type'];

const TEXTS: Readonly<Record<string, string>> = {
  'confluent/meta.proto': `syntax = "proto3";
package confluent;
import "google/protobuf/descriptor.proto";
message Meta {
  string doc = 1;
  map<string, string> params = 2;
  repeated string tags = 3;
  repeated Rule rules = 4;
}
message Rule {
  string name = 1;
  string doc = 2;
  string expr = 3;
  string sql = 4;
}
extend google.protobuf.FileOptions { Meta file_meta = 1088; }
extend google.protobuf.MessageOptions { Meta message_meta = 1088; }
extend google.protobuf.FieldOptions { Meta field_meta = 1088; }
extend google.protobuf.EnumOptions { Meta enum_meta = 1088; }
extend google.protobuf.EnumValueOptions { Meta enum_value_meta = 1088; }
`,
  'confluent/type/decimal.proto': `syntax = "proto3";
package confluent.type;
message Decimal {
  bytes value = 1;
  uint32 precision = 2;
  int32 scale = 3;
}
`,
  'confluent/type/variant.proto': `syntax = "proto3";
package confluent.type;
message Variant {
  bytes metadata = 1;
  bytes value = 2;
}
`,
  ...GOOGLE_TYPES,
};

const cache = new Map<string, WellKnownSource | null>();

/** The built-in file at an import path, or `undefined` when there is none. */
export function wellKnownFile(path: string): WellKnownSource | undefined {
  if (cache.has(path)) return cache.get(path) ?? undefined;
  const source = load(path);
  cache.set(path, source ?? null);
  return source;
}

function load(path: string): WellKnownSource | undefined {
  const confluent = TEXTS[path];
  if (confluent !== undefined) return { text: confluent };
  const match = /^google\/protobuf\/([a-z_]+)\.proto$/.exec(path);
  if (match === null) return undefined;
  const name = match[1]!;
  if (BUNDLED.includes(name)) {
    const json = protobuf.common.get(path);
    return json === null ? undefined : { json: json as protobuf.INamespace };
  }
  if (SHIPPED.includes(name)) {
    return { text: readFileSync(require.resolve(`protobufjs/google/protobuf/${name}.proto`), 'utf8') };
  }
  return undefined;
}
