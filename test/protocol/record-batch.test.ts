import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { TributaryError } from '../../src/errors.ts';
import { zstdReady } from '../../src/protocol/compression/zstd.ts';
import { crc32cJs } from '../../src/protocol/crc32c.ts';
import {
  type BatchInput,
  type DecodedBatch,
  decodeRecordBatch,
  encodeRecordBatch,
  estimateRecordSize,
  RECORD_BATCH_OVERHEAD,
  type RecordHeader,
  type RecordInput,
  readBatchHeader,
  setBaseOffset,
  setLogAppendTime,
  verifyBatchCrc,
  withBaseOffset,
} from '../../src/protocol/record-batch.ts';

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const hex = (bytes: Uint8Array | null) =>
  bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
const fromHex = (...parts: string[]) => Buffer.from(parts.join('').replace(/\s+/g, ''), 'hex');

function errorOf(fn: () => unknown): TributaryError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TributaryError);
    return err as TributaryError;
  }
  return expect.unreachable('expected a TributaryError') as never;
}

// Rewrites the CRC after a test has changed bytes on purpose, so that what is tested is the
// decoder's structural checks rather than the checksum.
function fixCrc(bytes: Buffer): Buffer {
  bytes.writeUInt32BE(crc32cJs(bytes.subarray(21, bytes.readInt32BE(8) + 12)), 17);
  return bytes;
}

// On Node 20 the zstd compressor is wasm that loads in the background; the size checks wait for it.
beforeAll(() => zstdReady());

describe("RecordBatch v2 against the layout in Kafka's protocol documentation", () => {
  // Two records, transactional, producer 1234 epoch 2 sequence 10, leader epoch 3, base offset 5.
  // Record 1 has a 2-byte timestampDelta (300) and a header, to exercise multi-byte varints.
  const input: BatchInput = {
    baseOffset: 5,
    partitionLeaderEpoch: 3,
    producerId: 1234,
    producerEpoch: 2,
    baseSequence: 10,
    isTransactional: true,
    records: [
      { key: utf8('k'), value: utf8('hello'), timestamp: 1_600_000_000_000 },
      {
        key: null,
        value: utf8('x'),
        timestamp: 1_600_000_000_300,
        headers: [{ key: 'h', value: Uint8Array.of(1, 2) }],
      },
    ],
  };
  const CRC = 0xa01b189e;
  const expected = fromHex(
    '0000000000000005', // baseOffset: int64 5
    '0000004c', //         batchLength: int32 76 = 88 bytes - 8 (baseOffset) - 4 (batchLength)
    '00000003', //         partitionLeaderEpoch: int32 3
    '02', //               magic: int8 2
    'a01b189e', //         crc: uint32 CRC-32C of everything from attributes to the end
    '0010', //             attributes: int16, bit 4 isTransactional; codec 0, CreateTime
    '00000001', //         lastOffsetDelta: int32 1
    '00000174876e8000', // baseTimestamp: int64 1600000000000 (first record)
    '00000174876e812c', // maxTimestamp: int64 1600000000300
    '00000000000004d2', // producerId: int64 1234
    '0002', //             producerEpoch: int16 2
    '0000000a', //         baseSequence: int32 10
    '00000002', //         recordsCount: int32 2
    // record 0
    '18', //   length: varint 12
    '00', //   attributes: int8 0
    '00', //   timestampDelta: varlong 0
    '00', //   offsetDelta: varint 0
    '02', //   keyLength: varint 1
    '6b', //   key: "k"
    '0a', //   valueLen: varint 5
    '68656c6c6f', // value: "hello"
    '00', //   headers count: varint 0
    // record 1
    '1a', //   length: varint 13
    '00', //   attributes: int8 0
    'd804', // timestampDelta: varlong 300 (zigzag 600 = 0x58 | 0x80, 0x04)
    '02', //   offsetDelta: varint 1
    '01', //   keyLength: varint -1 (null key)
    '02', //   valueLen: varint 1
    '78', //   value: "x"
    '02', //   headers count: varint 1
    '02', //   headerKeyLength: varint 1
    '68', //   headerKey: "h"
    '04', //   headerValueLength: varint 2
    '0102', // header value
  );

  it('should match the hand-built bytes when encoding the documented fields', () => {
    expect(expected.length).toBe(88);
    expect(crc32cJs(expected.subarray(21))).toBe(CRC);
    expect(hex(encodeRecordBatch(input))).toBe(hex(expected));
  });

  it('should read every documented field back when decoding the hand-built bytes', () => {
    const batch = decodeRecordBatch(expected);
    expect({ ...batch, records: undefined }).toEqual({
      baseOffset: 5,
      batchLength: 76,
      partitionLeaderEpoch: 3,
      magic: 2,
      crc: CRC,
      attributes: 0x10,
      compression: 'none',
      timestampType: 'CreateTime',
      isTransactional: true,
      isControl: false,
      hasDeleteHorizon: false,
      lastOffsetDelta: 1,
      baseTimestamp: 1_600_000_000_000,
      maxTimestamp: 1_600_000_000_300,
      producerId: 1234,
      producerEpoch: 2,
      baseSequence: 10,
      recordCount: 2,
      lastOffset: 6,
      sizeInBytes: 88,
      records: undefined,
    });
    const [r0, r1] = batch.records;
    expect(r0).toMatchObject({ offset: 5, timestamp: 1_600_000_000_000, headers: [] });
    expect(hex(r0!.key)).toBe(hex(utf8('k')));
    expect(hex(r0!.value)).toBe(hex(utf8('hello')));
    expect(r1).toMatchObject({ offset: 6, timestamp: 1_600_000_000_300, key: null });
    expect(hex(r1!.value)).toBe('78');
    expect(r1!.headers.map((h) => [h.key, hex(h.value)])).toEqual([['h', '0102']]);
  });

  it('should read the header alone when only the fixed 61 bytes are needed', () => {
    const header = readBatchHeader(expected);
    expect(header.lastOffset).toBe(6);
    expect(header.recordCount).toBe(2);
    expect('records' in header).toBe(false);
  });
});

describe('RecordBatch v2 from a Kafka broker', () => {
  // kafkajs's src/protocol/recordBatch/fixtures/v0_recordbatch.json: a gzip batch whose
  // LogAppendTime flag and maxTimestamp were set by the broker that served it.
  const fixture = fromHex(
    '0000000000000000', // baseOffset 0
    '00000071', //         batchLength 113
    '00000000', //         partitionLeaderEpoch 0
    '02', //               magic 2
    'e4c324a5', //         crc
    '0009', //             attributes: gzip (1) | LogAppendTime (bit 3)
    '00000000', //         lastOffsetDelta 0
    '00000173edf5ffa7', // baseTimestamp 1597425188775
    '00000173edf5ffc9', // maxTimestamp 1597425188809
    'ffffffffffffffff', // producerId -1
    '0000', //             producerEpoch 0
    '00000000', //         baseSequence 0
    '00000001', //         recordsCount 1
    // gzip stream of one record: key "key-0", value "value-0-2020-08-14T17:13:08.682Z"
    '1f8b08000000000000130b636060e0ca4eadd43570284bcc294dd535d035323032d035b0d03534093134b7',
    '3234b632b0d033b3308a620000b5e3f1a72c000000',
  );

  it('should verify the CRC and decode the record when the batch is gzip and LogAppendTime', () => {
    expect(fixture.length).toBe(125);
    expect(verifyBatchCrc(fixture)).toBe(true);
    const batch = decodeRecordBatch(fixture);
    expect(batch).toMatchObject({
      baseOffset: 0,
      compression: 'gzip',
      timestampType: 'LogAppendTime',
      baseTimestamp: 1597425188775,
      maxTimestamp: 1597425188809,
      producerId: -1,
      recordCount: 1,
    });
    expect(batch.records).toHaveLength(1);
    const record = batch.records[0]!;
    expect(record.offset).toBe(0);
    // LogAppendTime: every record reads the batch's maxTimestamp, as Kafka's consumer does.
    expect(record.timestamp).toBe(1597425188809);
    expect(Buffer.from(record.key!).toString()).toBe('key-0');
    expect(Buffer.from(record.value!).toString()).toBe('value-0-2020-08-14T17:13:08.682Z');
    expect(record.headers).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Round trips

const nullableBytes = (maxLength: number) => fc.oneof(fc.constant(null), fc.uint8Array({ maxLength }));
const timestampArb = fc.oneof(
  fc.constant(-1),
  fc.integer({ min: 0, max: 2 ** 31 }).map((x) => 1_600_000_000_000 + x),
  fc.bigInt({ min: -(2n ** 51n), max: 2n ** 51n }).map(Number),
);
const headerArb = fc.record({ key: fc.string({ unit: 'binary', maxLength: 40 }), value: nullableBytes(50) });
const recordArb = fc.record({
  key: nullableBytes(40),
  value: nullableBytes(300),
  timestamp: timestampArb,
  headers: fc.option(fc.array(headerArb, { maxLength: 4 }), { nil: undefined }),
  gap: fc.option(fc.oneof(fc.nat(3), fc.nat(100_000)), { nil: undefined }),
});
const batchArb = fc.record({
  baseOffset: fc.oneof(fc.nat(1000), fc.bigInt({ min: 0n, max: 2n ** 52n }).map(Number)),
  records: fc.array(recordArb, { maxLength: 20 }),
  partitionLeaderEpoch: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: undefined }),
  producer: fc.option(
    fc.record({
      producerId: fc.bigInt({ min: 0n, max: 2n ** 53n - 1n }).map(Number),
      producerEpoch: fc.integer({ min: 0, max: 0x7fff }),
      baseSequence: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      isTransactional: fc.boolean(),
    }),
    { nil: undefined },
  ),
  isControl: fc.boolean(),
  compression: fc.constantFrom('none' as const, 'gzip' as const),
  logAppendTime: fc.option(timestampArb, { nil: undefined }),
  extraLastOffsetDelta: fc.option(fc.nat(50), { nil: undefined }),
  deleteHorizonMs: fc.option(fc.bigInt({ min: 0n, max: 2n ** 51n }).map(Number), { nil: undefined }),
});
type BatchCase = typeof batchArb extends fc.Arbitrary<infer T> ? T : never;

function toInput(c: BatchCase): { input: BatchInput; offsetDeltas: number[] } {
  const offsetDeltas: number[] = [];
  let previous = -1;
  const records: RecordInput[] = c.records.map((r) => {
    const offsetDelta = previous + 1 + (r.gap ?? 0);
    previous = offsetDelta;
    offsetDeltas.push(offsetDelta);
    const record: RecordInput = { key: r.key, value: r.value, timestamp: r.timestamp };
    if (r.headers !== undefined) record.headers = r.headers;
    if (r.gap !== undefined) record.offsetDelta = offsetDelta;
    return record;
  });
  const input: BatchInput = {
    baseOffset: c.baseOffset,
    records,
    partitionLeaderEpoch: c.partitionLeaderEpoch,
    ...c.producer,
    isControl: c.isControl,
    compression: c.compression,
    deleteHorizonMs: c.deleteHorizonMs,
  };
  if (c.logAppendTime !== undefined) {
    input.timestampType = 'LogAppendTime';
    input.logAppendTime = c.logAppendTime;
  }
  if (c.extraLastOffsetDelta !== undefined) input.lastOffsetDelta = Math.max(previous, 0) + c.extraLastOffsetDelta;
  return { input, offsetDeltas };
}

const headersOf = (headers: readonly RecordHeader[] | undefined) => (headers ?? []).map((h) => [h.key, hex(h.value)]);

function expectDecodedToMatch(batch: DecodedBatch, c: BatchCase, offsetDeltas: number[], bytes: Uint8Array): void {
  const n = c.records.length;
  const lastDelta = n > 0 ? offsetDeltas[n - 1]! : 0;
  const lastOffsetDelta =
    c.extraLastOffsetDelta === undefined ? lastDelta : Math.max(lastDelta, 0) + c.extraLastOffsetDelta;
  const maxTimestamp = c.logAppendTime ?? (n > 0 ? Math.max(...c.records.map((r) => r.timestamp)) : -1);
  expect(batch).toMatchObject({
    baseOffset: c.baseOffset,
    batchLength: bytes.length - 12,
    sizeInBytes: bytes.length,
    partitionLeaderEpoch: c.partitionLeaderEpoch ?? -1,
    magic: 2,
    compression: c.compression,
    timestampType: c.logAppendTime === undefined ? 'CreateTime' : 'LogAppendTime',
    isTransactional: c.producer?.isTransactional ?? false,
    isControl: c.isControl,
    hasDeleteHorizon: c.deleteHorizonMs !== undefined,
    lastOffsetDelta,
    lastOffset: c.baseOffset + lastOffsetDelta,
    baseTimestamp: c.deleteHorizonMs ?? (n > 0 ? c.records[0]!.timestamp : -1),
    maxTimestamp,
    producerId: c.producer?.producerId ?? -1,
    producerEpoch: c.producer?.producerEpoch ?? -1,
    baseSequence: c.producer?.baseSequence ?? -1,
    recordCount: n,
  });
  expect(batch.records).toHaveLength(n);
  batch.records.forEach((record, i) => {
    const original = c.records[i]!;
    expect(record.offset).toBe(c.baseOffset + offsetDeltas[i]!);
    expect(record.timestamp).toBe(c.logAppendTime === undefined ? original.timestamp : maxTimestamp);
    expect(hex(record.key)).toBe(hex(original.key));
    expect(hex(record.value)).toBe(hex(original.value));
    expect(headersOf(record.headers)).toEqual(headersOf(original.headers));
  });
}

describe('RecordBatch v2 round trips', () => {
  it('should decode what it encoded when given any batch', () => {
    fc.assert(
      fc.property(batchArb, (c) => {
        const { input, offsetDeltas } = toInput(c);
        const bytes = encodeRecordBatch(input);
        expect(verifyBatchCrc(bytes)).toBe(true);
        expectDecodedToMatch(decodeRecordBatch(bytes), c, offsetDeltas, bytes);
        expectDecodedToMatch(decodeRecordBatch(bytes, { verifyCrc: false }), c, offsetDeltas, bytes);
        const { records: _, ...header } = decodeRecordBatch(bytes);
        expect(readBatchHeader(bytes)).toEqual(header);
      }),
      { numRuns: 300 },
    );
  });

  it('should re-encode a decoded batch to the same bytes when its records keep their offsets', () => {
    fc.assert(
      fc.property(batchArb, (c) => {
        const { input } = toInput({ ...c, logAppendTime: undefined });
        const bytes = encodeRecordBatch(input);
        const batch = decodeRecordBatch(bytes);
        const again = encodeRecordBatch({
          baseOffset: batch.baseOffset,
          records: batch.records.map((r) => ({
            key: r.key,
            value: r.value,
            timestamp: r.timestamp,
            headers: r.headers,
            offsetDelta: r.offset - batch.baseOffset,
          })),
          partitionLeaderEpoch: batch.partitionLeaderEpoch,
          producerId: batch.producerId,
          producerEpoch: batch.producerEpoch,
          baseSequence: batch.baseSequence,
          isTransactional: batch.isTransactional,
          isControl: batch.isControl,
          compression: batch.compression,
          timestampType: batch.timestampType,
          lastOffsetDelta: batch.lastOffsetDelta,
          deleteHorizonMs: batch.hasDeleteHorizon ? batch.baseTimestamp : undefined,
        });
        expect(hex(again)).toBe(hex(bytes));
      }),
      { numRuns: 200 },
    );
  });

  it("should keep a compacted batch's gaps and last offset when re-encoding survivors", () => {
    const bytes = encodeRecordBatch({
      baseOffset: 100,
      lastOffsetDelta: 9,
      records: [
        { key: utf8('a'), value: utf8('1'), timestamp: 10, offsetDelta: 2 },
        { key: utf8('b'), value: null, timestamp: 11, offsetDelta: 7 },
      ],
    });
    const batch = decodeRecordBatch(bytes);
    expect(batch.records.map((r) => r.offset)).toEqual([102, 107]);
    expect(batch.lastOffset).toBe(109);
    expect(batch.records[1]!.value).toBeNull();
  });

  it('should encode and decode an empty batch when compaction removed every record', () => {
    const bytes = encodeRecordBatch({
      baseOffset: 40,
      records: [],
      lastOffsetDelta: 4,
      producerId: 3,
      producerEpoch: 1,
      baseSequence: 20,
    });
    expect(bytes.length).toBe(RECORD_BATCH_OVERHEAD);
    const batch = decodeRecordBatch(bytes);
    expect(batch).toMatchObject({
      recordCount: 0,
      records: [],
      lastOffset: 44,
      baseTimestamp: -1,
      maxTimestamp: -1,
      producerId: 3,
    });
  });

  it('should give records without a timestamp the defaultTimestamp, byte for byte as if they had it', () => {
    const given = encodeRecordBatch({
      baseOffset: 0,
      records: [
        { key: null, value: utf8('a'), timestamp: 1_000 },
        { key: null, value: utf8('b'), timestamp: 900 },
      ],
    });
    const defaulted = encodeRecordBatch({
      baseOffset: 0,
      defaultTimestamp: 1_000,
      records: [
        { key: null, value: utf8('a') } as unknown as RecordInput,
        { key: null, value: utf8('b'), timestamp: 900 },
      ],
    });
    expect(Buffer.from(defaulted).equals(Buffer.from(given))).toBe(true);
    expect(decodeRecordBatch(defaulted).records.map((r) => r.timestamp)).toEqual([1_000, 900]);
    expect(() =>
      encodeRecordBatch({ baseOffset: 0, records: [{ key: null, value: null } as unknown as RecordInput] }),
    ).toThrow(/timestamp must be a safe integer/);
    expect(() => encodeRecordBatch({ baseOffset: 0, defaultTimestamp: 1.5, records: [] })).toThrow(/defaultTimestamp/);
  });

  it('should share one frozen empty headers array when records have no headers', () => {
    const bytes = encodeRecordBatch({
      baseOffset: 0,
      records: [
        { key: null, value: utf8('a'), timestamp: 0 },
        { key: null, value: utf8('b'), timestamp: 0, headers: [] },
      ],
    });
    const [a, b] = decodeRecordBatch(bytes).records;
    expect(a!.headers).toBe(b!.headers);
    expect(Object.isFrozen(a!.headers)).toBe(true);
  });

  it('should return Buffer views of the input when decoding an uncompressed batch', () => {
    const bytes = encodeRecordBatch({
      baseOffset: 0,
      records: [{ key: utf8('key'), value: utf8('value'), timestamp: 0 }],
    });
    const record = decodeRecordBatch(bytes).records[0]!;
    expect(Buffer.isBuffer(record.key)).toBe(true);
    expect(Buffer.isBuffer(record.value)).toBe(true);
    expect(record.key!.buffer).toBe(bytes.buffer);
    expect(record.value!.buffer).toBe(bytes.buffer);
  });

  it('should decode only the batch when the buffer holds more bytes after it', () => {
    const one = encodeRecordBatch({ baseOffset: 0, records: [{ key: null, value: utf8('1'), timestamp: 0 }] });
    const two = encodeRecordBatch({ baseOffset: 1, records: [{ key: null, value: utf8('2'), timestamp: 0 }] });
    const both = Buffer.concat([one, two]);
    const first = decodeRecordBatch(both);
    expect(first.sizeInBytes).toBe(one.length);
    expect(decodeRecordBatch(both.subarray(first.sizeInBytes)).records[0]!.offset).toBe(1);
    expect(verifyBatchCrc(both)).toBe(true);
  });

  it("should decode from a view that does not start at its ArrayBuffer's first byte", () => {
    const bytes = encodeRecordBatch({ baseOffset: 7, records: [{ key: utf8('k'), value: utf8('v'), timestamp: 1 }] });
    const padded = new Uint8Array(bytes.length + 13);
    padded.set(bytes, 13);
    const record = decodeRecordBatch(padded.subarray(13)).records[0]!;
    expect(hex(record.key)).toBe(hex(utf8('k')));
    expect(hex(record.value)).toBe(hex(utf8('v')));
  });

  it('should round-trip header keys when they are not ASCII or are long', () => {
    const headers = [
      { key: 'trace-ñ-☃-😀', value: null },
      { key: 'x'.repeat(100), value: utf8('long') },
      { key: '\uFEFFbom-first', value: Uint8Array.of() },
      { key: '', value: utf8('empty key') },
    ];
    const bytes = encodeRecordBatch({ baseOffset: 0, records: [{ key: null, value: null, timestamp: 0, headers }] });
    expect(headersOf(decodeRecordBatch(bytes).records[0]!.headers)).toEqual(headersOf(headers));
  });
});

describe('RecordBatch v2 offsets and timestamps set by the log', () => {
  const batchAtZero = () =>
    encodeRecordBatch({
      baseOffset: 0,
      records: [
        { key: null, value: utf8('a'), timestamp: 5 },
        { key: null, value: utf8('b'), timestamp: 9 },
      ],
    });

  it('should move every offset without touching the CRC when the base offset is set in place', () => {
    const bytes = batchAtZero();
    const crcBefore = readBatchHeader(bytes).crc;
    expect(setBaseOffset(bytes, 2 ** 40)).toBe(bytes);
    const batch = decodeRecordBatch(bytes);
    expect(batch.crc).toBe(crcBefore);
    expect(batch.records.map((r) => r.offset)).toEqual([2 ** 40, 2 ** 40 + 1]);
    expect(batch.lastOffset).toBe(2 ** 40 + 1);
  });

  it('should leave the original alone when the base offset is set on a copy', () => {
    const bytes = batchAtZero();
    const moved = withBaseOffset(bytes, 77);
    expect(readBatchHeader(bytes).baseOffset).toBe(0);
    expect(decodeRecordBatch(moved).records[0]!.offset).toBe(77);
  });

  it('should throw INVALID_RECORD when the new base offset is not a safe integer >= 0', () => {
    for (const bad of [-1, 1.5, 2 ** 53, Number.NaN, Number.MAX_SAFE_INTEGER]) {
      expect(errorOf(() => setBaseOffset(batchAtZero(), bad)).code).toBe('INVALID_RECORD');
    }
  });

  it('should stamp every record with the append time when LogAppendTime is set in place', () => {
    const bytes = batchAtZero();
    setLogAppendTime(bytes, 1234);
    expect(verifyBatchCrc(bytes)).toBe(true);
    const batch = decodeRecordBatch(bytes);
    expect(batch.timestampType).toBe('LogAppendTime');
    expect(batch.maxTimestamp).toBe(1234);
    expect(batch.records.map((r) => r.timestamp)).toEqual([1234, 1234]);
  });
});

describe('RecordBatch v2 input validation', () => {
  const record = { key: null, value: null, timestamp: 0 };
  const invalid: [string, BatchInput][] = [
    ['a negative baseOffset', { baseOffset: -1, records: [record] }],
    ['an unsafe baseOffset', { baseOffset: 2 ** 53, records: [record] }],
    ['a fractional baseOffset', { baseOffset: 0.5, records: [record] }],
    ['an unsafe timestamp', { baseOffset: 0, records: [{ ...record, timestamp: 2 ** 60 }] }],
    ['a NaN timestamp', { baseOffset: 0, records: [{ ...record, timestamp: Number.NaN }] }],
    [
      'timestamps too far apart',
      {
        baseOffset: 0,
        records: [
          { ...record, timestamp: -(2 ** 52) },
          { ...record, timestamp: 2 ** 52 },
        ],
      },
    ],
    ['an unsafe producerId', { baseOffset: 0, records: [record], producerId: 2 ** 63 }],
    [
      'a producerEpoch above int16',
      { baseOffset: 0, records: [record], producerId: 1, producerEpoch: 40_000, baseSequence: 0 },
    ],
    [
      'a baseSequence above int32',
      { baseOffset: 0, records: [record], producerId: 1, producerEpoch: 0, baseSequence: 2 ** 31 },
    ],
    ['a producerId without an epoch', { baseOffset: 0, records: [record], producerId: 1, baseSequence: 0 }],
    ['a producerId without a sequence', { baseOffset: 0, records: [record], producerId: 1, producerEpoch: 0 }],
    ['a transactional batch without a producerId', { baseOffset: 0, records: [record], isTransactional: true }],
    [
      'offset deltas that do not increase',
      {
        baseOffset: 0,
        records: [
          { ...record, offsetDelta: 3 },
          { ...record, offsetDelta: 3 },
        ],
      },
    ],
    ['a negative offsetDelta', { baseOffset: 0, records: [{ ...record, offsetDelta: -1 }] }],
    ['a lastOffsetDelta below the last record', { baseOffset: 0, records: [record, record], lastOffsetDelta: 0 }],
    ['a partitionLeaderEpoch above int32', { baseOffset: 0, records: [record], partitionLeaderEpoch: 2 ** 31 }],
    ['a negative deleteHorizonMs', { baseOffset: 0, records: [record], deleteHorizonMs: -5 }],
  ];

  it.each(invalid)('should throw INVALID_RECORD when given %s', (_, input) => {
    expect(errorOf(() => encodeRecordBatch(input)).code).toBe('INVALID_RECORD');
  });

  it('should throw TypeError when a key, value or header has the wrong type', () => {
    const bad = [
      { key: 'k' as unknown as Uint8Array, value: null, timestamp: 0 },
      { key: null, value: [1, 2] as unknown as Uint8Array, timestamp: 0 },
      { key: null, value: null, timestamp: 0, headers: [{ key: 1 as unknown as string, value: null }] },
      { key: null, value: null, timestamp: 0, headers: [{ key: 'h', value: 'v' as unknown as Uint8Array }] },
    ];
    for (const r of bad) expect(() => encodeRecordBatch({ baseOffset: 0, records: [r] })).toThrow(TypeError);
    expect(() => encodeRecordBatch({ baseOffset: 0, records: 'nope' as unknown as RecordInput[] })).toThrow(TypeError);
  });

  it('should bound the bytes a record adds to a batch when estimating its size', () => {
    fc.assert(
      fc.property(recordArb, timestampArb, fc.nat(2 ** 31 - 1), (r, base, offsetDelta) => {
        const timestamp = r.timestamp;
        // deleteHorizonMs makes the timestamp delta as large as the arbitrary allows.
        const deleteHorizonMs = Math.max(0, base);
        const record: RecordInput = { key: r.key, value: r.value, timestamp, headers: r.headers, offsetDelta };
        const bytes = encodeRecordBatch({ baseOffset: 0, records: [record], deleteHorizonMs });
        expect(bytes.length - RECORD_BATCH_OVERHEAD).toBeLessThanOrEqual(estimateRecordSize(record));
      }),
    );
  });
});

describe('RecordBatch v2 compression', () => {
  it('should compress the records section only when the codec is gzip', () => {
    const records = Array.from({ length: 50 }, (_, i) => ({
      key: utf8(`key-${i}`),
      value: Buffer.alloc(200, 'a'),
      timestamp: i,
    }));
    const plain = encodeRecordBatch({ baseOffset: 0, records });
    const gzipped = encodeRecordBatch({ baseOffset: 0, records, compression: 'gzip' });
    expect(gzipped.length).toBeLessThan(plain.length / 5);
    expect(Buffer.from(gzipped).readInt32BE(57)).toBe(50); // the count stays uncompressed
    expect([gzipped[61], gzipped[62]]).toEqual([0x1f, 0x8b]);
    expect(decodeRecordBatch(gzipped).records.map((r) => hex(r.value))).toEqual(records.map((r) => hex(r.value)));
  });

  it.each(['snappy', 'lz4', 'zstd'] as const)(
    'should compress the records section with %s and read it back',
    (codec) => {
      const records = Array.from({ length: 50 }, (_, i) => ({
        key: utf8(`key-${i}`),
        value: Buffer.alloc(200, 'a'),
        timestamp: i,
      }));
      const plain = encodeRecordBatch({ baseOffset: 0, records });
      const compressed = encodeRecordBatch({ baseOffset: 0, records, compression: codec });
      expect(compressed.length).toBeLessThan(plain.length / 5);
      expect(Buffer.from(compressed).readInt32BE(57)).toBe(50); // the count stays uncompressed
      expect(readBatchHeader(compressed).compression).toBe(codec);
      expect(decodeRecordBatch(compressed).records.map((r) => hex(r.value))).toEqual(records.map((r) => hex(r.value)));
    },
  );

  it.each([
    ['snappy', 2],
    ['lz4', 3],
    ['zstd', 4],
  ] as const)('should throw CORRUPT_MESSAGE with context when a %s batch holds bytes that are not %s', (codec, id) => {
    const bytes = Buffer.from(
      encodeRecordBatch({ baseOffset: 12, records: [{ key: null, value: utf8('v'), timestamp: 0 }] }),
    );
    bytes.writeInt16BE(id, 21);
    fixCrc(bytes);
    const err = errorOf(() => decodeRecordBatch(bytes, { context: { topic: 'orders', partition: 2 } }));
    expect(err.code).toBe('CORRUPT_MESSAGE');
    expect(err.context).toMatchObject({ topic: 'orders', partition: 2, offset: 12 });
    // The header alone is still readable: the log can index and expire such a batch.
    expect(readBatchHeader(bytes).compression).toBe(codec);
  });

  it('should throw UNSUPPORTED_COMPRESSION_TYPE when the codec id is unassigned', () => {
    for (const id of [5, 6, 7]) {
      const bytes = Buffer.from(
        encodeRecordBatch({ baseOffset: 12, records: [{ key: null, value: utf8('v'), timestamp: 0 }] }),
      );
      bytes.writeInt16BE(id, 21);
      fixCrc(bytes);
      expect(errorOf(() => decodeRecordBatch(bytes)).code).toBe('UNSUPPORTED_COMPRESSION_TYPE');
      expect(errorOf(() => readBatchHeader(bytes, { topic: 't' })).context).toMatchObject({ topic: 't', offset: 12 });
    }
  });

  it('should throw CORRUPT_MESSAGE when the gzip stream is damaged behind a valid CRC', () => {
    const bytes = Buffer.from(
      encodeRecordBatch({
        baseOffset: 3,
        compression: 'gzip',
        records: [{ key: null, value: utf8('hello'), timestamp: 0 }],
      }),
    );
    bytes[bytes.length - 6]! ^= 0xff; // inside the gzip trailer's CRC-32
    fixCrc(bytes);
    const err = errorOf(() => decodeRecordBatch(bytes, { context: { topic: 't', partition: 0 } }));
    expect(err.code).toBe('CORRUPT_MESSAGE');
    expect(err.offset).toBe(3);
  });
});

describe('RecordBatch v2 corruption', () => {
  const context = { topic: 'orders', partition: 3 };
  const sample = () =>
    Buffer.from(
      encodeRecordBatch({
        baseOffset: 500,
        records: [
          { key: utf8('alpha'), value: utf8('one'), timestamp: 1000, headers: [{ key: 'h', value: utf8('x') }] },
          { key: null, value: utf8('two'.repeat(20)), timestamp: 1001 },
          { key: utf8('gamma'), value: null, timestamp: 1002 },
        ],
      }),
    );

  it('should throw CORRUPT_MESSAGE naming topic, partition and offset when a byte under the CRC flips', () => {
    const clean = sample();
    for (let i = 17; i < clean.length; i++) {
      const bytes = Buffer.from(clean);
      bytes[i]! ^= 0x5a;
      const err = errorOf(() => decodeRecordBatch(bytes, { context }));
      expect(err.code).toBe('CORRUPT_MESSAGE');
      expect(err.context).toMatchObject({ topic: 'orders', partition: 3, offset: 500 });
      expect(err.topic).toBe('orders');
      expect(err.partition).toBe(3);
      expect(err.offset).toBe(500);
      expect(err.message).toContain('orders-3');
      expect(verifyBatchCrc(bytes)).toBe(false);
    }
  });

  it('should say the CRC did not match when a record byte flips', () => {
    const bytes = sample();
    bytes[80]! ^= 0x01;
    expect(errorOf(() => decodeRecordBatch(bytes, { context })).message).toMatch(/CRC32C mismatch/);
  });

  it('should throw CORRUPT_MESSAGE when the buffer is cut anywhere', () => {
    const clean = sample();
    for (let length = 0; length < clean.length; length++) {
      const err = errorOf(() => decodeRecordBatch(clean.subarray(0, length), { context }));
      expect(err.code).toBe('CORRUPT_MESSAGE');
      expect(verifyBatchCrc(clean.subarray(0, length))).toBe(false);
      if (length < RECORD_BATCH_OVERHEAD)
        expect(errorOf(() => readBatchHeader(clean.subarray(0, length))).code).toBe('CORRUPT_MESSAGE');
    }
  });

  it('should throw CORRUPT_MESSAGE when the records are cut and the header is made consistent again', () => {
    const clean = sample();
    for (let length = RECORD_BATCH_OVERHEAD; length < clean.length; length++) {
      const bytes = Buffer.from(clean.subarray(0, length));
      bytes.writeInt32BE(length - 12, 8);
      fixCrc(bytes);
      for (const verifyCrc of [true, false]) {
        expect(errorOf(() => decodeRecordBatch(bytes, { verifyCrc, context })).code).toBe('CORRUPT_MESSAGE');
      }
    }
  });

  it('should throw CORRUPT_MESSAGE when the magic byte is not 2', () => {
    for (const magic of [0, 1, 3, 0xff]) {
      const bytes = sample();
      bytes[16] = magic;
      const err = errorOf(() => decodeRecordBatch(bytes, { context }));
      expect(err.code).toBe('CORRUPT_MESSAGE');
      expect(err.message).toMatch(/magic/);
      expect(errorOf(() => readBatchHeader(bytes, context)).context).toMatchObject({ topic: 'orders', offset: 500 });
    }
  });

  it('should throw CORRUPT_MESSAGE when batchLength disagrees with the buffer', () => {
    for (const batchLength of [-1, 0, 48, 10_000, 2 ** 31 - 1]) {
      const bytes = sample();
      bytes.writeInt32BE(batchLength, 8);
      expect(errorOf(() => decodeRecordBatch(bytes)).code).toBe('CORRUPT_MESSAGE');
      expect(errorOf(() => readBatchHeader(bytes)).code).toBe('CORRUPT_MESSAGE');
    }
  });

  it('should throw CORRUPT_MESSAGE when the record count does not match the records', () => {
    for (const count of [0, 2, 4, 1000, 2 ** 31 - 1, -1]) {
      const bytes = sample();
      bytes.writeInt32BE(count, 57);
      fixCrc(bytes);
      expect(errorOf(() => decodeRecordBatch(bytes, { context })).code).toBe('CORRUPT_MESSAGE');
    }
  });

  it('should throw CORRUPT_MESSAGE when an int64 in the header exceeds 2^53', () => {
    for (const at of [0, 27, 35, 43]) {
      const bytes = sample();
      bytes.writeBigInt64BE(2n ** 60n, at);
      fixCrc(bytes);
      expect(errorOf(() => decodeRecordBatch(bytes)).code).toBe('CORRUPT_MESSAGE');
      expect(errorOf(() => readBatchHeader(bytes)).code).toBe('CORRUPT_MESSAGE');
    }
  });

  it('should throw CORRUPT_MESSAGE when a key length overruns its record and the CRC is not checked', () => {
    const bytes = sample();
    // First record: length varint at 61, attributes 62, timestampDelta 63, offsetDelta 64, key length 65.
    bytes[65] = 0x7e; // keyLength 63, far past the record
    expect(errorOf(() => decodeRecordBatch(bytes, { verifyCrc: false, context })).code).toBe('CORRUPT_MESSAGE');
  });

  it('should only ever throw CORRUPT_MESSAGE or UNSUPPORTED_COMPRESSION_TYPE when random bytes change behind a valid CRC', () => {
    const clean = sample();
    const gzipped = Buffer.from(
      encodeRecordBatch({
        baseOffset: 9,
        compression: 'gzip',
        records: [{ key: utf8('k'), value: utf8('v'.repeat(40)), timestamp: 1 }],
      }),
    );
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (useGzip, edits, verifyCrc) => {
          const bytes = Buffer.from(useGzip ? gzipped : clean);
          for (const { at, value } of edits) bytes[21 + (at % (bytes.length - 21))] = value;
          fixCrc(bytes);
          try {
            decodeRecordBatch(bytes, { verifyCrc, context });
          } catch (err) {
            expect(err).toBeInstanceOf(TributaryError);
            expect(['CORRUPT_MESSAGE', 'UNSUPPORTED_COMPRESSION_TYPE']).toContain((err as TributaryError).code);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('should throw TypeError when given something that is not bytes', () => {
    expect(() => decodeRecordBatch('batch' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => readBatchHeader(null as unknown as Uint8Array)).toThrow(TypeError);
    expect(verifyBatchCrc(undefined as unknown as Uint8Array)).toBe(false);
  });
});
