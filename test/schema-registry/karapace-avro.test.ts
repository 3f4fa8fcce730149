/**
 * Karapace's Avro compatibility cases (which carry Confluent's AvroCompatibilityTest schemas and
 * Avro Java's reader/writer pairs), run through Tributary's Avro checker: every pair gets Karapace's
 * decision, and the pairs of its named-error tests get Avro's error kind at Avro's location.
 */
import { describe, expect, it } from 'vitest';
import { avroFormat as avro } from '../../schema-registry/formats/avro.ts';
import { caught } from './helpers.ts';
import { type AvroPair, karapaceAvro } from './vectors/karapace-avro.ts';

/**
 * Karapace parses one schema with validation off: an enum whose default is not one of its symbols.
 * Avro Java (so Confluent) refuses it, and so does Tributary.
 */
function refusedByAvroJava(pair: AvroPair): boolean {
  const badDefault = (schema: unknown): boolean => {
    if (typeof schema !== 'object' || schema === null) return false;
    const node = schema as { type?: unknown; symbols?: unknown[]; default?: unknown };
    return node.type === 'enum' && 'default' in node && !(node.symbols ?? []).includes(node.default);
  };
  return badDefault(pair.reader) || badDefault(pair.writer);
}

const issues = (pair: AvroPair) =>
  avro.checkCompatibility(avro.parse(JSON.stringify(pair.reader)), avro.parse(JSON.stringify(pair.writer)));

const label = (schema: unknown): string => {
  const text = JSON.stringify(schema);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

describe("Karapace's Avro compatibility cases", () => {
  describe.each(Object.entries(karapaceAvro))('%s', (_, pairs) => {
    it.each(pairs.map((pair) => [label(pair.reader), label(pair.writer), pair] as const))(
      'should decide whether %s reads what %s wrote as Karapace does',
      (_r, _w, pair) => {
        if (refusedByAvroJava(pair)) {
          expect(caught(() => issues(pair)).code).toBe('INVALID_SCHEMA');
          return;
        }
        const found = issues(pair);
        expect(found.length === 0).toBe(pair.compatible);
        if (pair.kind !== undefined) {
          expect(found.map((issue) => issue.kind)).toContain(pair.kind);
          expect(found.map((issue) => issue.path).sort()).toEqual([...(pair.locations ?? [])].sort());
        }
      },
    );
  });

  it('should run all 176 of them', () => {
    expect(Object.values(karapaceAvro).flat()).toHaveLength(176);
  });
});
