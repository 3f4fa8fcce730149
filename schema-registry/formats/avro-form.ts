/**
 * The forms of an Avro schema that identify it as Confluent Schema Registry identifies it.
 *
 * Confluent keys a schema by Avro Java's rendering of it (`Schema.toString()`, its
 * `canonicalString`): the *whole* schema — `doc`, `aliases`, defaults, `order`, logical types with
 * their precision and scale, custom properties such as `connect.name` — with whitespace, attribute
 * order and the way names are spelled (`namespace` + `name` or a dotted `name`) made uniform. Two
 * schemas that differ in any of those are two schemas, with two ids. That is {@link avroForm} with
 * `normalize: false`.
 *
 * `normalize: true` is Confluent's `AvroSchema.normalize()`: the same, with custom properties and
 * aliases sorted, `order` always written, and a decimal's zero `scale` left out, so that schemas
 * that differ only in those orders are one schema.
 *
 * Named types defined in references are written by name only (`inline: false`), as Confluent's
 * canonical string does; `inline: true` writes them out where first used, which is the schema a
 * client sends with its references resolved (what Confluent's `canLookup` compares).
 *
 * Why not the raw text or avsc's `schema()`: avsc drops custom properties and `doc`, and the raw
 * text differs in whitespace and key order that Confluent ignores.
 *
 * @example
 * avroForm('{"type":"long","logicalType":"timestamp-millis"}', { normalize: false });
 * // '{"type":"long","logicalType":"timestamp-millis"}' — not '"long"'
 */

/** Options of {@link avroForm}. */
export interface AvroFormOptions {
  /** Confluent's normalisation: properties and aliases sorted (see the file's doc). */
  normalize: boolean;
  /** Named types of references, by full name, with their JSON and enclosing namespace. */
  definitions?: ReadonlyMap<string, AvroDefinition>;
  /** Write referenced named types out where first used (true) or by name (false). */
  inline?: boolean;
}

/** A named type's JSON and the namespace it was defined in. */
export interface AvroDefinition {
  json: Record<string, unknown>;
  namespace: string;
}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const COMPLEX = new Set(['record', 'error', 'enum', 'fixed', 'array', 'map']);
/** Avro Java's reserved attributes of a schema: anything else is a custom property. */
const SCHEMA_RESERVED = new Set([
  'doc',
  'fields',
  'items',
  'name',
  'namespace',
  'size',
  'symbols',
  'values',
  'type',
  'aliases',
]);
const FIELD_RESERVED = new Set(['default', 'doc', 'name', 'order', 'type', 'aliases']);

/** The identifying form of a parsed Avro JSON schema (see the file's doc). */
export function avroForm(json: unknown, options: AvroFormOptions): string {
  return new Renderer(options).render(json, '');
}

/**
 * The named types a schema defines, by full name, with their JSON and the namespace around them:
 * what a referring schema may name (and what `inline` writes out).
 */
export function collectDefinitions(json: unknown, into: Map<string, AvroDefinition>, namespace = ''): void {
  if (Array.isArray(json)) {
    for (const branch of json) collectDefinitions(branch, into, namespace);
    return;
  }
  if (json === null || typeof json !== 'object') return;
  const obj = json as Record<string, unknown>;
  const type = obj['type'];
  if (typeof type !== 'string') {
    collectDefinitions(type, into, namespace);
    return;
  }
  if (type === 'record' || type === 'error' || type === 'enum' || type === 'fixed') {
    const full = fullName(obj, namespace);
    if (!into.has(full)) into.set(full, { json: obj, namespace });
    const inner = namespaceOf(full);
    for (const field of Array.isArray(obj['fields']) ? obj['fields'] : []) {
      if (field !== null && typeof field === 'object')
        collectDefinitions((field as Record<string, unknown>)['type'], into, inner);
    }
    return;
  }
  if (type === 'array') collectDefinitions(obj['items'], into, namespace);
  if (type === 'map') collectDefinitions(obj['values'], into, namespace);
}

/**
 * The JSON avsc is given: a named type referred to in object form (`{"type":"E"}`, which Avro Java
 * accepts) becomes the name itself, which avsc accepts; an empty union (`[]`, which Avro Java
 * accepts and no value matches) becomes a type that no value matches either.
 */
export function forAvsc(json: unknown): unknown {
  if (Array.isArray(json)) return json.length === 0 ? EMPTY_UNION : json.map(forAvsc);
  if (json === null || typeof json !== 'object') return json;
  const obj = json as Record<string, unknown>;
  const type = obj['type'];
  if (typeof type === 'string' && !PRIMITIVES.has(type) && !COMPLEX.has(type)) return type;
  const out: Record<string, unknown> = { ...obj };
  if (typeof type !== 'string') out['type'] = forAvsc(type);
  if (Array.isArray(obj['fields'])) {
    out['fields'] = obj['fields'].map((f) =>
      f !== null && typeof f === 'object'
        ? { ...(f as object), type: forAvsc((f as Record<string, unknown>)['type']) }
        : f,
    );
  }
  if ('items' in obj) out['items'] = forAvsc(obj['items']);
  if ('values' in obj) out['values'] = forAvsc(obj['values']);
  return out;
}

/** The logical type that stands for an empty union in avsc (see `avro.ts`). */
export const EMPTY_UNION_LOGICAL_TYPE = 'tributary-empty-union';
const EMPTY_UNION = { type: 'null', logicalType: EMPTY_UNION_LOGICAL_TYPE };

class Renderer {
  private readonly written = new Set<string>();

  constructor(private readonly options: AvroFormOptions) {
    if (options.inline !== true) for (const name of options.definitions?.keys() ?? []) this.written.add(name);
  }

  render(json: unknown, namespace: string): string {
    if (typeof json === 'string') return this.named(json, namespace);
    if (Array.isArray(json)) return `[${json.map((b) => this.render(b, namespace)).join(',')}]`;
    if (json === null || typeof json !== 'object') return JSON.stringify(json);
    const obj = json as Record<string, unknown>;
    const type = obj['type'];
    if (typeof type !== 'string') return this.render(type, namespace);
    if (PRIMITIVES.has(type)) {
      const props = this.props(obj, SCHEMA_RESERVED);
      return props === '' ? JSON.stringify(type) : `{"type":${JSON.stringify(type)}${props}}`;
    }
    switch (type) {
      case 'array':
        return `{"type":"array","items":${this.render(obj['items'], namespace)}${this.props(obj, SCHEMA_RESERVED)}}`;
      case 'map':
        return `{"type":"map","values":${this.render(obj['values'], namespace)}${this.props(obj, SCHEMA_RESERVED)}}`;
      case 'record':
      case 'error':
      case 'enum':
      case 'fixed':
        return this.definition(obj, type, namespace);
      default:
        // `{"type":"Name"}`: a named type referred to in object form.
        return this.named(type, namespace);
    }
  }

  private named(name: string, namespace: string): string {
    if (PRIMITIVES.has(name)) return JSON.stringify(name);
    const full = this.resolve(name, namespace);
    if (!this.written.has(full)) {
      const definition = this.options.definitions?.get(full);
      if (definition !== undefined) return this.render(definition.json, definition.namespace);
    }
    return JSON.stringify(full);
  }

  /** Java resolves a short name in the enclosing namespace first, then as written. */
  private resolve(name: string, namespace: string): string {
    if (name.includes('.') || namespace === '') return name;
    const qualified = `${namespace}.${name}`;
    return this.written.has(qualified) || this.options.definitions?.has(qualified) === true ? qualified : name;
  }

  private definition(obj: Record<string, unknown>, type: string, namespace: string): string {
    const full = fullName(obj, namespace);
    if (this.written.has(full)) return JSON.stringify(full);
    this.written.add(full);
    const inner = namespaceOf(full);
    let out = `{"type":${JSON.stringify(type)},"name":${JSON.stringify(full)}`;
    // Avro Java writes an empty doc; Confluent's normalisation drops it.
    if (typeof obj['doc'] === 'string' && (obj['doc'] !== '' || !this.options.normalize))
      out += `,"doc":${JSON.stringify(obj['doc'])}`;
    if (type === 'enum') {
      out += `,"symbols":${JSON.stringify(obj['symbols'] ?? [])}`;
      if (obj['default'] !== undefined) out += `,"default":${JSON.stringify(obj['default'])}`;
    } else if (type === 'fixed') {
      out += `,"size":${JSON.stringify(obj['size'])}`;
    } else {
      const fields = Array.isArray(obj['fields']) ? obj['fields'] : [];
      out += `,"fields":[${fields.map((f) => this.field(f as Record<string, unknown>, inner)).join(',')}]`;
    }
    out += this.aliases(obj['aliases'], inner);
    const reserved = type === 'enum' ? new Set([...SCHEMA_RESERVED, 'default']) : SCHEMA_RESERVED;
    return `${out}${this.props(obj, reserved)}}`;
  }

  private field(field: Record<string, unknown>, namespace: string): string {
    let out = `{"name":${JSON.stringify(field['name'])},"type":${this.render(field['type'], namespace)}`;
    if (typeof field['doc'] === 'string') out += `,"doc":${JSON.stringify(field['doc'])}`;
    if (field['default'] !== undefined) out += `,"default":${JSON.stringify(field['default'])}`;
    const order = typeof field['order'] === 'string' ? field['order'] : 'ascending';
    if (order !== 'ascending' || this.options.normalize) out += `,"order":${JSON.stringify(order)}`;
    // Field aliases are plain names, not qualified.
    const aliases = Array.isArray(field['aliases']) ? field['aliases'].map(String) : [];
    if (aliases.length > 0)
      out += `,"aliases":${JSON.stringify(this.options.normalize ? [...new Set(aliases)].sort() : aliases)}`;
    return `${out}${this.props(field, FIELD_RESERVED)}}`;
  }

  private aliases(raw: unknown, namespace: string): string {
    if (!Array.isArray(raw) || raw.length === 0) return '';
    const full = raw.map((a) => {
      const name = String(a);
      return name.includes('.') || namespace === '' ? name : `${namespace}.${name}`;
    });
    return `,"aliases":${JSON.stringify(this.options.normalize ? [...new Set(full)].sort() : full)}`;
  }

  /** Custom properties (logical types among them), in the order written, or sorted when normalising. */
  private props(obj: Record<string, unknown>, reserved: ReadonlySet<string>): string {
    let keys = Object.keys(obj).filter((k) => !reserved.has(k) && obj[k] !== undefined);
    if (this.options.normalize) {
      if (obj['logicalType'] === 'decimal' && obj['scale'] === 0) keys = keys.filter((k) => k !== 'scale');
      keys.sort();
    }
    const value = (v: unknown) => (this.options.normalize ? sortedJson(v) : JSON.stringify(v));
    return keys.map((k) => `,${JSON.stringify(k)}:${value(obj[k])}`).join('');
  }
}

/** JSON with object keys sorted at every depth: Confluent writes property values that way when normalising. */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${sortedJson(obj[k])}`).join(',')}}`;
}

function fullName(obj: Record<string, unknown>, namespace: string): string {
  const name = String(obj['name']);
  if (name.includes('.')) return name;
  const ns = typeof obj['namespace'] === 'string' ? obj['namespace'] : namespace;
  return ns === '' ? name : `${ns}.${name}`;
}

function namespaceOf(full: string): string {
  const dot = full.lastIndexOf('.');
  return dot < 0 ? '' : full.slice(0, dot);
}
