import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serde/index.ts';
import { fastSerde, longOfTimestamped, timestampedLongBytes } from '../../src/streams/internal/fast-serde.ts';
import { timestampedBytes } from '../../src/streams/state/value-and-timestamp.ts';

describe('fast paths of the built-in serdes', () => {
  it.each([
    0,
    1,
    255,
    65535,
    65536,
    2 ** 31,
    2 ** 32 - 1,
    2 ** 32,
    -1,
    -(2 ** 31),
    -(2 ** 32),
    2 ** 53 - 1,
    -(2 ** 53 - 1),
    123456789012,
  ])('should write and read the same bytes as Serdes.LongNumber for %d', (v) => {
    const bytes = Serdes.LongNumber().serialize('t', v)!;
    expect(Buffer.compare(fastSerde(Serdes.LongNumber()).serialize('t', v)!, bytes)).toBe(0);
    expect(fastSerde(Serdes.LongNumber()).deserialize('t', bytes)).toBe(v);
  });

  it.each(['', 'a', 'hello', 'héllo', 'x'.repeat(30), '日本', 'a\u0000b'])(
    'should write and read the same bytes as Serdes.String for %j',
    (v) => {
      const bytes = Serdes.String().serialize('t', v)!;
      expect(Buffer.compare(fastSerde(Serdes.String()).serialize('t', v)!, bytes)).toBe(0);
      expect(fastSerde(Serdes.String()).deserialize('t', bytes)).toBe(v);
    },
  );

  it.each(['word', 'héllo', 'a\uD800b', '\uDC00'])(
    'should read its own bytes back as Serdes.String reads them, for %j',
    (v) => {
      const fast = fastSerde(Serdes.String());
      const bytes = fast.serialize('t', v)!;
      expect(fast.deserialize('t', bytes)).toBe(Serdes.String().deserialize('t', bytes));
      expect(fast.deserialize('t', Buffer.from(bytes))).toBe(Serdes.String().deserialize('t', bytes));
    },
  );

  it('should read a key and a value that are the same bytes as the same string', () => {
    const fast = fastSerde(Serdes.String());
    const bytes = fast.serialize('t', 'same')!;
    expect(fast.serialize('t', 'same')).toBe(bytes);
    expect([fast.deserialize('t', bytes), fast.deserialize('t', bytes)]).toEqual(['same', 'same']);
    expect(fast.deserialize('t', fast.serialize('t', 'other')!)).toBe('other');
  });

  // Made by Kafka 4.1.1's ValueAndTimestampSerde(Serdes.Long()).serializer(): value, timestamp, bytes.
  it.each([
    [0, 0, '00000000000000000000000000000000'],
    [1, 0, '00000000000000000000000000000001'],
    [255, 1, '000000000000000100000000000000ff'],
    [65536, 1700000000000, '0000018bcfe568000000000000010000'],
    [4294967296, -1, 'ffffffffffffffff0000000100000000'],
    [-1, 42, '000000000000002affffffffffffffff'],
    [9007199254740991, 9007199254740991, '001fffffffffffff001fffffffffffff'],
    [-9007199254740991, 123456789012, '0000001cbe991a14ffe0000000000001'],
    [123456789012, -5, 'fffffffffffffffb0000001cbe991a14'],
  ])(
    'should write a timestamped long %d at %d as Kafka ValueAndTimestampSerializer does, and read it back',
    (v, ts, hex) => {
      const bytes = timestampedLongBytes(v, ts);
      expect(Buffer.from(bytes).toString('hex')).toBe(hex);
      expect(Buffer.compare(bytes, timestampedBytes(ts, Serdes.LongNumber().serialize('t', v)!))).toBe(0);
      expect(longOfTimestamped(bytes)).toBe(v);
      expect(longOfTimestamped(Buffer.from(hex, 'hex'))).toBe(v);
    },
  );

  it('should refuse what LongNumber refuses, in a timestamped long', () => {
    expect(() => timestampedLongBytes(1.5, 0)).toThrow(/safe integer/);
    expect(() => timestampedLongBytes(2 ** 53, 0)).toThrow(/safe integer/);
    const tooBig = Buffer.from('00000000000000007fffffffffffffff', 'hex');
    expect(() => longOfTimestamped(tooBig)).toThrow(/does not fit/);
    expect(() => longOfTimestamped(Buffer.from('0000000000000000ffe0000000000000', 'hex'))).toThrow(/does not fit/);
    expect(() => longOfTimestamped(new Uint8Array(12))).toThrow();
    expect(() => fastSerde(Serdes.LongNumber()).deserialize('t', Buffer.from('ffe0000000000000', 'hex'))).toThrow(
      /does not fit/,
    );
  });

  it('should leave other serdes alone', () => {
    const json = Serdes.Json();
    expect(fastSerde(json)).toBe(json);
  });
});
