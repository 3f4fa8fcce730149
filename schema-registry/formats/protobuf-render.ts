/**
 * The canonical text of a Protobuf file: a normalised .proto rendering, so that two schemas that
 * differ only in formatting, comments, import order or how they spell type names get the same id.
 *
 * - `syntax` (or `edition`), `package`, then imports sorted (`public`/`weak` kept), then file options
 *   sorted by name.
 * - Messages, then enums, then services, then extensions, each in source order (the order of
 *   messages decides message indexes; a descriptor keeps the kinds in separate lists).
 * - Inside a message: options sorted, `reserved` ranges and names sorted, fields by number with each
 *   oneof placed at its lowest field number, then nested messages, then nested enums, then
 *   extension ranges and nested `extend` blocks.
 * - Every message or enum type is written fully qualified with a leading dot (`.acme.v1.Order.Line`);
 *   labels are explicit in proto2 (`optional`/`required`/`repeated`) and only `repeated` and proto3
 *   `optional` in proto3; options in brackets sorted by name.
 * - Comments and whitespace are not kept; indentation is two spaces, one declaration per line.
 */
import protobuf from 'protobufjs';
import { dotted, isGroup, isSyntheticOneof } from './protobuf-descriptor.ts';
import type { ProtoFile } from './protobuf-model.ts';

/** Options whose values are enum identifiers, written without quotes. */
const ENUM_OPTIONS = new Set(['optimize_for', 'ctype', 'jstype', 'idempotency_level', 'retention', 'targets']);

/** The canonical .proto text of one file. */
export function renderFile(file: ProtoFile): string {
  const out: string[] = [];
  if (file.syntax === 'proto2' || file.syntax === 'proto3') out.push(`syntax = "${file.syntax}";`);
  else out.push(`edition = "${file.syntax}";`);
  if (file.package !== '') out.push(`package ${file.package};`);
  for (const dep of [...new Set(file.imports)].sort()) {
    const kind = file.publicImports.includes(dep) ? 'public ' : file.weakImports.includes(dep) ? 'weak ' : '';
    out.push(`import ${kind}${quote(dep)};`);
  }
  for (const line of optionLines(file.options)) out.push(line);
  for (const decl of byKind(file.declarations)) {
    if (!(decl instanceof protobuf.Field)) out.push(...renderDeclaration(decl, file.syntax, ''));
  }
  out.push(
    ...renderExtends(
      file.declarations.filter((d) => d instanceof protobuf.Field),
      file.syntax,
      '',
    ),
  );
  return `${out.join('\n')}\n`;
}

/**
 * Messages, then enums, then services, then extensions, each in source order: a descriptor keeps
 * these in separate lists, so this is the order both a text and a descriptor can give.
 */
function byKind<T extends protobuf.ReflectionObject>(objects: readonly T[]): T[] {
  const rank = (o: T) =>
    o instanceof protobuf.Type ? 0 : o instanceof protobuf.Enum ? 1 : o instanceof protobuf.Service ? 2 : 3;
  return objects
    .map((o, i) => [o, i] as const)
    .sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1])
    .map(([o]) => o);
}

function renderDeclaration(
  decl: protobuf.Type | protobuf.Enum | protobuf.Service,
  syntax: string,
  indent: string,
): string[] {
  if (decl instanceof protobuf.Type) return renderMessage(decl, syntax, indent, 'message', decl.name);
  if (decl instanceof protobuf.Enum) return renderEnum(decl, indent);
  return renderService(decl, indent);
}

function renderMessage(type: protobuf.Type, syntax: string, indent: string, keyword: string, head: string): string[] {
  const inner = `${indent}  `;
  const body: string[] = [];
  for (const line of optionLines(type.options)) body.push(inner + line);
  body.push(...reservedLines(type.reserved ?? [], inner));

  type Member = { order: number; lines: string[] };
  const members: Member[] = [];
  const oneofsDone = new Set<protobuf.OneOf>();
  const groupTypes = new Set<protobuf.Type>();
  const own = type.fieldsArray.filter((f) => f.declaringField === null);
  for (const field of own) {
    const oneof = field.partOf;
    if (oneof !== null && !isSyntheticOneof(oneof)) {
      if (oneofsDone.has(oneof)) continue;
      oneofsDone.add(oneof);
      const fields = oneof.fieldsArray.filter((f) => f.declaringField === null).sort((a, b) => a.id - b.id);
      const lines = [`${inner}oneof ${oneof.name} {`];
      for (const line of optionLines(oneof.options)) lines.push(`${inner}  ${line}`);
      for (const f of fields) lines.push(...renderField(f, syntax, `${inner}  `, true, groupTypes));
      lines.push(`${inner}}`);
      members.push({ order: Math.min(...fields.map((f) => f.id)), lines });
      continue;
    }
    members.push({ order: field.id, lines: renderField(field, syntax, inner, false, groupTypes) });
  }
  members.sort((a, b) => a.order - b.order);
  for (const m of members) body.push(...m.lines);

  const nestedExtensions: protobuf.Field[] = [];
  for (const child of byKind(type.nestedArray)) {
    if (child instanceof protobuf.Field) nestedExtensions.push(child);
    else if (child instanceof protobuf.Type && groupTypes.has(child)) continue;
    else if (child instanceof protobuf.Type || child instanceof protobuf.Enum || child instanceof protobuf.Service) {
      body.push(...renderDeclaration(child, syntax, inner));
    }
  }
  const ranges = [...(type.extensions ?? [])].sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
  if (ranges.length > 0) body.push(`${inner}extensions ${ranges.map(rangeText).join(', ')};`);
  body.push(...renderExtends(nestedExtensions, syntax, inner));
  return [`${indent}${keyword} ${head} {`, ...body, `${indent}}`];
}

function renderField(
  field: protobuf.Field,
  syntax: string,
  indent: string,
  inOneof: boolean,
  groupTypes: Set<protobuf.Type>,
): string[] {
  const options = { ...(field.options ?? {}) };
  delete options['proto3_optional'];
  const resolved = field.resolvedType;
  if (field instanceof protobuf.MapField) {
    return [
      `${indent}map<${field.keyType}, ${typeName(field)}> ${field.name} = ${field.id}${bracketOptions(options, resolved)};`,
    ];
  }
  let label = '';
  if (field.repeated) label = 'repeated ';
  else if (field.required) label = 'required ';
  else if (!inOneof && (syntax === 'proto2' || field.options?.['proto3_optional'] === true)) label = 'optional ';
  if (resolved instanceof protobuf.Type && isGroup(resolved) && resolved.parent === field.parent) {
    groupTypes.add(resolved);
    const lines = renderMessage(
      resolved,
      syntax,
      indent,
      `${label}group`,
      `${resolved.name} = ${field.id}${bracketOptions(options, resolved)}`,
    );
    return lines;
  }
  return [`${indent}${label}${typeName(field)} ${field.name} = ${field.id}${bracketOptions(options, resolved)};`];
}

function typeName(field: protobuf.Field): string {
  const resolved = field.resolvedType;
  return resolved === null ? field.type : dotted(resolved.fullName);
}

function renderEnum(e: protobuf.Enum, indent: string): string[] {
  const inner = `${indent}  `;
  const lines = [`${indent}enum ${e.name} {`];
  for (const line of optionLines(e.options)) lines.push(inner + line);
  for (const [name, number] of Object.entries(e.values)) {
    lines.push(`${inner}${name} = ${number}${bracketOptions(e.valuesOptions?.[name] ?? {}, null)};`);
  }
  lines.push(...reservedLines(e.reserved ?? [], inner));
  lines.push(`${indent}}`);
  return lines;
}

function renderService(s: protobuf.Service, indent: string): string[] {
  const inner = `${indent}  `;
  const lines = [`${indent}service ${s.name} {`];
  for (const line of optionLines(s.options)) lines.push(inner + line);
  for (const m of s.methodsArray) {
    m.resolve();
    const req = `${m.requestStream ? 'stream ' : ''}${m.resolvedRequestType ? dotted(m.resolvedRequestType.fullName) : m.requestType}`;
    const res = `${m.responseStream ? 'stream ' : ''}${m.resolvedResponseType ? dotted(m.resolvedResponseType.fullName) : m.responseType}`;
    const head = `${inner}rpc ${m.name} (${req}) returns (${res})`;
    const opts = optionLines(m.options);
    if (opts.length === 0) lines.push(`${head};`);
    else lines.push(`${head} {`, ...opts.map((o) => `${inner}  ${o}`), `${inner}}`);
  }
  lines.push(`${indent}}`);
  return lines;
}

function renderExtends(fields: readonly protobuf.Field[], syntax: string, indent: string): string[] {
  const byTarget = new Map<string, protobuf.Field[]>();
  for (const field of fields) {
    const target = field.extensionField?.parent;
    const name = target ? dotted(target.fullName) : (field.extend ?? '');
    const list = byTarget.get(name) ?? [];
    list.push(field);
    byTarget.set(name, list);
  }
  const lines: string[] = [];
  for (const [target, list] of byTarget) {
    lines.push(`${indent}extend ${target} {`);
    for (const field of [...list].sort((a, b) => a.id - b.id))
      lines.push(...renderField(field, syntax, `${indent}  `, false, new Set()));
    lines.push(`${indent}}`);
  }
  return lines;
}

function reservedLines(reserved: readonly (number[] | string)[], indent: string): string[] {
  const ranges = reserved.filter((r): r is number[] => Array.isArray(r)).sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
  const names = reserved.filter((r): r is string => typeof r === 'string').sort();
  const lines: string[] = [];
  if (ranges.length > 0) lines.push(`${indent}reserved ${ranges.map(rangeText).join(', ')};`);
  if (names.length > 0) lines.push(`${indent}reserved ${names.map(quote).join(', ')};`);
  return lines;
}

function rangeText(range: number[]): string {
  const [start, end] = [range[0] ?? 0, range[1] ?? range[0] ?? 0];
  if (start === end) return String(start);
  return `${start} to ${end >= 536870911 ? 'max' : end}`;
}

/**
 * Options as `name = value` pairs, sorted; editions `features` become one `features.<name>` option
 * per feature, as they are written in .proto files.
 */
function optionPairs(options: Readonly<Record<string, unknown>> | undefined): [string, unknown][] {
  if (options === undefined) return [];
  const pairs: [string, unknown][] = [];
  for (const [key, v] of Object.entries(options)) {
    if (v === undefined) continue;
    if (key === 'features' && typeof v === 'object' && v !== null) {
      for (const [feature, fv] of Object.entries(v)) pairs.push([`features.${feature}`, fv]);
    } else {
      pairs.push([key, v]);
    }
  }
  return pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function optionLines(options: Readonly<Record<string, unknown>> | undefined): string[] {
  return optionPairs(options).map(([k, v]) => `option ${k} = ${value(k, v)};`);
}

function bracketOptions(
  options: Readonly<Record<string, unknown>>,
  resolved: protobuf.Type | protobuf.Enum | null,
): string {
  const pairs = optionPairs(options);
  if (pairs.length === 0) return '';
  const parts = pairs.map(([k, v]) => {
    if (k === 'default' && resolved instanceof protobuf.Enum && typeof v === 'string') return `default = ${v}`;
    return `${k} = ${value(k, v)}`;
  });
  return ` [${parts.join(', ')}]`;
}

function value(key: string, v: unknown): string {
  const identifier = ENUM_OPTIONS.has(key) || key.startsWith('features.');
  if (typeof v === 'string') return identifier && /^[A-Z_][A-Z0-9_]*$/.test(v) ? v : quote(v);
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'nan';
    if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
    return String(v);
  }
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => value(key, x)).join(', ')}]`;
  if (typeof v === 'object' && v !== null) {
    const entries = Object.keys(v)
      .sort()
      .map((k) => `${k}: ${value(k, (v as Record<string, unknown>)[k])}`);
    return `{ ${entries.join(' ')} }`;
  }
  return quote(String(v));
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
