/**
 * Compatibility levels over Avro schema histories, case for case with Confluent's
 * AvroCompatibilityTest: which versions each level checks, in which direction.
 */
import { describe, expect, it } from 'vitest';
import { checkCompatibility, versionsToCheck } from '../../schema-registry/compatibility.ts';
import { avroFormat } from '../../schema-registry/formats/avro.ts';
import type { CompatibilityLevel } from '../../schema-registry/model.ts';

const field = (name: string, extra: object = {}) => ({ name, type: 'string', ...extra });
const record = (...fields: object[]) => JSON.stringify({ type: 'record', name: 'myrecord', fields });

/** The history's schemas, named after what they add to `f1`. */
const schemas = {
  f1: record(field('f1')),
  f1f2Default: record(field('f1'), field('f2', { default: 'foo' })),
  f1f2: record(field('f1'), field('f2')),
  renamedWithAlias: record(field('f1_new', { aliases: ['f1'] })),
  nullableF1: record({ name: 'f1', type: ['null', 'string'], doc: 'doc of f1' }),
  nullableIntF1: record({ name: 'f1', type: ['null', 'string', 'int'], doc: 'doc of f1' }),
  f1f2f3Defaults: record(field('f1'), field('f2', { default: 'foo' }), field('f3', { default: 'bar' })),
};
type Name = keyof typeof schemas;

/** Is `candidate` compatible with the history (oldest first) at `level`? */
function compatible(level: CompatibilityLevel, candidate: Name, history: Name[]): boolean {
  const previous = history.map((name, i) => ({
    version: i + 1,
    schema: schemas[name],
    parsed: avroFormat.parse(schemas[name]),
  }));
  return checkCompatibility(avroFormat, level, avroFormat.parse(schemas[candidate]), versionsToCheck(level, previous))
    .isCompatible;
}

// [level, what, candidate, history (oldest first), compatible]
const cases: [CompatibilityLevel, string, Name, Name[], boolean][] = [
  ['BACKWARD', 'a field with a default is added', 'f1f2Default', ['f1'], true],
  ['BACKWARD', 'a field without a default is added', 'f1f2', ['f1'], false],
  ['BACKWARD', 'a field is renamed with the old name as alias', 'renamedWithAlias', ['f1'], true],
  ['BACKWARD', 'a field becomes a union holding its type', 'nullableF1', ['f1'], true],
  ['BACKWARD', 'a type is removed from a union', 'f1', ['nullableF1'], false],
  ['BACKWARD', 'a type is added to a union', 'nullableIntF1', ['nullableF1'], true],
  ['BACKWARD', 'a type is removed from a three-way union', 'nullableF1', ['nullableIntF1'], false],
  ['BACKWARD', 'a default is removed (only the latest is checked)', 'f1f2', ['f1', 'f1f2Default'], true],
  ['BACKWARD_TRANSITIVE', 'fields with defaults are added one by one', 'f1f2f3Defaults', ['f1', 'f1f2Default'], true],
  ['BACKWARD_TRANSITIVE', 'a default is removed against the latest only', 'f1f2', ['f1f2Default'], true],
  ['BACKWARD_TRANSITIVE', 'a default is removed against the whole history', 'f1f2', ['f1', 'f1f2Default'], false],
  ['FORWARD', 'a field with a default is added', 'f1f2Default', ['f1'], true],
  ['FORWARD', 'a field without a default is added', 'f1f2', ['f1'], true],
  ['FORWARD', 'a default is dropped', 'f1f2', ['f1f2Default'], true],
  ['FORWARD', 'a default is added', 'f1f2Default', ['f1f2'], true],
  ['FORWARD', 'a field is removed (only the latest is checked)', 'f1', ['f1f2', 'f1f2Default'], true],
  ['FORWARD_TRANSITIVE', 'fields with defaults are removed one by one', 'f1', ['f1f2f3Defaults', 'f1f2Default'], true],
  ['FORWARD_TRANSITIVE', 'a default is added to a field', 'f1f2Default', ['f1f2'], true],
  ['FORWARD_TRANSITIVE', 'a field with a default is removed', 'f1', ['f1f2Default'], true],
  ['FORWARD_TRANSITIVE', 'a field is removed that an older version required', 'f1', ['f1f2Default', 'f1f2'], false],
  ['FULL', 'a field with a default is added', 'f1f2Default', ['f1'], true],
  ['FULL', 'a field without a default is added (only the latest is checked)', 'f1f2', ['f1', 'f1f2Default'], true],
  ['FULL', 'a field without a default is removed (only the latest is checked)', 'f1', ['f1f2', 'f1f2Default'], true],
  ['FULL_TRANSITIVE', 'fields with defaults are added one by one', 'f1f2f3Defaults', ['f1', 'f1f2Default'], true],
  ['FULL_TRANSITIVE', 'fields with defaults are removed one by one', 'f1', ['f1f2f3Defaults', 'f1f2Default'], true],
  ['FULL_TRANSITIVE', 'a default is added to a field', 'f1f2Default', ['f1f2'], true],
  ['FULL_TRANSITIVE', 'a field with a default is removed', 'f1', ['f1f2Default'], true],
  ['FULL_TRANSITIVE', 'a field with a default is added', 'f1f2Default', ['f1'], true],
  ['FULL_TRANSITIVE', 'a default is removed', 'f1f2', ['f1f2Default'], true],
  ['FULL_TRANSITIVE', 'a field without a default is added over the history', 'f1f2', ['f1f2Default', 'f1'], false],
  ['FULL_TRANSITIVE', 'a field without a default is removed over the history', 'f1', ['f1f2Default', 'f1f2'], false],
];

describe('compatibility levels over Avro histories', () => {
  it.each(cases)('should answer %s when %s', (level, _, candidate, history, expected) => {
    expect(compatible(level, candidate, history)).toBe(expected);
  });

  it('should treat every change as compatible when the level is NONE', () => {
    expect(compatible('NONE', 'f1', ['nullableIntF1'])).toBe(true);
  });
});
