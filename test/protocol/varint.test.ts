import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../src/errors.ts';
import {
  type Cursor,
  readVarint,
  readVarlong,
  sizeOfVarint,
  sizeOfVarlong,
  writeVarint,
  writeVarlong,
} from '../../src/protocol/varint.ts';

// Reference zigzag varlong encoder on BigInt: slow but obviously right, to hold the number-based
// one to it.
function referenceVarlong(value: bigint): number[] {
  let z = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  const out: number[] = [];
  while (z >= 0x80n) {
    out.push(Number(z & 0x7fn) | 0x80);
    z >>= 7n;
  }
  out.push(Number(z));
  return out;
}

function encodeVarint(value: number): number[] {
  const buf = new Uint8Array(5);
  return [...buf.subarray(0, writeVarint(buf, 0, value))];
}

function encodeVarlong(value: number): number[] {
  const buf = new Uint8Array(10);
  return [...buf.subarray(0, writeVarlong(buf, 0, value))];
}

function expectCorrupt(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TributaryError);
    expect((err as TributaryError).code).toBe('CORRUPT_MESSAGE');
    return;
  }
  expect.unreachable('expected CORRUPT_MESSAGE');
}

// Kafka's ByteUtilsTest.testVarintSerde table.
const KAFKA_VARINTS: [number, number[]][] = [
  [0, [0x00]],
  [-1, [0x01]],
  [1, [0x02]],
  [63, [0x7e]],
  [-64, [0x7f]],
  [64, [0x80, 0x01]],
  [-65, [0x81, 0x01]],
  [8191, [0xfe, 0x7f]],
  [-8192, [0xff, 0x7f]],
  [8192, [0x80, 0x80, 0x01]],
  [-8193, [0x81, 0x80, 0x01]],
  [1048575, [0xfe, 0xff, 0x7f]],
  [-1048576, [0xff, 0xff, 0x7f]],
  [1048576, [0x80, 0x80, 0x80, 0x01]],
  [-1048577, [0x81, 0x80, 0x80, 0x01]],
  [134217727, [0xfe, 0xff, 0xff, 0x7f]],
  [-134217728, [0xff, 0xff, 0xff, 0x7f]],
  [134217728, [0x80, 0x80, 0x80, 0x80, 0x01]],
  [-134217729, [0x81, 0x80, 0x80, 0x80, 0x01]],
  [2147483647, [0xfe, 0xff, 0xff, 0xff, 0x0f]],
  [-2147483648, [0xff, 0xff, 0xff, 0xff, 0x0f]],
];

// Kafka's ByteUtilsTest.testVarlongSerde rows inside the safe-integer range.
const KAFKA_VARLONGS: [number, number[]][] = [
  [17179869183, [0xfe, 0xff, 0xff, 0xff, 0x7f]],
  [-17179869184, [0xff, 0xff, 0xff, 0xff, 0x7f]],
  [17179869184, [0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
  [-17179869185, [0x81, 0x80, 0x80, 0x80, 0x80, 0x01]],
  [2199023255551, [0xfe, 0xff, 0xff, 0xff, 0xff, 0x7f]],
  [-2199023255552, [0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]],
  [2199023255552, [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
  [-2199023255553, [0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
  [281474976710655, [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]],
  [-281474976710656, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]],
  [281474976710656, [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
  [-281474976710657, [0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
];

// Kafka's rows past 2^53: valid int64 varlongs that no JS number holds exactly.
const KAFKA_UNSAFE_VARLONGS: number[][] = [
  [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], // 36028797018963967
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], // -36028797018963968
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], // 36028797018963968
  [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // Long.MAX_VALUE
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // Long.MIN_VALUE
];

describe('varint', () => {
  it.each(KAFKA_VARINTS)('should encode %d as Kafka does', (value, bytes) => {
    expect(encodeVarint(value)).toEqual(bytes);
    expect(sizeOfVarint(value)).toBe(bytes.length);
    const cursor: Cursor = { offset: 0 };
    expect(readVarint(Uint8Array.from(bytes), cursor)).toBe(value);
    expect(cursor.offset).toBe(bytes.length);
  });

  it('should round-trip every int32 when read back from any position', () => {
    fc.assert(
      fc.property(fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.nat(8), (value, at) => {
        const buf = new Uint8Array(at + 5);
        const end = writeVarint(buf, at, value);
        expect(end - at).toBe(sizeOfVarint(value));
        expect([...buf.subarray(at, end)]).toEqual(referenceVarlong(BigInt(value)));
        const cursor = { offset: at };
        expect(readVarint(buf, cursor)).toBe(value);
        expect(cursor.offset).toBe(end);
      }),
    );
  });

  it('should throw CORRUPT_MESSAGE when a varint has a sixth byte', () => {
    expectCorrupt(() => readVarint(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0x01), { offset: 0 }));
  });

  it('should throw CORRUPT_MESSAGE when a varint runs past the limit', () => {
    expectCorrupt(() => readVarint(Uint8Array.of(0x80), { offset: 0 }));
    expectCorrupt(() => readVarint(Uint8Array.of(0x80, 0x01), { offset: 0 }, 1));
    expectCorrupt(() => readVarint(new Uint8Array(0), { offset: 0 }));
  });
});

describe('varlong', () => {
  it.each([...KAFKA_VARINTS, ...KAFKA_VARLONGS])('should encode %d as Kafka does', (value, bytes) => {
    expect(encodeVarlong(value)).toEqual(bytes);
    expect(sizeOfVarlong(value)).toBe(bytes.length);
    const cursor: Cursor = { offset: 0 };
    expect(readVarlong(Uint8Array.from(bytes), cursor)).toBe(value);
    expect(cursor.offset).toBe(bytes.length);
  });

  it('should round-trip every safe integer, matching a BigInt reference encoder', () => {
    const safe = fc.oneof(
      fc.bigInt({ min: -(2n ** 53n - 1n), max: 2n ** 53n - 1n }).map(Number),
      fc.integer({ min: -0x80000000, max: 0x7fffffff }),
      fc.constantFrom(
        Number.MAX_SAFE_INTEGER,
        -Number.MAX_SAFE_INTEGER,
        2 ** 31,
        -(2 ** 31) - 1,
        2 ** 30,
        -(2 ** 30) - 1,
      ),
    );
    fc.assert(
      fc.property(safe, (value) => {
        const bytes = encodeVarlong(value);
        expect(bytes).toEqual(referenceVarlong(BigInt(value)));
        expect(sizeOfVarlong(value)).toBe(bytes.length);
        const cursor = { offset: 0 };
        expect(readVarlong(Uint8Array.from(bytes), cursor)).toBe(value);
        expect(cursor.offset).toBe(bytes.length);
      }),
    );
  });

  it('should throw CORRUPT_MESSAGE when a varlong is outside the safe-integer range', () => {
    for (const bytes of KAFKA_UNSAFE_VARLONGS) expectCorrupt(() => readVarlong(Uint8Array.from(bytes), { offset: 0 }));
    expectCorrupt(() => readVarlong(Uint8Array.from(referenceVarlong(2n ** 53n)), { offset: 0 }));
    expectCorrupt(() => readVarlong(Uint8Array.from(referenceVarlong(-(2n ** 53n))), { offset: 0 }));
  });

  it('should throw CORRUPT_MESSAGE when a varlong has an eleventh byte', () => {
    const bytes = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    expectCorrupt(() => readVarlong(Uint8Array.from(bytes), { offset: 0 }));
  });

  it('should throw CORRUPT_MESSAGE when a varlong is cut short', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 53n - 1n), max: 2n ** 53n - 1n }), (value) => {
        const bytes = referenceVarlong(value);
        for (let cut = 0; cut < bytes.length; cut++) {
          expectCorrupt(() => readVarlong(Uint8Array.from(bytes), { offset: 0 }, cut));
        }
      }),
      { numRuns: 200 },
    );
  });
});
