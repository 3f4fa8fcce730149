/**
 * A Protobuf schema as files: the schema's own file and everything it imports, loaded into one
 * protobufjs Root so that type names resolve across files, while each file keeps its own package,
 * imports, options and declarations in source order (message indexes, the canonical rendering and
 * `format=serialized` are all about one file).
 *
 * Each file is parsed alone first (a .proto text, or a base64 `FileDescriptorProto` as
 * `@confluentinc/schemaregistry` sends), then its top-level declarations move into the shared Root.
 * Imports resolve to references by their `name` (the import path), at any depth of the reference
 * tree, then to the built-in files (`google/protobuf/*.proto`, `confluent/*.proto`).
 */
import protobuf from 'protobufjs';
import { invalidSchema, messageOf } from './errors.ts';
import { fromSerialized, looksSerialized } from './protobuf-descriptor.ts';
import { wellKnownFile } from './protobuf-wellknown.ts';
import type { ResolvedReference } from './types.ts';

/** What a file declares at its top level. */
export type Declaration = protobuf.Type | protobuf.Enum | protobuf.Service | protobuf.Field;

/** One .proto file. */
export interface ProtoFile {
  /** Its import path; the schema's own file is `schema.proto` unless its descriptor names it. */
  readonly name: string;
  readonly package: string;
  /** `proto2`, `proto3`, or an edition (`2023`). */
  readonly syntax: string;
  readonly imports: readonly string[];
  readonly publicImports: readonly string[];
  readonly weakImports: readonly string[];
  /** File options (`java_package`…), with .proto names. */
  readonly options: Readonly<Record<string, unknown>>;
  /** Messages, enums, services and extensions, in source order. */
  readonly declarations: readonly Declaration[];
  /** A built-in file (well-known types). */
  readonly builtin: boolean;
}

/** A schema's file with all it imports, resolved. */
export interface ProtoLibrary {
  readonly root: protobuf.Root;
  readonly main: ProtoFile;
  readonly files: ReadonlyMap<string, ProtoFile>;
  /** The file that declares a type, or anything nested in a type. */
  fileOf(object: protobuf.ReflectionObject): ProtoFile | undefined;
}

/** The import path the schema's own file gets when its text does not name it. */
export const MAIN_FILE = 'schema.proto';

const PARSE_OPTIONS: protobuf.IParseOptions = { keepCase: true };

/** Loads a schema and its references. Throws `INVALID_SCHEMA` with protobufjs's message. */
export function loadLibrary(schema: string, references: readonly ResolvedReference[]): ProtoLibrary {
  const root = new protobuf.Root();
  const files = new Map<string, ProtoFile>();
  const owners = new Map<protobuf.ReflectionObject, ProtoFile>();
  const byName = new Map<string, ResolvedReference>();
  collectReferences(references, byName);

  const loading = new Set<string>();
  const load = (name: string, importer: string): void => {
    if (files.has(name) || loading.has(name)) return;
    loading.add(name);
    const ref = byName.get(name);
    let file: ProtoFile;
    if (ref !== undefined) {
      if (ref.schemaType !== 'PROTOBUF') {
        throw invalidSchema(
          'PROTOBUF',
          `Reference ${name} (${ref.subject} v${ref.version}) is ${ref.schemaType}, not PROTOBUF`,
        );
      }
      file = addFile(root, owners, readFile(ref.schema, name, false));
    } else {
      const builtin = wellKnownFile(name);
      if (builtin === undefined) {
        throw invalidSchema(
          'PROTOBUF',
          `Invalid Protobuf schema: ${importer} imports ${name}, which is neither a reference nor a well-known file`,
        );
      }
      file = addFile(
        root,
        owners,
        'text' in builtin ? readFile(builtin.text, name, true) : jsonFile(builtin.json, name),
      );
    }
    files.set(name, file);
    for (const dep of file.imports) load(dep, name);
  };

  const parsedMain = readFile(schema, MAIN_FILE, false);
  const main = addFile(root, owners, parsedMain);
  files.set(main.name, main);
  for (const dep of main.imports) load(dep, main.name);

  try {
    root.resolveAll();
  } catch (err) {
    throw invalidSchema('PROTOBUF', `Invalid Protobuf schema: ${messageOf(err)}`, err);
  }
  return {
    root,
    main,
    files,
    fileOf(object) {
      for (let o: protobuf.ReflectionObject | null = object; o !== null; o = o.parent) {
        const owner = owners.get(o);
        if (owner !== undefined) return owner;
      }
      return undefined;
    },
  };
}

function collectReferences(references: readonly ResolvedReference[], byName: Map<string, ResolvedReference>): void {
  for (const ref of references) {
    if (!byName.has(ref.name)) byName.set(ref.name, ref);
    collectReferences(ref.references, byName);
  }
}

/** A file parsed alone: its declarations still sit in their own Root. */
interface ParsedFile extends Omit<ProtoFile, 'declarations'> {
  readonly declarations: Declaration[];
  readonly soloRoot: protobuf.Root;
}

function readFile(text: string, name: string, builtin: boolean): ParsedFile {
  if (looksSerialized(text)) {
    let file: ReturnType<typeof fromSerialized>;
    try {
      file = fromSerialized(text);
    } catch (err) {
      throw invalidSchema(
        'PROTOBUF',
        `Invalid Protobuf schema ${name}: not a .proto text nor a base64 FileDescriptorProto: ${messageOf(err)}`,
        err,
      );
    }
    const parsed = fromJson(file.json, file.package, name);
    return {
      ...parsed,
      name: name === MAIN_FILE && file.name !== '' ? file.name : name,
      syntax: file.syntax,
      imports: file.imports,
      publicImports: file.publicImports,
      weakImports: file.weakImports,
      options: file.options,
      builtin,
    };
  }
  const soloRoot = new protobuf.Root();
  let result: protobuf.IParserResult;
  try {
    result = protobuf.parse(text, soloRoot, PARSE_OPTIONS);
  } catch (err) {
    throw invalidSchema('PROTOBUF', `Invalid Protobuf schema ${name}: ${messageOf(err)}`, err);
  }
  const pkg = result.package ?? '';
  const ns = namespaceOf(soloRoot, pkg);
  const source = stripComments(text);
  const weak = result.weakImports ?? [];
  return {
    name,
    package: pkg,
    syntax:
      /^\s*edition\s*=\s*["']([^"']+)["']/m.exec(source)?.[1] ??
      /^\s*syntax\s*=\s*["']([^"']+)["']/m.exec(source)?.[1] ??
      'proto2',
    imports: [...(result.imports ?? []), ...weak],
    publicImports: [...source.matchAll(/\bimport\s+public\s+["']([^"']+)["']/g)].map((m) => m[1]!),
    weakImports: weak,
    options: { ...(ns.options ?? {}) },
    declarations: declarationsOf(ns),
    soloRoot,
    builtin,
  };
}

function jsonFile(json: protobuf.INamespace, name: string): ParsedFile {
  const pkg = packageOfJson(json);
  return {
    ...fromJson(json, pkg, name),
    name,
    syntax: 'proto3',
    imports: [],
    publicImports: [],
    weakImports: [],
    options: {},
    builtin: true,
  };
}

function fromJson(
  json: protobuf.INamespace,
  pkg: string,
  name: string,
): Pick<ParsedFile, 'package' | 'declarations' | 'soloRoot'> {
  let soloRoot: protobuf.Root;
  try {
    // Root.fromJSON would resolve types, and imported ones are not there yet.
    soloRoot = new protobuf.Root();
    if (json.nested !== undefined) soloRoot.addJSON(json.nested);
  } catch (err) {
    throw invalidSchema('PROTOBUF', `Invalid Protobuf schema ${name}: ${messageOf(err)}`, err);
  }
  return { package: pkg, declarations: declarationsOf(namespaceOf(soloRoot, pkg)), soloRoot };
}

/** The package of a built-in file's JSON: the chain of namespaces down to the first declaration. */
function packageOfJson(json: protobuf.INamespace): string {
  const parts: string[] = [];
  let node: protobuf.AnyNestedObject | protobuf.INamespace = json;
  for (;;) {
    const nested: Record<string, protobuf.AnyNestedObject> | undefined = (node as protobuf.INamespace).nested;
    const keys: string[] = nested === undefined ? [] : Object.keys(nested);
    const only: protobuf.AnyNestedObject | undefined = keys.length === 1 ? nested![keys[0]!] : undefined;
    if (only === undefined || 'fields' in only || 'values' in only || 'methods' in only) return parts.join('.');
    parts.push(keys[0]!);
    node = only;
  }
}

function namespaceOf(root: protobuf.Root, pkg: string): protobuf.Namespace {
  if (pkg === '') return root;
  const ns = root.lookup(pkg);
  return ns instanceof protobuf.Namespace ? ns : root;
}

function declarationsOf(ns: protobuf.Namespace): Declaration[] {
  return ns.nestedArray.filter(
    (o): o is Declaration =>
      o instanceof protobuf.Type ||
      o instanceof protobuf.Enum ||
      o instanceof protobuf.Service ||
      o instanceof protobuf.Field,
  );
}

/** Moves a file's declarations into the shared Root. */
function addFile(
  root: protobuf.Root,
  owners: Map<protobuf.ReflectionObject, ProtoFile>,
  parsed: ParsedFile,
): ProtoFile {
  const { soloRoot: _solo, ...rest } = parsed;
  const file: ProtoFile = Object.freeze({ ...rest, declarations: Object.freeze([...parsed.declarations]) });
  const target = parsed.package === '' ? root : root.define(parsed.package);
  for (const decl of parsed.declarations) {
    decl.parent?.remove(decl);
    try {
      target.add(decl);
    } catch (err) {
      throw invalidSchema('PROTOBUF', `Invalid Protobuf schema ${parsed.name}: ${messageOf(err)}`, err);
    }
    owners.set(decl, file);
  }
  return file;
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
}
