/**
 * `FileDescriptorProto` in and out: Confluent's `format=serialized`, which `@confluentinc/schemaregistry`
 * uses for every Protobuf schema it registers or fetches (base64 of the encoded descriptor).
 *
 * In: a descriptor becomes protobufjs JSON, loaded like a parsed .proto file. Map entry messages
 * become map fields, proto2 defaults become `default` options, synthetic oneofs of proto3 `optional`
 * fields become `optional` again. Out: a file's declarations become a descriptor with fully qualified
 * type names (`.pkg.Msg`), map entries named `<Field>Entry` as protoc names them, synthetic oneofs
 * after the real ones, and the standard options of descriptor.proto, editions features included
 * (custom options are left out).
 */
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor.js';
import type { ProtoFile } from './protobuf-model.ts';

/** What a decoded descriptor says about its file, next to its declarations as protobufjs JSON. */
export interface DescriptorFile {
  readonly name: string;
  readonly package: string;
  readonly syntax: string;
  readonly imports: readonly string[];
  readonly publicImports: readonly string[];
  readonly weakImports: readonly string[];
  readonly options: Record<string, unknown>;
  readonly json: protobuf.INamespace;
}

type Obj = Record<string, unknown>;

const SCALARS: Readonly<Record<string, string>> = {
  TYPE_DOUBLE: 'double',
  TYPE_FLOAT: 'float',
  TYPE_INT64: 'int64',
  TYPE_UINT64: 'uint64',
  TYPE_INT32: 'int32',
  TYPE_FIXED64: 'fixed64',
  TYPE_FIXED32: 'fixed32',
  TYPE_BOOL: 'bool',
  TYPE_STRING: 'string',
  TYPE_BYTES: 'bytes',
  TYPE_UINT32: 'uint32',
  TYPE_SFIXED32: 'sfixed32',
  TYPE_SFIXED64: 'sfixed64',
  TYPE_SINT32: 'sint32',
  TYPE_SINT64: 'sint64',
};
const TYPE_OF_SCALAR: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(SCALARS).map(([k, v]) => [v, k]),
);

/** True when a schema text looks like base64 rather than .proto source. */
export function looksSerialized(text: string): boolean {
  const t = text.trim();
  return t.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(t);
}

/** Decodes a base64 `FileDescriptorProto`. Throws on bytes that are not one. */
export function fromSerialized(base64: string): DescriptorFile {
  const bytes = Buffer.from(base64.trim(), 'base64');
  const message = descriptor.FileDescriptorProto.decode(bytes);
  const fdp = descriptor.FileDescriptorProto.toObject(message, {
    enums: String,
    longs: Number,
    defaults: false,
  }) as Obj;
  const pkg = str(fdp['package']);
  const syntax = fileSyntax(fdp);
  const edition = syntax;
  const decls: Obj = {};
  const scope = pkg === '' ? '' : `.${pkg}`;
  for (const m of list(fdp['messageType']))
    decls[str(m['name'])] = { ...messageJson(m, `${scope}.${str(m['name'])}`, syntax), edition };
  for (const e of list(fdp['enumType'])) decls[str(e['name'])] = { ...enumJson(e), edition };
  for (const s of list(fdp['service'])) decls[str(s['name'])] = { ...serviceJson(s), edition };
  for (const x of list(fdp['extension']))
    decls[str(x['name'])] = { ...fieldJson(x, syntax, new Map()), extend: str(x['extendee']), edition };
  let json: Obj = { nested: decls };
  for (const part of pkg === '' ? [] : pkg.split('.').reverse()) json = { nested: { [part]: json } };
  const deps = (fdp['dependency'] as string[] | undefined) ?? [];
  const pick = (key: string) =>
    ((fdp[key] as number[] | undefined) ?? []).map((i) => deps[i]).filter((d): d is string => d !== undefined);
  return {
    name: str(fdp['name']),
    package: pkg,
    syntax,
    imports: deps,
    publicImports: pick('publicDependency'),
    weakImports: pick('weakDependency'),
    options: optionsJson(fdp['options']),
    json: json as protobuf.INamespace,
  };
}

function fileSyntax(fdp: Obj): string {
  const syntax = str(fdp['syntax']);
  if (syntax === 'editions') return str(fdp['edition']).replace(/^EDITION_/, '') || '2023';
  return syntax === 'proto3' ? 'proto3' : 'proto2';
}

function messageJson(m: Obj, fullName: string, syntax: string): Obj {
  const nested: Obj = {};
  const mapEntries = new Map<string, Obj>();
  for (const n of list(m['nestedType'])) {
    if ((n['options'] as Obj | undefined)?.['mapEntry'] === true) mapEntries.set(`${fullName}.${str(n['name'])}`, n);
  }
  const oneofNames = list(m['oneofDecl']).map((o) => str(o['name']));
  const fields: Obj = {};
  const oneofs: Record<string, { oneof: string[] }> = {};
  const groups = new Set<string>();
  for (const f of list(m['field'])) {
    const name = str(f['name']);
    fields[name] = fieldJson(f, syntax, mapEntries);
    if (f['type'] === 'TYPE_GROUP') groups.add(str(f['typeName']).split('.').pop() ?? '');
    const index = f['oneofIndex'];
    if (typeof index === 'number') {
      const oneof = oneofNames[index] ?? `_${name}`;
      (oneofs[oneof] ??= { oneof: [] }).oneof.push(name);
    }
  }
  for (const n of list(m['nestedType'])) {
    const name = str(n['name']);
    if (mapEntries.has(`${fullName}.${name}`)) continue;
    nested[name] = { ...messageJson(n, `${fullName}.${name}`, syntax), ...(groups.has(name) ? { group: true } : {}) };
  }
  for (const e of list(m['enumType'])) nested[str(e['name'])] = enumJson(e);
  for (const x of list(m['extension']))
    nested[str(x['name'])] = { ...fieldJson(x, syntax, new Map()), extend: str(x['extendee']) };
  const reserved: (number[] | string)[] = [
    ...list(m['reservedRange']).map((r) => [num(r['start']), num(r['end']) - 1]),
    ...((m['reservedName'] as string[] | undefined) ?? []),
  ];
  const extensions = list(m['extensionRange']).map((r) => [num(r['start']), num(r['end']) - 1]);
  const out: Obj = { fields, ...optionalKeys({ oneofs, nested }) };
  if (reserved.length > 0) out['reserved'] = reserved;
  if (extensions.length > 0) out['extensions'] = extensions;
  const options = optionsJson(m['options'], ['mapEntry']);
  if (Object.keys(options).length > 0) out['options'] = options;
  return out;
}

function fieldJson(f: Obj, syntax: string, mapEntries: ReadonlyMap<string, Obj>): Obj {
  const kind = str(f['type']);
  const typeName = str(f['typeName']);
  const label = str(f['label']);
  const out: Obj = { id: num(f['number']) };
  const entry = label === 'LABEL_REPEATED' ? mapEntries.get(typeName) : undefined;
  if (entry !== undefined) {
    const [key, value] = [1, 2].map((n) => list(entry['field']).find((x) => x['number'] === n));
    out['keyType'] = SCALARS[str(key?.['type'])] ?? 'string';
    out['type'] = value === undefined ? 'bytes' : typeOf(value);
  } else {
    out['type'] = typeOf(f);
    if (label === 'LABEL_REPEATED') out['rule'] = 'repeated';
    else if (label === 'LABEL_REQUIRED') out['rule'] = 'required';
    else if (syntax === 'proto2' && f['extendee'] !== undefined) out['rule'] = 'optional';
  }
  const options = optionsJson(f['options']);
  const defaultValue = f['defaultValue'];
  if (typeof defaultValue === 'string') options['default'] = parseDefault(kind, defaultValue);
  const jsonName = f['jsonName'];
  if (typeof jsonName === 'string' && jsonName !== camelCase(str(f['name']))) options['json_name'] = jsonName;
  if (f['proto3Optional'] === true) options['proto3_optional'] = true;
  if (Object.keys(options).length > 0) out['options'] = options;
  return out;
}

function typeOf(f: Obj): string {
  const kind = str(f['type']);
  return SCALARS[kind] ?? str(f['typeName']);
}

function enumJson(e: Obj): Obj {
  const values: Record<string, number> = {};
  const valuesOptions: Record<string, Obj> = {};
  for (const v of list(e['value'])) {
    values[str(v['name'])] = num(v['number']);
    const options = optionsJson(v['options']);
    if (Object.keys(options).length > 0) valuesOptions[str(v['name'])] = options;
  }
  const out: Obj = { values };
  if (Object.keys(valuesOptions).length > 0) out['valuesOptions'] = valuesOptions;
  const reserved: (number[] | string)[] = [
    ...list(e['reservedRange']).map((r) => [num(r['start']), num(r['end'])]),
    ...((e['reservedName'] as string[] | undefined) ?? []),
  ];
  if (reserved.length > 0) out['reserved'] = reserved;
  const options = optionsJson(e['options']);
  if (Object.keys(options).length > 0) out['options'] = options;
  return out;
}

function serviceJson(s: Obj): Obj {
  const methods: Obj = {};
  for (const m of list(s['method'])) {
    const method: Obj = { requestType: str(m['inputType']), responseType: str(m['outputType']) };
    if (m['clientStreaming'] === true) method['requestStream'] = true;
    if (m['serverStreaming'] === true) method['responseStream'] = true;
    const options = optionsJson(m['options']);
    if (Object.keys(options).length > 0) method['options'] = options;
    methods[str(m['name'])] = method;
  }
  const out: Obj = { methods };
  const options = optionsJson(s['options']);
  if (Object.keys(options).length > 0) out['options'] = options;
  return out;
}

/** Standard options of a descriptor, with .proto's snake_case names; nested `features` kept. */
function optionsJson(options: unknown, skip: readonly string[] = []): Obj {
  const out: Obj = {};
  if (typeof options !== 'object' || options === null) return out;
  for (const [key, value] of Object.entries(options as Obj)) {
    if (skip.includes(key) || key === 'uninterpretedOption' || value === undefined) continue;
    out[snakeCase(key)] = key === 'features' ? optionsJson(value) : value;
  }
  return out;
}

function parseDefault(kind: string, value: string): unknown {
  switch (kind) {
    case 'TYPE_STRING':
    case 'TYPE_BYTES':
    case 'TYPE_ENUM':
      return value;
    case 'TYPE_BOOL':
      return value === 'true';
    default:
      if (value === 'inf') return Number.POSITIVE_INFINITY;
      if (value === '-inf') return Number.NEGATIVE_INFINITY;
      if (value === 'nan') return Number.NaN;
      return Number(value);
  }
}

// ---------------------------------------------------------------------------------------------
// Out: a file's declarations as a FileDescriptorProto.

/** The file as a base64 `FileDescriptorProto`. */
export function toSerialized(file: ProtoFile, name: string): string {
  const fdp: Obj = { name, dependency: [...file.imports] };
  if (file.package !== '') fdp['package'] = file.package;
  const publicIdx = file.publicImports.map((p) => file.imports.indexOf(p)).filter((i) => i >= 0);
  const weakIdx = file.weakImports.map((p) => file.imports.indexOf(p)).filter((i) => i >= 0);
  if (publicIdx.length > 0) fdp['publicDependency'] = publicIdx;
  if (weakIdx.length > 0) fdp['weakDependency'] = weakIdx;
  if (file.syntax === 'proto3') fdp['syntax'] = 'proto3';
  else if (file.syntax !== 'proto2') {
    fdp['syntax'] = 'editions';
    fdp['edition'] = `EDITION_${file.syntax}`;
  }
  const messages: Obj[] = [];
  const enums: Obj[] = [];
  const services: Obj[] = [];
  const extensions: Obj[] = [];
  for (const decl of file.declarations) {
    if (decl instanceof protobuf.Type) messages.push(messageDescriptor(decl, file.syntax));
    else if (decl instanceof protobuf.Enum) enums.push(enumDescriptor(decl));
    else if (decl instanceof protobuf.Service) services.push(serviceDescriptor(decl));
    else if (decl instanceof protobuf.Field) extensions.push(fieldDescriptor(decl, file.syntax, undefined));
  }
  if (messages.length > 0) fdp['messageType'] = messages;
  if (enums.length > 0) fdp['enumType'] = enums;
  if (services.length > 0) fdp['service'] = services;
  if (extensions.length > 0) fdp['extension'] = extensions;
  const options = standardOptions(file.options, descriptor.FileOptions);
  if (options !== undefined) fdp['options'] = options;
  const message = descriptor.FileDescriptorProto.fromObject(fdp);
  return Buffer.from(descriptor.FileDescriptorProto.encode(message).finish()).toString('base64');
}

function messageDescriptor(type: protobuf.Type, syntax: string): Obj {
  const out: Obj = { name: type.name };
  const realOneofs = type.oneofsArray.filter((o) => !isSyntheticOneof(o));
  const syntheticOneofs = type.oneofsArray.filter(isSyntheticOneof);
  const oneofOrder = [...realOneofs, ...syntheticOneofs];
  const fields: Obj[] = [];
  const nested: Obj[] = [];
  for (const field of type.fieldsArray) {
    if (field.declaringField !== null) continue; // the copy protobufjs adds for an extension of this type
    if (field instanceof protobuf.MapField) {
      const entryName = `${pascalCase(field.name)}Entry`;
      nested.push(mapEntryDescriptor(field, entryName));
      fields.push({
        name: field.name,
        number: field.id,
        label: 'LABEL_REPEATED',
        type: 'TYPE_MESSAGE',
        typeName: `${dotted(type.fullName)}.${entryName}`,
        ...jsonNameOf(field),
      });
      continue;
    }
    const oneofIndex = field.partOf === null ? -1 : oneofOrder.indexOf(field.partOf);
    fields.push(fieldDescriptor(field, syntax, oneofIndex < 0 ? undefined : oneofIndex));
  }
  const ownNested: Obj[] = [];
  const enums: Obj[] = [];
  const extensions: Obj[] = [];
  for (const child of type.nestedArray) {
    if (child instanceof protobuf.Type) ownNested.push(messageDescriptor(child, syntax));
    else if (child instanceof protobuf.Enum) enums.push(enumDescriptor(child));
    else if (child instanceof protobuf.Field) extensions.push(fieldDescriptor(child, syntax, undefined));
  }
  if (fields.length > 0) out['field'] = fields;
  if (ownNested.length + nested.length > 0) out['nestedType'] = [...ownNested, ...nested];
  if (enums.length > 0) out['enumType'] = enums;
  if (extensions.length > 0) out['extension'] = extensions;
  if (oneofOrder.length > 0) out['oneofDecl'] = oneofOrder.map((o) => ({ name: o.name }));
  const reserved = type.reserved ?? [];
  const ranges = reserved.filter((r): r is number[] => Array.isArray(r));
  const names = reserved.filter((r): r is string => typeof r === 'string');
  if (ranges.length > 0) out['reservedRange'] = ranges.map(([s, e]) => ({ start: s, end: (e ?? s!) + 1 }));
  if (names.length > 0) out['reservedName'] = names;
  const ext = type.extensions ?? [];
  if (ext.length > 0) out['extensionRange'] = ext.map(([s, e]) => ({ start: s, end: (e ?? s!) + 1 }));
  const options = standardOptions(type.options, descriptor.MessageOptions);
  if (options !== undefined) out['options'] = options;
  return out;
}

function mapEntryDescriptor(field: protobuf.MapField, name: string): Obj {
  const key = {
    name: 'key',
    number: 1,
    label: 'LABEL_OPTIONAL',
    type: TYPE_OF_SCALAR[field.keyType] ?? 'TYPE_STRING',
    jsonName: 'key',
  };
  const value: Obj = { name: 'value', number: 2, label: 'LABEL_OPTIONAL', jsonName: 'value', ...typeDescriptor(field) };
  return { name, field: [key, value], options: { mapEntry: true } };
}

function fieldDescriptor(field: protobuf.Field, syntax: string, oneofIndex: number | undefined): Obj {
  const out: Obj = { name: field.name, number: field.id, ...typeDescriptor(field), ...jsonNameOf(field) };
  out['label'] = field.repeated ? 'LABEL_REPEATED' : field.required ? 'LABEL_REQUIRED' : 'LABEL_OPTIONAL';
  if (field.extend !== undefined) {
    const target = field.extensionField?.parent;
    out['extendee'] = target ? dotted(target.fullName) : field.extend;
  }
  if (oneofIndex !== undefined) out['oneofIndex'] = oneofIndex;
  const options = field.options ?? {};
  if (options['proto3_optional'] === true) out['proto3Optional'] = true;
  if (options['default'] !== undefined && syntax !== 'proto3') out['defaultValue'] = renderDefault(options['default']);
  const standard = standardOptions(options, descriptor.FieldOptions, ['default', 'json_name', 'proto3_optional']);
  if (standard !== undefined) out['options'] = standard;
  return out;
}

function typeDescriptor(field: protobuf.FieldBase): Obj {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) return { type: 'TYPE_ENUM', typeName: dotted(resolved.fullName) };
  if (resolved instanceof protobuf.Type) {
    return { type: isGroup(resolved) ? 'TYPE_GROUP' : 'TYPE_MESSAGE', typeName: dotted(resolved.fullName) };
  }
  return { type: TYPE_OF_SCALAR[field.type] ?? 'TYPE_BYTES' };
}

function jsonNameOf(field: protobuf.FieldBase): Obj {
  const explicit = field.options?.['json_name'];
  return { jsonName: typeof explicit === 'string' ? explicit : camelCase(field.name) };
}

function enumDescriptor(e: protobuf.Enum): Obj {
  const values = Object.entries(e.values).map(([name, number]) => {
    const value: Obj = { name, number };
    const options = standardOptions(e.valuesOptions?.[name], descriptor.EnumValueOptions);
    if (options !== undefined) value['options'] = options;
    return value;
  });
  const out: Obj = { name: e.name, value: values };
  const reserved = e.reserved ?? [];
  const ranges = reserved.filter((r): r is number[] => Array.isArray(r));
  const names = reserved.filter((r): r is string => typeof r === 'string');
  if (ranges.length > 0) out['reservedRange'] = ranges.map(([s, end]) => ({ start: s, end: end ?? s }));
  if (names.length > 0) out['reservedName'] = names;
  const options = standardOptions(e.options, descriptor.EnumOptions);
  if (options !== undefined) out['options'] = options;
  return out;
}

function serviceDescriptor(s: protobuf.Service): Obj {
  const methods = s.methodsArray.map((m) => {
    m.resolve();
    const method: Obj = {
      name: m.name,
      inputType: m.resolvedRequestType ? dotted(m.resolvedRequestType.fullName) : m.requestType,
      outputType: m.resolvedResponseType ? dotted(m.resolvedResponseType.fullName) : m.responseType,
    };
    if (m.requestStream) method['clientStreaming'] = true;
    if (m.responseStream) method['serverStreaming'] = true;
    const options = standardOptions(m.options, descriptor.MethodOptions);
    if (options !== undefined) method['options'] = options;
    return method;
  });
  const out: Obj = { name: s.name, method: methods };
  const options = standardOptions(s.options, descriptor.ServiceOptions);
  if (options !== undefined) out['options'] = options;
  return out;
}

/** The options that are fields of descriptor.proto's `*Options` message, in its camelCase names. */
function standardOptions(options: Obj | undefined, type: protobuf.Type, skip: readonly string[] = []): Obj | undefined {
  if (options === undefined) return undefined;
  const out: Obj = {};
  for (const [key, value] of Object.entries(options)) {
    if (skip.includes(key) || key.startsWith('(')) continue;
    const name = camelCase(key);
    if (type.fields[name] === undefined) continue;
    if (name === 'features' && typeof value === 'object' && value !== null) {
      out[name] = Object.fromEntries(Object.entries(value).map(([k, v]) => [camelCase(k), v]));
    } else {
      out[name] = value;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function renderDefault(value: unknown): string {
  if (value === Number.POSITIVE_INFINITY) return 'inf';
  if (value === Number.NEGATIVE_INFINITY) return '-inf';
  if (typeof value === 'number' && Number.isNaN(value)) return 'nan';
  return String(value);
}

/** A proto2 group's message type. */
export function isGroup(type: protobuf.Type): boolean {
  return (type as protobuf.Type & { group?: boolean }).group === true;
}

/** protobufjs marks proto3 `optional` fields with a one-field oneof named after them. */
export function isSyntheticOneof(oneof: protobuf.OneOf): boolean {
  const only = oneof.fieldsArray.length === 1 ? oneof.fieldsArray[0] : undefined;
  return only?.options?.['proto3_optional'] === true;
}

export function dotted(fullName: string): string {
  return fullName.startsWith('.') ? fullName : `.${fullName}`;
}

function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function pascalCase(name: string): string {
  const camel = camelCase(name);
  return camel.charAt(0).toUpperCase() + camel.slice(1);
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value ?? 0);
}

function list(value: unknown): Obj[] {
  return Array.isArray(value) ? (value as Obj[]) : [];
}

function optionalKeys(entries: Record<string, Obj>): Obj {
  const out: Obj = {};
  for (const [key, value] of Object.entries(entries)) if (Object.keys(value).length > 0) out[key] = value;
  return out;
}
