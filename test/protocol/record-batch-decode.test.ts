import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../src/errors.ts';
import { crc32cJs } from '../../src/protocol/crc32c.ts';
import {
  type DecodedBatch,
  decodeRecordBatch,
  decodeFallbacks,
  decodeRecordBatchChecked,
  encodeRecordBatch,
  type RecordInput,
} from '../../src/protocol/record-batch.ts';

// decodeRecordBatch reads an uncompressed batch's records in one pass, with varints of up to
// three bytes inline, and falls back to the checked decoder at the first thing that does not hold.
// These tests hold the two to the same records, and to the same error for the same bytes.

const context = { topic: 'orders', partition: 3 };

type Outcome = { ok: true; batch: DecodedBatch } | { ok: false; code: string; message: string };

function outcome(decode: typeof decodeRecordBatch, bytes: Uint8Array): Outcome {
  try {
    return { ok: true, batch: decode(bytes, { context }) };
  } catch (err) {
    expect(err).toBeInstanceOf(TributaryError);
    const e = err as TributaryError;
    return { ok: false, code: e.code, message: e.message };
  }
}

/** Keys, values and header values as a digest of their bytes, so toEqual compares bytes, not views. */
function plain(o: Outcome): unknown {
  if (!o.ok) return o;
  const bytes = (b: Uint8Array | null) =>
    b === null ? null : `${b.length}:${createHash('sha1').update(b).digest('hex')}`;
  return {
    ...o.batch,
    records: o.batch.records.map((r) => ({
      ...r,
      key: bytes(r.key),
      value: bytes(r.value),
      headers: r.headers.map((h) => ({ key: h.key, value: bytes(h.value) })),
    })),
  };
}

function same(bytes: Uint8Array): Outcome {
  const before = decodeFallbacks();
  const fast = outcome(decodeRecordBatch, bytes);
  // A batch it decodes, the one-pass reader decoded by itself; one it refuses, it gave up.
  expect(decodeFallbacks() - before).toBe(fast.ok ? 0 : 1);
  expect(plain(fast)).toEqual(plain(outcome(decodeRecordBatchChecked, bytes)));
  return fast;
}

function fixCrc(bytes: Buffer): Buffer {
  bytes.writeUInt32BE(crc32cJs(bytes.subarray(21, bytes.readInt32BE(8) + 12)), 17);
  return bytes;
}

const bytesOf = (n: number, fill = 7) => Buffer.alloc(n, fill);

describe('decodeRecordBatch reads records as its checked decoder does', () => {
  it('should decode lengths and deltas on each side of the one-, two- and three-byte varint bounds', () => {
    // zigzag: 63 is the last one-byte length, 8191 the last two-byte one, 2^20 - 1 the last of three.
    const lengths = [0, 1, 63, 64, 65, 8191, 8192, 8193, 20_000, 2 ** 20 - 1, 2 ** 20, 3];
    const deltas = [0, -1, 63, 64, 8191, 8192, -8193, 1_000_000_000, -64, 2 ** 19 - 1, -(2 ** 19), 2 ** 19];
    const records: RecordInput[] = lengths.map((n, i) => ({
      key: i % 2 === 0 ? bytesOf(n % 100, 1) : null,
      value: bytesOf(n, i),
      timestamp: 1_700_000_000_000 + deltas[i]!,
    }));
    const bytes = encodeRecordBatch({ baseOffset: 41, records });
    const got = same(bytes);
    expect(got.ok).toBe(true);
    if (!got.ok) return;
    expect(got.batch.records.map((r) => r.value?.length)).toEqual(lengths);
    expect(got.batch.records.map((r) => r.offset)).toEqual(lengths.map((_, i) => 41 + i));
    expect(got.batch.records.map((r) => r.timestamp)).toEqual(deltas.map((d) => 1_700_000_000_000 + d));
  });

  it('should decode headers, null values and explicit offset deltas', () => {
    const bytes = encodeRecordBatch({
      baseOffset: 7,
      records: [
        { key: Buffer.from('a'), value: null, timestamp: 5, headers: [{ key: 'h', value: Buffer.from('x') }] },
        { key: null, value: Buffer.from('b'), timestamp: 6, offsetDelta: 3, headers: [{ key: 'n', value: null }] },
        { key: Buffer.from('c'), value: Buffer.from('d'), timestamp: 7, offsetDelta: 200 },
      ],
    });
    const got = same(bytes);
    expect(got.ok && got.batch.records.map((r) => r.offset)).toEqual([7, 10, 207]);
  });

  it('should stamp every record with the batch time under LogAppendTime', () => {
    const bytes = Buffer.from(
      encodeRecordBatch({
        baseOffset: 0,
        records: [
          { key: null, value: Buffer.from('a'), timestamp: 10 },
          { key: null, value: Buffer.from('b'), timestamp: 20 },
        ],
      }),
    );
    bytes.writeInt16BE(bytes.readInt16BE(21) | 0x08, 21);
    bytes.writeBigInt64BE(99n, 35);
    const got = same(fixCrc(bytes));
    expect(got.ok && got.batch.records.map((r) => r.timestamp)).toEqual([99, 99]);
  });

  it('should decode any records as the checked decoder does', () => {
    const bytes = fc.uint8Array({ maxLength: 300 });
    const record = fc.record({
      key: fc.option(bytes, { nil: null }),
      value: fc.option(fc.oneof(bytes, fc.uint8Array({ minLength: 8000, maxLength: 9000 })), { nil: null }),
      delta: fc.integer({ min: -20_000_000, max: 20_000_000 }),
      headers: fc.array(fc.record({ key: fc.string({ maxLength: 40 }), value: fc.option(bytes, { nil: null }) }), {
        maxLength: 3,
      }),
    });
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 20 }), fc.nat({ max: 2 ** 40 }), (rs, baseOffset) => {
        const batch = encodeRecordBatch({
          baseOffset,
          records: rs.map((r) => ({
            key: r.key,
            value: r.value,
            timestamp: 1_700_000_000_000 + r.delta,
            headers: r.headers,
          })),
        });
        expect(same(batch).ok).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('should refuse damaged records with the checked decoder’s error, whatever byte is changed', () => {
    const clean = Buffer.from(
      encodeRecordBatch({
        baseOffset: 500,
        records: [
          { key: Buffer.from('alpha'), value: bytesOf(70), timestamp: 1000, headers: [{ key: 'h', value: null }] },
          { key: null, value: bytesOf(9000), timestamp: 1001 },
          { key: Buffer.from('gamma'), value: null, timestamp: 100_000 },
        ],
      }),
    );
    let refused = 0;
    // Every byte of the records (the header's fields are read before them, by one reader), with
    // the CRC made right again so the damage reaches the record reader.
    for (let i = 61; i < clean.length; i++) {
      if (i > 300 && i < clean.length - 40 && i % 97 !== 0) continue; // the long value's middle: a sample
      for (const flip of [0x01, 0x40, 0x80, 0xff]) {
        const bytes = Buffer.from(clean);
        bytes[i]! ^= flip;
        if (!same(fixCrc(bytes)).ok) refused++;
      }
    }
    expect(refused).toBeGreaterThan(50);
  });

  it('should refuse records cut short with a consistent header as the checked decoder does', () => {
    const clean = Buffer.from(
      encodeRecordBatch({
        baseOffset: 0,
        records: [
          { key: Buffer.from('k'), value: bytesOf(100), timestamp: 1, headers: [{ key: 'h', value: bytesOf(3) }] },
          { key: Buffer.from('k2'), value: bytesOf(10), timestamp: 2 },
        ],
      }),
    );
    for (let length = 61; length < clean.length; length++) {
      const bytes = Buffer.from(clean.subarray(0, length));
      bytes.writeInt32BE(length - 12, 8);
      const got = same(fixCrc(bytes));
      expect(got.ok).toBe(false);
    }
  });
});
