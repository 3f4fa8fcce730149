import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { TributaryError } from '../../src/errors.ts';
import { zstdReady } from '../../src/protocol/compression/zstd.ts';
import { crc32cJs } from '../../src/protocol/crc32c.ts';
import {
  type DecodedBatch,
  decodeRecordBatch,
  encodeRecordBatch,
  type RecordInput,
  type ScannedBatch,
  scanRecordBatch,
} from '../../src/protocol/record-batch.ts';

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const context = { topic: 'orders', partition: 3 };

function fixCrc(bytes: Buffer): Buffer {
  bytes.writeUInt32BE(crc32cJs(bytes.subarray(21, bytes.readInt32BE(8) + 12)), 17);
  return bytes;
}

type Outcome = { ok: true; value: unknown } | { ok: false; code: string; message: string; context: unknown };

function outcome<T>(fn: () => T, pick: (value: T) => unknown): Outcome {
  try {
    return { ok: true, value: pick(fn()) };
  } catch (err) {
    expect(err).toBeInstanceOf(TributaryError);
    const e = err as TributaryError;
    return { ok: false, code: e.code, message: e.message, context: e.context };
  }
}

// What scanRecordBatch must report, worked out from the records decodeRecordBatch builds.
function expected(decoded: DecodedBatch) {
  const { records, ...header } = decoded;
  const gap = records.findIndex((r, i) => r.offset - decoded.baseOffset !== i);
  return { ...header, firstOffsetGap: gap, hasNullKey: records.some((r) => r.key === null) };
}

function same(bytes: Uint8Array): void {
  const scanned = outcome(
    () => scanRecordBatch(bytes, { context }),
    (s: ScannedBatch) => ({ ...s }),
  );
  const decoded = outcome(() => decodeRecordBatch(bytes, { context }), expected);
  expect(scanned).toEqual(decoded);
}

const sample = (compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd' = 'none') =>
  Buffer.from(
    encodeRecordBatch({
      baseOffset: 500,
      compression,
      records: [
        { key: utf8('alpha'), value: utf8('one'), timestamp: 1000, headers: [{ key: 'h', value: utf8('x') }] },
        { key: null, value: utf8('two'.repeat(20)), timestamp: 1001, headers: [{ key: 'n', value: null }] },
        { key: utf8('gamma'), value: null, timestamp: 1002 },
      ],
    }),
  );

beforeAll(() => zstdReady());

describe('scanRecordBatch checks a batch as decodeRecordBatch does, without building records', () => {
  it('should report the header, null keys and contiguous offsets of a well-formed batch in every codec', () => {
    for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
      const bytes = sample(codec);
      same(bytes);
      const scanned = scanRecordBatch(bytes);
      expect(scanned).toMatchObject({ recordCount: 3, firstOffsetGap: -1, hasNullKey: true, compression: codec });
    }
  });

  it('should report no null key when every record has one', () => {
    const bytes = encodeRecordBatch({ baseOffset: 0, records: [{ key: utf8('k'), value: null, timestamp: 1 }] });
    expect(scanRecordBatch(bytes).hasNullKey).toBe(false);
  });

  it('should report the first record whose offset delta is not its index', () => {
    const bytes = encodeRecordBatch({
      baseOffset: 0,
      records: [
        { key: null, value: utf8('a'), timestamp: 1, offsetDelta: 0 },
        { key: null, value: utf8('b'), timestamp: 1, offsetDelta: 1 },
        { key: null, value: utf8('c'), timestamp: 1, offsetDelta: 5 },
        { key: null, value: utf8('d'), timestamp: 1, offsetDelta: 6 },
      ] as RecordInput[],
    });
    same(bytes);
    expect(scanRecordBatch(bytes).firstOffsetGap).toBe(2);
  });

  it('should throw what decodeRecordBatch throws when any byte flips, CRC left alone', () => {
    const clean = sample();
    for (let i = 0; i < clean.length; i++) {
      const bytes = Buffer.from(clean);
      bytes[i]! ^= 0x5a;
      same(bytes);
    }
  });

  it('should throw what decodeRecordBatch throws when any byte under the CRC changes and the CRC is fixed', () => {
    const clean = sample();
    for (let i = 21; i < clean.length; i++) {
      for (const x of [0x01, 0x80, 0xff]) {
        const bytes = Buffer.from(clean);
        bytes[i]! ^= x;
        same(fixCrc(bytes));
      }
    }
  });

  it('should throw what decodeRecordBatch throws for a cut batch, header made consistent again', () => {
    const clean = sample();
    for (let length = 0; length < clean.length; length++) {
      same(clean.subarray(0, length));
      if (length >= 61) {
        const bytes = Buffer.from(clean.subarray(0, length));
        bytes.writeInt32BE(length - 12, 8);
        same(fixCrc(bytes));
      }
    }
  });

  it('should throw what decodeRecordBatch throws for damaged compressed records', () => {
    for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
      const clean = sample(codec);
      for (let i = 61; i < clean.length; i += 3) {
        const bytes = Buffer.from(clean);
        bytes[i]! ^= 0x24;
        same(fixCrc(bytes));
      }
    }
  });

  it('should agree with decodeRecordBatch on any records', () => {
    const record = fc.record({
      key: fc.option(fc.uint8Array({ maxLength: 20 }), { nil: null }),
      value: fc.option(fc.uint8Array({ maxLength: 200 }), { nil: null }),
      timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
      headers: fc.array(
        fc.record({
          key: fc.string({ maxLength: 8 }),
          value: fc.option(fc.uint8Array({ maxLength: 8 }), { nil: null }),
        }),
        { maxLength: 3 },
      ),
    });
    fc.assert(
      fc.property(
        fc.array(record, { minLength: 1, maxLength: 20 }),
        fc.constantFrom('none', 'gzip', 'lz4'),
        (records, compression) => {
          same(encodeRecordBatch({ baseOffset: 7, compression: compression as 'none', records }));
        },
      ),
      { numRuns: 200 },
    );
  });
});
