/**
 * Karapace's Protobuf compatibility cases, run through Tributary's checker. Where Karapace and
 * Confluent disagree Tributary decides as Confluent does; those cases are listed in CONFLUENT_DECIDES
 * with Confluent's diff example that decides them, and in docs/schema-registry.md.
 */
import { describe, expect, it } from 'vitest';
import { protobufFormat } from '../../schema-registry/formats/protobuf.ts';
import type { ResolvedReference } from '../../schema-registry/formats/types.ts';
import { protobufDiffs } from './vectors/confluent-protobuf.ts';
import { karapaceProtobuf } from './vectors/karapace-protobuf.ts';

/** Karapace's case → the Confluent diff example deciding the other way. */
const CONFLUENT_DECIDES: Readonly<Record<string, string>> = {
  // A field renumbered is a field removed and a field added: old data's field is skipped as unknown.
  'changing a field number': 'Detect removed field',
  'changing the number of the last field': 'Detect removed field',
  // Another package renames every message: Confluent refuses it.
  'changing the package': 'Detect package change',
};

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

describe("Karapace's Protobuf compatibility cases", () => {
  it.each(karapaceProtobuf.map((vector) => [vector.name, vector] as const))('%s', (name, vector) => {
    const before = protobufFormat.parse(vector.before, references(vector.beforeImports));
    const after = protobufFormat.parse(vector.after, references(vector.afterImports));
    const compatible = protobufFormat.checkCompatibility(after, before).length === 0;
    const confluent = CONFLUENT_DECIDES[name];
    if (confluent === undefined) {
      expect(compatible).toBe(vector.compatible);
    } else {
      const example = protobufDiffs.find((d) => d.name === confluent)!;
      expect(example.compatible).toBe(!vector.compatible);
      expect(compatible).toBe(example.compatible);
    }
  });
});
