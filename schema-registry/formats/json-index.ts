/**
 * Where a JSON Schema `$ref` points: the documents a schema was parsed with (the schema itself and its
 * references), indexed by URI the way JSON Schema resolves them. Used by the compatibility checker,
 * which walks schemas itself; ajv keeps its own index for validation.
 *
 * A document is known by the URI it was given under (a reference's `name`, resolved against the
 * referring schema's base URI) and by every `$id` inside it; plain-name fragments (`$anchor`, or a
 * draft-07 `$id: "#name"`) are anchors. A schema without an `$id` has the base URI
 * `tributary:///schema.json`, so relative reference names resolve like relative paths.
 */

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/** A schema node with what it needs to resolve its `$ref`s. */
export interface Located {
  readonly node: Json;
  /** The base URI in effect at this node. */
  readonly base: string;
  readonly index: SchemaIndex;
}

/** The base URI of a schema that has no `$id`. */
export const DEFAULT_BASE = 'tributary:///schema.json';

/** Keywords whose value is a schema. */
const SCHEMA_KEYWORDS = [
  'additionalItems',
  'additionalProperties',
  'contains',
  'else',
  'if',
  'not',
  'propertyNames',
  'then',
  'unevaluatedItems',
  'unevaluatedProperties',
];
/** Keywords whose value is an array of schemas. */
const ARRAY_KEYWORDS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
/** Keywords whose value maps names to schemas. */
const MAP_KEYWORDS = ['$defs', 'definitions', 'dependentSchemas', 'patternProperties', 'properties'];

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Resolves `ref` against `base`; relative URIs that cannot be resolved stay as they are. */
export function resolveUri(ref: string, base: string): string {
  try {
    return new URL(ref, base).href;
  } catch {
    return ref;
  }
}

function withoutFragment(uri: string): string {
  const hash = uri.indexOf('#');
  return hash < 0 ? uri : uri.slice(0, hash);
}

/** The schema documents of one parsed schema, by URI. */
export class SchemaIndex {
  private readonly documents = new Map<string, Located>();
  private readonly anchors = new Map<string, Located>();

  /** Adds a document under `uri` and under every `$id` it declares. */
  add(node: Json, uri: string): Located {
    const base = withoutFragment(uri);
    const located = { node, base, index: this };
    if (!this.documents.has(base)) this.documents.set(base, located);
    this.collect(node, base, true);
    return this.documents.get(base) ?? located;
  }

  /** The node a `$ref` at `base` points to, with the base URI in effect there. */
  resolve(ref: string, base: string): Located | undefined {
    const uri = resolveUri(ref, base);
    const hash = uri.indexOf('#');
    const docUri = hash < 0 ? uri : uri.slice(0, hash);
    const fragment = hash < 0 ? '' : decodeURIComponent(uri.slice(hash + 1));
    const doc = this.documents.get(docUri);
    if (fragment === '' || fragment === '/') return doc;
    if (!fragment.startsWith('/')) return this.anchors.get(`${docUri}#${fragment}`);
    if (doc === undefined) return undefined;
    let node: Json | undefined = doc.node;
    let at = doc.base;
    for (const raw of fragment.slice(1).split('/')) {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      if (Array.isArray(node)) node = node[Number(key)];
      else if (isObject(node)) node = node[key];
      else return undefined;
      if (node === undefined) return undefined;
      if (isObject(node) && typeof node['$id'] === 'string' && !node['$id'].startsWith('#')) {
        at = withoutFragment(resolveUri(node['$id'], at));
      }
    }
    return { node, base: at, index: this };
  }

  /** The base URI in effect inside `node` when its parent's base is `base`. */
  static baseOf(node: Json, base: string): string {
    if (isObject(node) && typeof node['$id'] === 'string' && !node['$id'].startsWith('#')) {
      return withoutFragment(resolveUri(node['$id'], base));
    }
    return base;
  }

  private collect(node: Json, parentBase: string, root: boolean): void {
    if (!isObject(node)) return;
    let base = parentBase;
    const id = node['$id'];
    if (typeof id === 'string') {
      if (id.startsWith('#')) {
        this.anchors.set(`${base}#${id.slice(1)}`, { node, base, index: this });
      } else {
        const uri = resolveUri(id, base);
        base = withoutFragment(uri);
        if (!this.documents.has(base) || root) this.documents.set(base, { node, base, index: this });
      }
    }
    const anchor = node['$anchor'];
    if (typeof anchor === 'string') this.anchors.set(`${base}#${anchor}`, { node, base, index: this });
    for (const key of SCHEMA_KEYWORDS) {
      const child = node[key];
      if (child !== undefined) this.collect(child, base, false);
    }
    for (const key of ARRAY_KEYWORDS) {
      const children = node[key];
      if (Array.isArray(children)) for (const child of children) this.collect(child, base, false);
    }
    for (const key of MAP_KEYWORDS) {
      const children = node[key];
      if (isObject(children)) for (const child of Object.values(children)) this.collect(child, base, false);
    }
    const items = node['items'];
    if (Array.isArray(items)) for (const child of items) this.collect(child, base, false);
    else if (items !== undefined) this.collect(items, base, false);
    const dependencies = node['dependencies'];
    if (isObject(dependencies)) {
      for (const child of Object.values(dependencies)) if (!Array.isArray(child)) this.collect(child, base, false);
    }
  }
}
