/**
 * Avro schema resolution (Avro specification, "Schema Resolution"), judged without data: can a
 * reader schema decode everything a writer schema encodes? The rules and the issue names follow
 * Avro's own checker (SchemaCompatibility), which Confluent Schema Registry reports verbatim:
 *
 * | issue                              | when                                                                 | path                       |
 * |------------------------------------|----------------------------------------------------------------------|----------------------------|
 * | READER_FIELD_MISSING_DEFAULT_VALUE | a reader field has no default and no writer field of its name/aliases | `/fields/i` (reader index) |
 * | TYPE_MISMATCH                      | types differ and no promotion applies                                | the reader type            |
 * | NAME_MISMATCH                      | record, enum or fixed names differ (unqualified names; aliases count) | `…/name`                   |
 * | FIXED_SIZE_MISMATCH                | fixed sizes differ                                                   | `…/size`                   |
 * | MISSING_ENUM_SYMBOLS               | writer symbols the reader lacks, and the reader enum has no default   | `…/symbols`                |
 * | MISSING_UNION_BRANCH               | a writer type (or union branch) that no reader union branch can read  | the reader union (`…/<writer branch index>` for a writer union) |
 *
 * A writer union read by a reader that is no union: each branch is checked as a writer type of its
 * own, and its own issue (TYPE_MISMATCH, NAME_MISMATCH…) is reported.
 *
 * Promotions: int → long, float, double; long → float, double; float → double; string ↔ bytes.
 * Paths are JSON pointers into the reader schema (`/` is the whole schema; record fields
 * `/fields/<index>/type`, `/items`, `/values`, union branch `/<index>`). Names are compared
 * unqualified, as Avro's Java checker does; the plugin's decoder resolves with the same rule.
 */
import { EMPTY_UNION_LOGICAL_TYPE } from './avro-form.ts';
import type { CompatibilityIssue } from './types.ts';
import { type AvroType, isRecord, isUnion, unqualified, unwrap } from './avro-model.ts';

const PROMOTIONS: Readonly<Record<string, readonly string[]>> = {
  long: ['int'],
  float: ['int', 'long'],
  double: ['int', 'long', 'float'],
  string: ['bytes'],
  bytes: ['string'],
};

const EMPTY_UNION = `logical:${EMPTY_UNION_LOGICAL_TYPE}`;

function isEmptyUnion(type: AvroType): boolean {
  return type.typeName === EMPTY_UNION;
}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

/** Every reason `reader` cannot read what `writer` wrote; empty when it can. */
export function avroCompatibility(reader: AvroType, writer: AvroType): CompatibilityIssue[] {
  const issues: CompatibilityIssue[] = [];
  new Checker(issues).check(reader, writer, []);
  return issues;
}

class Checker {
  /** Pairs under comparison or compared: recursive types terminate, shared types are judged once. */
  private readonly seen = new Map<AvroType, Set<AvroType>>();

  constructor(private readonly issues: CompatibilityIssue[]) {}

  check(readerIn: AvroType, writerIn: AvroType, path: readonly string[]): void {
    // An empty union (`[]`) holds no value: nothing written with it needs reading, and as a reader
    // it reads nothing (Avro Java's rules for a union without branches).
    if (isEmptyUnion(writerIn)) return;
    if (isEmptyUnion(readerIn)) {
      this.add(
        path,
        'MISSING_UNION_BRANCH',
        `reader union has no branches, so it cannot read writer type ${describe(unwrap(writerIn))}`,
      );
      return;
    }
    const reader = unwrap(readerIn);
    const writer = unwrap(writerIn);
    if (!this.firstVisit(reader, writer)) return;

    if (isUnion(writer)) {
      // Every branch the writer may have used must be readable.
      (writer.types ?? []).forEach((branch, i) => {
        if (isUnion(reader)) {
          if (!this.readableByUnion(reader, branch)) {
            // Located at the writer's branch, as Avro Java locates it.
            this.add(
              [...path, String(i)],
              'MISSING_UNION_BRANCH',
              `reader union lacks a branch for writer union branch ${i} (${describe(branch)})`,
            );
          }
          return;
        }
        // A reader that is no union reads each writer branch as a writer type of its own, and the
        // branch's own issue is the one reported (Avro Java: a TYPE_MISMATCH for `double` when a
        // `float` reads `[int, long, float, double]`).
        this.issues.push(...this.probe(reader, branch, path));
      });
      return;
    }
    if (isUnion(reader)) {
      if (!this.readableByUnion(reader, writer)) {
        this.add(path, 'MISSING_UNION_BRANCH', `reader union lacks a branch for writer type ${describe(writer)}`);
      }
      return;
    }

    if (PRIMITIVES.has(reader.typeName)) {
      if (reader.typeName !== writer.typeName && !PROMOTIONS[reader.typeName]?.includes(writer.typeName)) {
        this.typeMismatch(path, reader, writer);
      }
      return;
    }
    if (reader.typeName !== writer.typeName && !(isRecord(reader) && isRecord(writer))) {
      this.typeMismatch(path, reader, writer);
      return;
    }
    switch (reader.typeName) {
      case 'array':
        this.check(reader.itemsType!, writer.itemsType!, [...path, 'items']);
        return;
      case 'map':
        this.check(reader.valuesType!, writer.valuesType!, [...path, 'values']);
        return;
      case 'fixed':
        this.checkName(reader, writer, path);
        if (reader.size !== writer.size) {
          this.add(
            [...path, 'size'],
            'FIXED_SIZE_MISMATCH',
            `expected fixed size ${writer.size}, found ${reader.size}`,
          );
        }
        return;
      case 'enum': {
        this.checkName(reader, writer, path);
        const symbols = new Set(reader.symbols);
        const missing = (writer.symbols ?? []).filter((s) => !symbols.has(s));
        if (missing.length > 0 && reader.default === undefined) {
          this.add(
            [...path, 'symbols'],
            'MISSING_ENUM_SYMBOLS',
            `reader enum ${reader.name} lacks writer symbols ${missing.join(', ')} and has no default`,
          );
        }
        return;
      }
      default:
        this.checkRecord(reader, writer, path);
    }
  }

  private checkRecord(reader: AvroType, writer: AvroType, path: readonly string[]): void {
    this.checkName(reader, writer, path);
    const writerFields = new Map((writer.fields ?? []).map((f) => [f.name, f]));
    (reader.fields ?? []).forEach((field, i) => {
      const names = [field.name, ...field.aliases];
      const match = names.map((n) => writerFields.get(n)).find((f) => f !== undefined);
      if (match === undefined) {
        if (field.defaultValue() === undefined) {
          this.add(
            [...path, 'fields', String(i)],
            'READER_FIELD_MISSING_DEFAULT_VALUE',
            `field '${field.name}' of ${reader.name} has no default value and is missing from the writer schema`,
          );
        }
        return;
      }
      this.check(field.type, match.type, [...path, 'fields', String(i), 'type']);
    });
  }

  private checkName(reader: AvroType, writer: AvroType, path: readonly string[]): void {
    const writerName = unqualified(writer.name ?? '');
    const names = [reader.name ?? '', ...(reader.aliases ?? [])].map(unqualified);
    if (!names.includes(writerName)) {
      this.add([...path, 'name'], 'NAME_MISMATCH', `expected name ${writer.name}, found ${reader.name}`);
    }
  }

  private readableByUnion(reader: AvroType, writer: AvroType): boolean {
    return (reader.types ?? []).some((branch) => this.probe(branch, writer, []).length === 0);
  }

  /** Checks a pair without reporting: the issues it would raise. */
  private probe(reader: AvroType, writer: AvroType, path: readonly string[]): CompatibilityIssue[] {
    const found: CompatibilityIssue[] = [];
    const checker = new Checker(found);
    for (const [r, ws] of this.seen) checker.seen.set(r, new Set(ws));
    checker.check(reader, writer, path);
    return found;
  }

  private firstVisit(reader: AvroType, writer: AvroType): boolean {
    // Only named types can recur; everything else is a tree.
    if (reader.name === undefined || writer.name === undefined) return true;
    let writers = this.seen.get(reader);
    if (writers === undefined) this.seen.set(reader, (writers = new Set()));
    if (writers.has(writer)) return false;
    writers.add(writer);
    return true;
  }

  private typeMismatch(path: readonly string[], reader: AvroType, writer: AvroType): void {
    this.add(path, 'TYPE_MISMATCH', `reader type ${describe(reader)} cannot read writer type ${describe(writer)}`);
  }

  private add(path: readonly string[], kind: string, message: string): void {
    this.issues.push({ kind, path: `/${path.join('/')}`, message });
  }
}

function describe(type: AvroType): string {
  const t = unwrap(type);
  if (isUnion(t)) return `union [${(t.types ?? []).map(describe).join(', ')}]`;
  return t.name === undefined ? t.typeName : `${t.typeName} ${t.name}`;
}
