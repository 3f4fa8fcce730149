/**
 * The schema format plugins, one per Confluent schema type. The registry core looks a plugin up by
 * the `schemaType` of a registration (`AVRO` when absent, as Confluent does).
 *
 * @example
 * import { getFormat } from './formats/index.ts';
 *
 * const json = getFormat('JSON');
 * const schema = json.parse('{"type":"object","properties":{"id":{"type":"integer"}}}');
 * const bytes = json.serialize(schema, { id: 1 });
 */
import { TributaryError } from '../../src/errors.ts';
import { avroFormat } from './avro.ts';
import { jsonFormat } from './json.ts';
import { protobufFormat } from './protobuf.ts';
import type { FormatPlugin, SchemaType } from './types.ts';

export type {
  CompatibilityIssue,
  DeserializeOptions,
  FormatPlugin,
  FramedDecoder,
  FramedEncoder,
  ParsedSchema,
  ResolvedReference,
  SchemaReference,
  SchemaType,
  SerializeOptions,
} from './types.ts';
export { avroFormat, jsonFormat, protobufFormat };

/** Every plugin by schema type. */
export const formats: Readonly<Record<SchemaType, FormatPlugin>> = Object.freeze({
  AVRO: avroFormat as FormatPlugin,
  PROTOBUF: protobufFormat as FormatPlugin,
  JSON: jsonFormat as FormatPlugin,
});

/** The schema types, in the order `GET /schemas/types` lists them. */
export const schemaTypes: readonly SchemaType[] = Object.freeze(['JSON', 'PROTOBUF', 'AVRO'] as const);

/** True when `type` is a schema type Tributary supports. */
export function isSchemaType(type: unknown): type is SchemaType {
  return type === 'AVRO' || type === 'PROTOBUF' || type === 'JSON';
}

/**
 * The plugin for a schema type; `undefined` or `null` mean AVRO, as on Confluent's REST API.
 * Throws `INVALID_SCHEMA` for an unknown type.
 */
export function getFormat(type: SchemaType | null | undefined = 'AVRO'): FormatPlugin {
  const t = type ?? 'AVRO';
  if (!isSchemaType(t))
    throw new TributaryError('INVALID_SCHEMA', `Unknown schema type ${String(t)}`, { schemaType: t });
  return formats[t];
}
