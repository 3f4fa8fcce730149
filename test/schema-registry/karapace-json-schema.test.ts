/**
 * Karapace's JSON Schema compatibility cases, run through Tributary's checker. Where Karapace and
 * Confluent disagree Tributary decides as Confluent does (or as the data does, when Confluent has
 * no case); those cases are listed in DIFFERENT with why, and in docs/schema-registry.md.
 */
import { describe, expect, it } from 'vitest';
import { jsonFormat } from '../../schema-registry/formats/json.ts';
import { type KarapaceCase, karapaceJsonCases, type SchemaName, schemas } from './vectors/karapace-json-schema.ts';

/** Writers that accept no value at all: they wrote nothing, so every reader reads what they wrote. */
const ACCEPTS_NOTHING: ReadonlySet<SchemaName> = new Set(['false', 'notOfEmpty', 'notOfTrue']);

/** Single cases decided otherwise than Karapace decides them, and why. */
const DIFFERENT: Readonly<Record<string, { compatible: boolean; why: string }>> = {
  'false<-true': {
    compatible: false,
    why: 'a false reader accepts no value, so it cannot read what a true writer wrote (Karapace keeps the opposite expectation commented out beside its case)',
  },
  'aObject<-object': {
    compatible: true,
    why: "a property with the empty schema added to an open model accepts whatever the writer wrote under that name (Confluent's PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL)",
  },
  'aObject<-propertyNamesAstarObject': {
    compatible: true,
    why: 'the same: property a with the empty schema reads any value',
  },
  'patternPropertyAstarObject<-bIntObject': {
    compatible: true,
    why: "the pattern ^a* matches every name (it is not anchored at the end) and its schema is empty, so it covers the removed property b (Confluent's PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL)",
  },
};

function expected([reader, writer, karapace]: KarapaceCase): boolean {
  if (reader === 'true') return true; // Confluent: "anything can change to the empty schema"
  if (ACCEPTS_NOTHING.has(writer)) return true;
  return DIFFERENT[`${reader}<-${writer}`]?.compatible ?? karapace;
}

const check = (reader: SchemaName, writer: SchemaName) =>
  jsonFormat.checkCompatibility(
    jsonFormat.parse(JSON.stringify(schemas[reader])),
    jsonFormat.parse(JSON.stringify(schemas[writer])),
  );

describe('Karapace JSON Schema compatibility cases', () => {
  describe.each(Object.entries(karapaceJsonCases))('%s', (_, cases) => {
    it.each(cases)('should decide whether %s reads what %s wrote as Karapace does (%s)', (reader, writer, karapace) => {
      expect(check(reader, writer).length === 0).toBe(expected([reader, writer, karapace]));
    });
  });

  it('should differ from Karapace in 71 of its 309 cases, each for a reason listed here', () => {
    const all = Object.values(karapaceJsonCases).flat();
    const differing = all.filter((c) => expected(c) !== c[2]).map(([r, w]) => `${r}<-${w}`);
    for (const key of Object.keys(DIFFERENT)) expect(differing).toContain(key);
    const byRule = {
      trueReader: differing.filter((key) => key.startsWith('true<-')).length,
      writerAcceptsNothing: all.filter(([r, w, k]) => r !== 'true' && ACCEPTS_NOTHING.has(w) && !k).length,
      listed: Object.keys(DIFFERENT).length,
    };
    // 309 distinct cases; 61 with the true reader, 6 with a writer that accepts nothing, 4 listed.
    expect(all).toHaveLength(309);
    expect(byRule).toEqual({ trueReader: 61, writerAcceptsNothing: 6, listed: 4 });
    expect(differing).toHaveLength(71);
  });
});
