/**
 * Confluent Schema Registry's own compatibility vectors, run through Tributary's checkers: every
 * JSON Schema and Protobuf diff example of its test resources must get Confluent's BACKWARD decision,
 * and Tributary must name the same incompatible change types, except in the cases listed below.
 */
import { describe, expect, it } from 'vitest';
import { jsonFormat } from '../../schema-registry/formats/json.ts';
import { protobufFormat } from '../../schema-registry/formats/protobuf.ts';
import type { ResolvedReference } from '../../schema-registry/formats/types.ts';
import { JSON_COMPATIBLE_CHANGES, PROTOBUF_COMPATIBLE_CHANGES } from './vectors/compatible-changes.ts';
import { combined, combined2020, keywords, keywords2020 } from './vectors/confluent-json-schema.ts';
import { protobufDiffs } from './vectors/confluent-protobuf.ts';
import type { DiffVector } from './vectors/types.ts';

/** The incompatible change types a vector names, without paths, sorted and deduplicated. */
function incompatibleKinds(vector: DiffVector<unknown>, compatibleChanges: ReadonlySet<string>): string[] {
  const kinds = vector.changes.map((change) => change.split(' ')[0]!).filter((kind) => !compatibleChanges.has(kind));
  return [...new Set(kinds)].sort();
}

/**
 * Cases where Tributary makes Confluent's decision but names the change differently, on purpose
 * (listed in docs/schema-registry.md): inside a combined schema (`allOf`/`anyOf`/`oneOf`) it names
 * the change of the branch that breaks (`TYPE_CHANGED #/oneOf/0/type`, `ENUM_ADDED
 * #/allOf/1/enum`) where Confluent names the combination (`COMBINED_TYPE_SUBSCHEMAS_CHANGED`,
 * `COMBINED_TYPE_CHANGED`, `SUM_TYPE_NARROWED`, `PRODUCT_TYPE_EXTENDED`).
 */
const NAMED_DIFFERENTLY = new Set([
  'Detect changes to composed schema type',
  'Detect changes to sub schemas',
  'Detect changes to validation criteria in composed schema type',
  'Detect incompatible change from anyOf to allOf schema',
  'Detect incompatible change from anyOf to oneOf schema with fewer properties',
  'Detect incompatible change from oneOf to allOf schema',
  'Detect incompatible change from oneOf to anyOf schema with fewer properties',
  'Detect incompatible change to allOf schema',
  'Detect incompatible change to combined schema',
  'Detect incompatible change to oneOf schema',
  'Detect incompatible changes to enum schema',
]);

const sortedKinds = (issues: { kind: string }[]): string[] => [...new Set(issues.map((issue) => issue.kind))].sort();

describe('Confluent JSON Schema diff examples', () => {
  const jsonIssues = (vector: DiffVector<unknown>) =>
    jsonFormat.checkCompatibility(
      jsonFormat.parse(JSON.stringify(vector.after)),
      jsonFormat.parse(JSON.stringify(vector.before)),
    );

  describe.each([
    ['keywords', keywords],
    ['keywords, 2020-12', keywords2020],
    ['combined schemas', combined],
    ['combined schemas, 2020-12', combined2020],
  ])('%s', (_, vectors) => {
    it.each(vectors.map((vector) => [vector.name, vector] as const))('%s', (_, vector) => {
      const issues = jsonIssues(vector);
      expect(issues.length === 0).toBe(vector.compatible);
      if (!NAMED_DIFFERENTLY.has(vector.name)) {
        expect(sortedKinds(issues)).toEqual(incompatibleKinds(vector, JSON_COMPATIBLE_CHANGES));
      }
    });
  });

  it('should run all 263 of them', () => {
    expect(keywords.length + keywords2020.length + combined.length + combined2020.length).toBe(263);
  });
});

/** The imports of one side as references, each resolved from its text. */
function references(imports: Readonly<Record<string, string>> | undefined): ResolvedReference[] {
  return Object.entries(imports ?? {}).map(([name, schema]) => ({
    name,
    subject: name,
    version: 1,
    schemaType: 'PROTOBUF',
    schema,
    references: [],
  }));
}

describe('Confluent Protobuf diff examples', () => {
  it.each(protobufDiffs.map((vector) => [vector.name, vector] as const))('%s', (_, vector) => {
    const before = protobufFormat.parse(vector.before, references(vector.beforeImports));
    const after = protobufFormat.parse(vector.after, references(vector.afterImports));
    const issues = protobufFormat.checkCompatibility(after, before);
    expect(issues.length === 0).toBe(vector.compatible);
    expect(sortedKinds(issues)).toEqual(incompatibleKinds(vector, PROTOBUF_COMPATIBLE_CHANGES));
  });

  it('should name a scalar kind change of a renamed field, and the package change (checkCompatibilityUsingProtoFiles)', () => {
    const before = protobufFormat.parse(
      'syntax = "proto3";\npackage test1;\nmessage TestMessage {\n    string test_string = 1;\n    int32 test_int = 2;\n}\n',
    );
    const after = protobufFormat.parse(
      'syntax = "proto3";\npackage test2;\nmessage TestMessage {\n    string test_string = 1;\n    string test_string2 = 2;\n}\n',
    );
    const issues = protobufFormat.checkCompatibility(after, before).map((i) => `${i.kind} ${i.path}`);
    // FIELD_NAME_CHANGED is a compatible change: Tributary's issues list only incompatible ones.
    expect(issues).toContain('FIELD_SCALAR_KIND_CHANGED #/TestMessage/2');
    expect(issues).toContain('PACKAGE_CHANGED #/');
  });

  it('should run all 55 of them', () => {
    expect(protobufDiffs).toHaveLength(55);
  });
});
