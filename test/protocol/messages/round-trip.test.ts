import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALL_APIS } from '../../../src/protocol/messages/index.ts';
import type { MessageSchema } from '../../../src/protocol/wire/schema.ts';
import { arbitraryMessage, sampleMessage, sampleMessageWithNulls } from './arbitrary.ts';

function versionsOf(min: number, max: number): number[] {
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

describe.each(ALL_APIS.map((a) => [a.name, a] as const))('%s round trips', (_name, api) => {
  const sides: [string, MessageSchema<unknown>][] = [
    ['request', api.request as MessageSchema<unknown>],
    ['response', api.response as MessageSchema<unknown>],
  ];
  for (const [side, schema] of sides) {
    it.each(versionsOf(api.minVersion, api.maxVersion))(`should decode what it encodes, every field set (${side} v%i)`, (v) => {
      const value = sampleMessage(schema, v);
      const bytes = schema.encode(v, value);
      expect(schema.decode(v, bytes)).toEqual(value);
      expect(schema.encode(v, schema.decode(v, bytes)).equals(bytes)).toBe(true);
      const withNulls = sampleMessageWithNulls(schema, v);
      expect(schema.decode(v, schema.encode(v, withNulls))).toEqual(withNulls);
    });

    it(`should round-trip random values in every version (${side})`, () => {
      for (const v of versionsOf(api.minVersion, api.maxVersion)) {
        fc.assert(
          fc.property(arbitraryMessage(schema, v), (value) => {
            const bytes = schema.encode(v, value);
            expect(schema.decode(v, bytes)).toEqual(value);
          }),
          { numRuns: 25 },
        );
      }
    });
  }
});
