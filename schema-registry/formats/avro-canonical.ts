/**
 * Avro's Parsing Canonical Form (Avro specification, "Parsing Canonical Form for Schemas"): the
 * schema reduced to what a reader needs to decode data, so that two texts that parse the same
 * way have the same form.
 *
 * - PRIMITIVES: a primitive is written as its name (`"int"`, never `{"type":"int"}`).
 * - FULLNAMES: every name is its full name; `namespace` disappears.
 * - STRIP: only `type`, `name`, `fields`, `symbols`, `items`, `values` and `size` are kept (so `doc`,
 *   `aliases`, `default`, `order`, `logicalType` and any other attribute go).
 * - ORDER: attributes in the order `name`, `type`, `fields`, `symbols`, `items`, `values`, `size`.
 * - STRINGS / INTEGERS / WHITESPACE: JSON without escapes beyond what JSON needs, plain integers,
 *   no whitespace.
 *
 * A named type is written in full where it first appears and by its full name afterwards. Names in
 * `predefined` (the named types a schema takes from its references) are always written by name, so
 * a schema's form covers its own text only.
 */
import { type AvroType, isRecord, isUnion, unwrap } from './avro-model.ts';

/** The Parsing Canonical Form of a parsed avsc type. */
export function parsingCanonicalForm(type: AvroType, predefined: ReadonlySet<string> = new Set()): string {
  return render(type, new Set(predefined));
}

function render(input: AvroType, written: Set<string>): string {
  const type = unwrap(input);
  if (isUnion(type)) return `[${(type.types ?? []).map((t) => render(t, written)).join(',')}]`;
  const name = type.name;
  if (name !== undefined) {
    if (written.has(name)) return JSON.stringify(name);
    written.add(name);
  }
  switch (type.typeName) {
    case 'array':
      return `{"type":"array","items":${render(type.itemsType!, written)}}`;
    case 'map':
      return `{"type":"map","values":${render(type.valuesType!, written)}}`;
    case 'enum':
      return `{"name":${JSON.stringify(name)},"type":"enum","symbols":${JSON.stringify(type.symbols ?? [])}}`;
    case 'fixed':
      return `{"name":${JSON.stringify(name)},"type":"fixed","size":${String(type.size)}}`;
    default:
      if (isRecord(type)) {
        const fields = (type.fields ?? [])
          .map((f) => `{"name":${JSON.stringify(f.name)},"type":${render(f.type, written)}}`)
          .join(',');
        return `{"name":${JSON.stringify(name)},"type":${JSON.stringify(type.typeName)},"fields":[${fields}]}`;
      }
      return JSON.stringify(type.typeName);
  }
}
