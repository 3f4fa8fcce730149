import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRecordBatch, encodeRecordBatch, RecordBatchBuilder } from '../../src/protocol/record-batch.ts';

const bytes = fc.option(fc.uint8Array({ maxLength: 80 }), { nil: null });
const record = fc.record({ key: bytes, value: bytes, timestamp: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }) });

describe('RecordBatchBuilder', () => {
  it('builds the bytes encodeRecordBatch makes of the same records', () => {
    fc.assert(
      fc.property(
        fc.array(record, { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 0, max: 200 }),
        (records, cap) => {
          const builder = new RecordBatchBuilder(cap);
          for (const r of records) expect(builder.append(r.key, r.value, r.timestamp)).toBe(true);
          const built = builder.build();
          const encoded = encodeRecordBatch({ baseOffset: 0, records });
          expect(Buffer.from(built).equals(Buffer.from(encoded))).toBe(true);
          expect(builder.count).toBe(records.length);
          expect(builder.maxTimestamp).toBe(Math.max(...records.map((r) => r.timestamp)));
          expect(builder.hasNullKey).toBe(records.some((r) => r.key === null));
          expect(decodeRecordBatch(built).records.map((r) => r.timestamp)).toEqual(records.map((r) => r.timestamp));
          // Reset, the builder makes the same batch again in the buffer it kept.
          builder.reset();
          for (const r of records) builder.append(r.key, r.value, r.timestamp);
          expect(Buffer.from(builder.build()).equals(Buffer.from(encoded))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses what it does not encode, appending nothing', () => {
    const builder = new RecordBatchBuilder();
    expect(builder.append(null, Uint8Array.of(1), -1)).toBe(false);
    expect(builder.append(null, Uint8Array.of(1), 1.5)).toBe(false);
    expect(builder.append('k' as unknown as Uint8Array, null, 1)).toBe(false);
    expect(builder.count).toBe(0);
    expect(() => builder.build()).toThrow(TypeError);
    expect(builder.append(Uint8Array.of(1), Uint8Array.of(2, 3, 4), 5)).toBe(true);
    expect(builder.append(Uint8Array.of(1), new Uint8Array(100_000), 3)).toBe(true);
    expect(
      Buffer.from(builder.build()).equals(
        Buffer.from(
          encodeRecordBatch({
            baseOffset: 0,
            records: [
              { key: Uint8Array.of(1), value: Uint8Array.of(2, 3, 4), timestamp: 5 },
              { key: Uint8Array.of(1), value: new Uint8Array(100_000), timestamp: 3 },
            ],
          }),
        ),
      ),
    ).toBe(true);
  });
});
