/**
 * Protobuf compatibility by field number, after Confluent Schema Registry's rules for Protobuf:
 * can a reader built from one file read the bytes a writer built from the other wrote?
 *
 * Incompatible (each reported with Confluent's difference name):
 * - PACKAGE_CHANGED: the file's package changed (`#/`).
 * - MESSAGE_REMOVED: a message the writer had is gone (`#/Outer/Inner`).
 * - FIELD_KIND_CHANGED: a field changed between scalar/enum, message and map.
 * - FIELD_SCALAR_KIND_CHANGED: a scalar changed wire group. Groups: int32, uint32, int64, uint64,
 *   bool and enums; sint32, sint64; fixed32, sfixed32; fixed64, sfixed64; string, bytes; float; double.
 * - FIELD_NAMED_TYPE_CHANGED: a message field now names a different message (by name within its
 *   package), or the same-named message from another file changed incompatibly.
 * - FIELD_NUMERIC_LABEL_CHANGED: a numeric or enum field changed between repeated and singular.
 * - REQUIRED_FIELD_ADDED / REQUIRED_FIELD_REMOVED / REQUIRED_LABEL_CHANGED: proto2 `required`
 *   fields added, removed, or a field made required or no longer required.
 * - ONEOF_FIELD_REMOVED: a field of a oneof is gone, unless the whole oneof went with all its
 *   fields (`#/<Message>/<oneof>/<field number>`).
 * - MULTIPLE_FIELDS_MOVED_TO_ONEOF / FIELD_MOVED_TO_EXISTING_ONEOF: a oneof of the reader gathers
 *   fields that were independent for the writer (several top-level fields, or fields from
 *   different oneofs or top level).
 *
 * Compatible: added or removed optional fields, renamed fields, added messages, enums and enum
 * values, removed enums, moved or reordered messages, string↔bytes and repeated↔singular for
 * string, bytes and message fields, added or removed oneofs, a renamed oneof, a field moved out of a
 * oneof to the top level or into a new oneof of its own (Confluent's ONEOF_FIELD_MOVED_TO_TOP_LEVEL,
 * ONEOF_ADDED, ONEOF_REMOVED). Fields are matched by number whatever oneof holds them.
 *
 * Paths: `#/<Message>[/<Nested>…]/<field number>` for fields (`…/<oneof name>/<field number>`
 * for a field in a oneof of the reader), `#/<Message>/<oneof name>` for oneofs; messages are named
 * within their package.
 */
import protobuf from 'protobufjs';
import { isSyntheticOneof } from './protobuf-descriptor.ts';
import type { ProtoFile, ProtoLibrary } from './protobuf-model.ts';
import type { CompatibilityIssue } from './types.ts';

/** Every reason a reader built from `reader` may misread bytes written with `writer`. */
export function protobufCompatibility(reader: ProtoLibrary, writer: ProtoLibrary): CompatibilityIssue[] {
  const issues: CompatibilityIssue[] = [];
  const diff = new Diff(writer, reader, issues);
  if (writer.main.package !== reader.main.package) {
    diff.add('#/', 'PACKAGE_CHANGED', `package changed from '${writer.main.package}' to '${reader.main.package}'`);
  }
  diff.types(declared(writer.main.declarations), declared(reader.main.declarations), '#');
  return issues;
}

type Kind = 'SCALAR' | 'MESSAGE' | 'MAP';

const SCALAR_GROUPS: Readonly<Record<string, string>> = {
  int32: 'GENERAL_NUMBER',
  int64: 'GENERAL_NUMBER',
  uint32: 'GENERAL_NUMBER',
  uint64: 'GENERAL_NUMBER',
  bool: 'GENERAL_NUMBER',
  sint32: 'SIGNED_NUMBER',
  sint64: 'SIGNED_NUMBER',
  fixed32: 'FIXED32',
  sfixed32: 'FIXED32',
  fixed64: 'FIXED64',
  sfixed64: 'FIXED64',
  string: 'STRING_OR_BYTES',
  bytes: 'STRING_OR_BYTES',
  float: 'FLOAT',
  double: 'DOUBLE',
};

function declared(decls: readonly protobuf.ReflectionObject[]): protobuf.ReflectionObject[] {
  return decls.filter((d) => d instanceof protobuf.Type || d instanceof protobuf.Enum);
}

class Diff {
  /** Message pairs compared (or being compared), by full names. */
  private readonly compared = new Set<string>();

  constructor(
    private readonly writer: ProtoLibrary,
    private readonly reader: ProtoLibrary,
    private readonly issues: CompatibilityIssue[],
  ) {}

  add(path: string, kind: string, message: string): void {
    this.issues.push({ kind, path, message });
  }

  /** Messages matched by name; enums may change freely (any enum change is compatible). */
  types(
    writer: readonly protobuf.ReflectionObject[],
    reader: readonly protobuf.ReflectionObject[],
    path: string,
  ): void {
    const readerMessages = new Map<string, protobuf.Type>();
    for (const r of reader) if (r instanceof protobuf.Type && !isMapEntry(r)) readerMessages.set(r.name, r);
    for (const w of writer) {
      if (!(w instanceof protobuf.Type) || isMapEntry(w)) continue;
      const r = readerMessages.get(w.name);
      const at = `${path}/${w.name}`;
      if (r === undefined) this.add(at, 'MESSAGE_REMOVED', `message ${w.name} was removed`);
      else this.message(w, r, at);
    }
  }

  message(w: protobuf.Type, r: protobuf.Type, path: string): void {
    const key = `${w.fullName}\u0000${r.fullName}`;
    if (this.compared.has(key)) return;
    this.compared.add(key);

    const wFields = ownFields(w);
    const rFields = ownFields(r);
    const wOneofOf = (f: protobuf.Field) => realOneof(f)?.name;

    // As Confluent: fields are matched by number across the whole message, whatever oneof holds
    // them, so renaming a oneof, moving a field out of one or into a new oneof of its own changes
    // nothing; what breaks old data is fields that were independent becoming mutually exclusive.
    const readerOneofs = r.oneofsArray.filter((o) => !isSyntheticOneof(o));
    for (const oneof of readerOneofs) {
      const groups = new Set<string>();
      let topLevelMovedIn = 0;
      for (const f of oneof.fieldsArray) {
        const before = wFields.get(f.id);
        if (before === undefined) continue; // a new field: old data never set it
        const was = wOneofOf(before);
        if (was !== undefined) groups.add(`oneof:${was}`);
        else {
          groups.add(`field:${f.id}`);
          topLevelMovedIn++;
        }
      }
      if (groups.size <= 1) continue;
      const at = `${path}/${oneof.name}`;
      if (topLevelMovedIn > 1)
        this.add(
          at,
          'MULTIPLE_FIELDS_MOVED_TO_ONEOF',
          `${topLevelMovedIn} existing fields were moved into oneof ${oneof.name}`,
        );
      else
        this.add(
          at,
          'FIELD_MOVED_TO_EXISTING_ONEOF',
          `fields that were independent are now in one oneof, ${oneof.name}`,
        );
    }

    // A writer oneof gone by name with none of its fields left anywhere was deleted as a whole
    // (compatible); one whose fields partly survive lost the others.
    const readerOneofNames = new Set(readerOneofs.map((o) => o.name));
    const deletedOneofs = new Set(
      w.oneofsArray
        .filter(
          (o) =>
            !isSyntheticOneof(o) && !readerOneofNames.has(o.name) && o.fieldsArray.every((f) => !rFields.has(f.id)),
        )
        .map((o) => o.name),
    );
    for (const [id, wf] of wFields) {
      const rf = rFields.get(id);
      const wOneof = wOneofOf(wf);
      if (rf === undefined) {
        if (wOneof !== undefined) {
          if (!deletedOneofs.has(wOneof))
            this.add(
              `${path}/${wOneof}/${id}`,
              'ONEOF_FIELD_REMOVED',
              `field ${wf.name} (${id}) was removed from oneof ${wOneof}`,
            );
        } else if (wf.required) {
          this.add(`${path}/${id}`, 'REQUIRED_FIELD_REMOVED', `required field ${wf.name} (${id}) was removed`);
        }
        continue;
      }
      const rOneof = wOneofOf(rf);
      this.field(wf, rf, rOneof === undefined ? `${path}/${id}` : `${path}/${rOneof}/${id}`);
    }
    for (const [id, rf] of rFields) {
      if (!wFields.has(id) && rf.required)
        this.add(`${path}/${id}`, 'REQUIRED_FIELD_ADDED', `required field ${rf.name} (${id}) was added`);
    }

    this.types(nestedTypes(w), nestedTypes(r), path);
  }

  private field(wf: protobuf.Field, rf: protobuf.Field, path: string): void {
    if (wf.required !== rf.required) {
      this.add(path, 'REQUIRED_LABEL_CHANGED', `field ${rf.name} ${rf.required ? 'became' : 'is no longer'} required`);
    }
    const wKind = kindOf(wf);
    const rKind = kindOf(rf);
    if (wKind !== rKind) {
      this.add(path, 'FIELD_KIND_CHANGED', `field ${rf.name} changed from ${describe(wf)} to ${describe(rf)}`);
      return;
    }
    if (wKind === 'MAP') {
      const wm = wf as unknown as protobuf.MapField;
      const rm = rf as unknown as protobuf.MapField;
      if (scalarGroup(wm.keyType) !== scalarGroup(rm.keyType)) {
        this.add(
          path,
          'FIELD_SCALAR_KIND_CHANGED',
          `map key of ${rf.name} changed from ${wm.keyType} to ${rm.keyType}`,
        );
      }
      this.valueTypes(wf, rf, path);
      return;
    }
    this.valueTypes(wf, rf, path);
    if (wKind === 'SCALAR' && wf.repeated !== rf.repeated && valueGroup(wf) !== 'STRING_OR_BYTES') {
      this.add(path, 'FIELD_NUMERIC_LABEL_CHANGED', `numeric field ${rf.name} changed between repeated and singular`);
    }
  }

  /** The value types of two fields of the same kind. */
  private valueTypes(wf: protobuf.FieldBase, rf: protobuf.FieldBase, path: string): void {
    const wt = wf.resolvedType;
    const rt = rf.resolvedType;
    if (wt instanceof protobuf.Type || rt instanceof protobuf.Type) {
      if (!(wt instanceof protobuf.Type) || !(rt instanceof protobuf.Type)) {
        this.add(path, 'FIELD_KIND_CHANGED', `field ${rf.name} changed from ${describe(wf)} to ${describe(rf)}`);
        return;
      }
      const wLocal = localName(wt, this.writer.fileOf(wt));
      const rLocal = localName(rt, this.reader.fileOf(rt));
      if (wLocal !== rLocal) {
        this.add(path, 'FIELD_NAMED_TYPE_CHANGED', `field ${rf.name} changed from message ${wLocal} to ${rLocal}`);
        return;
      }
      // Messages of the compared files are compared on their own; those from other files here.
      const wFile = this.writer.fileOf(wt);
      const rFile = this.reader.fileOf(rt);
      const local = wFile === this.writer.main && rFile === this.reader.main;
      if (!local && !(wFile?.builtin && rFile?.builtin)) {
        const before = this.issues.length;
        this.message(wt, rt, `#/${rLocal.split('.').join('/')}`);
        if (this.issues.length > before) {
          this.add(path, 'FIELD_NAMED_TYPE_CHANGED', `message ${rLocal} of field ${rf.name} changed incompatibly`);
        }
      }
      return;
    }
    if (valueGroup(wf) !== valueGroup(rf)) {
      this.add(
        path,
        'FIELD_SCALAR_KIND_CHANGED',
        `field ${rf.name} changed from ${describe(wf)} to ${describe(rf)}, another wire type`,
      );
    }
  }
}

function ownFields(type: protobuf.Type): Map<number, protobuf.Field> {
  const map = new Map<number, protobuf.Field>();
  for (const f of type.fieldsArray) if (f.declaringField === null) map.set(f.id, f);
  return map;
}

function realOneof(field: protobuf.Field): protobuf.OneOf | undefined {
  const oneof = field.partOf;
  return oneof === null || isSyntheticOneof(oneof) ? undefined : oneof;
}

function nestedTypes(type: protobuf.Type): protobuf.ReflectionObject[] {
  return type.nestedArray.filter((n) => n instanceof protobuf.Type || n instanceof protobuf.Enum);
}

function isMapEntry(type: protobuf.Type): boolean {
  return type.options?.['map_entry'] === true;
}

function kindOf(field: protobuf.Field): Kind {
  if (field instanceof protobuf.MapField || (field as protobuf.FieldBase & { map?: boolean }).map === true)
    return 'MAP';
  return field.resolvedType instanceof protobuf.Type ? 'MESSAGE' : 'SCALAR';
}

function valueGroup(field: protobuf.FieldBase): string {
  if (field.resolvedType instanceof protobuf.Enum) return 'GENERAL_NUMBER';
  return scalarGroup(field.type);
}

function scalarGroup(type: string): string {
  return SCALAR_GROUPS[type] ?? type;
}

function describe(field: protobuf.FieldBase): string {
  const resolved = field.resolvedType;
  const name =
    resolved === null
      ? field.type
      : resolved instanceof protobuf.Enum
        ? `enum ${resolved.name}`
        : `message ${resolved.name}`;
  if (field instanceof protobuf.MapField) return `map<${field.keyType}, ${name}>`;
  return field.repeated ? `repeated ${name}` : name;
}

/** A type's name within its file's package (`Order.Line`). */
function localName(type: protobuf.ReflectionObject, file: ProtoFile | undefined): string {
  const full = type.fullName.replace(/^\./, '');
  const pkg = file?.package ?? '';
  return pkg !== '' && full.startsWith(`${pkg}.`) ? full.slice(pkg.length + 1) : full;
}
