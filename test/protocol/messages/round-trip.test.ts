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
    it.each(versionsOf(api.minVersion, api.maxVersion))(
      `should decode what it encodes, every field set (${side} v%i)`,
      (v) => {
        const value = sampleMessage(schema, v);
        const bytes = schema.encode(v, value);
        expect(schema.decode(v, bytes)).toEqual(value);
        expect(schema.encode(v, schema.decode(v, bytes)).equals(bytes)).toBe(true);
        const withNulls = sampleMessageWithNulls(schema, v);
        expect(schema.decode(v, schema.encode(v, withNulls))).toEqual(withNulls);
      },
    );

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

describe('fields left out when encoding', () => {
  it('should be written as their defaults, as Kafka message classes start from theirs', () => {
    const API = Object.fromEntries(ALL_APIS.map((a) => [a.name, a]));
    const bytes = API.Fetch!.encodeResponse(12, {
      responses: [{ topic: 't', partitions: [{ partitionIndex: 3, highWatermark: 5, records: null }] }],
    });
    const p = (API.Fetch!.decodeResponse(12, bytes) as { responses: { partitions: Record<string, unknown>[] }[] })
      .responses[0]!.partitions[0]!;
    expect(p).toEqual({
      partitionIndex: 3,
      errorCode: 0,
      highWatermark: 5,
      lastStableOffset: -1,
      logStartOffset: -1,
      divergingEpoch: { epoch: -1, endOffset: -1 },
      currentLeader: { leaderId: -1, leaderEpoch: -1 },
      snapshotId: { endOffset: -1, epoch: -1 },
      abortedTransactions: null,
      preferredReadReplica: -1,
      records: null,
    });
    // Null aborted transactions, replica -1, null records, then the partition's, the topic's and the
    // response's empty tag sections: tagged fields left at their defaults are not written.
    expect(bytes.toString('hex')).toBe(
      [
        '00000000',
        '0000',
        '00000000',
        '02',
        '0274',
        '02',
        '00000003',
        '0000',
        '0000000000000005',
        'ffffffffffffffff',
        'ffffffffffffffff',
        '00',
        'ffffffff',
        '00',
        '00',
        '00',
        '00',
      ].join(''),
    );
  });
});
