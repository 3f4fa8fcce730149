/**
 * The JSON bodies the registry answers, field for field as Confluent writes them: `schemaType` is
 * left out for AVRO and `references` when there are none.
 */
import { getFormat } from '../formats/index.ts';
import type { StoredSchema, SubjectVersion } from '../model.ts';
import type { SchemaRegistry } from '../registry.ts';

/**
 * The schema text in the requested `format` (Protobuf `serialized`, Avro `resolved`), else as
 * stored; a Protobuf schema registered as a base64 descriptor is answered as .proto text unless
 * `serialized` is asked for, as Confluent does.
 */
export function schemaText(registry: SchemaRegistry, schema: StoredSchema, format: string | undefined): string {
  const plain = format === undefined || format === '' || format === 'default';
  if (plain && schema.schemaType !== 'PROTOBUF') return schema.schema;
  const plugin = getFormat(schema.schemaType);
  if (plugin.toFormat === undefined) return schema.schema;
  try {
    return plugin.toFormat(registry.parsedSchema(schema.id), plain ? '' : format);
  } catch {
    // A stored schema this version cannot parse is still answered, as it was registered.
    return schema.schema;
  }
}

/** `GET /subjects/{s}/versions/{v}`, `POST /subjects/{s}`, `GET /schemas` items. */
export function versionBody(registry: SchemaRegistry, v: SubjectVersion, format?: string): Record<string, unknown> {
  const body: Record<string, unknown> = { subject: v.subject, version: v.version, id: v.id };
  if (v.schemaType !== 'AVRO') body['schemaType'] = v.schemaType;
  if (v.references.length > 0) body['references'] = v.references;
  body['schema'] = schemaText(registry, v, format);
  return body;
}

/** `GET /schemas/ids/{id}`. */
export function schemaBody(registry: SchemaRegistry, schema: StoredSchema, format?: string): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (schema.schemaType !== 'AVRO') body['schemaType'] = schema.schemaType;
  if (schema.references.length > 0) body['references'] = schema.references;
  body['schema'] = schemaText(registry, schema, format);
  return body;
}
