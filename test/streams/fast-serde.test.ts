import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serde/index.ts';
import {
  decodedExactly,
  fastSerde,
  longOfTimestamped,
  timestampedLongBytes,
} from '../../src/streams/internal/fast-serde.ts';
import { StreamsBuilder } from '../../src/streams/index.ts';
import { TopologyTestDriver } from '../../src/streams/testing/index.ts';
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

  it('should read bytes it never made of every length up to and past 24 as Serdes.String does', () => {
    const fast = fastSerde(Serdes.String());
    const ascii = 'the-quick-brown-fox-jumps-over';
    for (let n = 0; n <= ascii.length; n++) {
      // Fresh bytes each time, read from inside a larger buffer (as a record's key is).
      const within = Buffer.from(`[${ascii.slice(0, n)}]`);
      const bytes = within.subarray(1, 1 + n);
      expect(fast.deserialize('t', bytes)).toBe(ascii.slice(0, n));
      // Up to 24 bytes the ASCII read is known to round-trip; past that the general decoder reads.
      expect(decodedExactly()).toBe(n <= 24);
      const accented = Buffer.from(`é${ascii.slice(0, n)}`);
      expect(fast.deserialize('t', accented)).toBe(Serdes.String().deserialize('t', accented));
    }
  });

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

  it.each([
    ['ASCII', Buffer.from('user-42'), true],
    ['long ASCII', Buffer.from('x'.repeat(40)), false],
    ['UTF-8', Buffer.from('héllo'), false],
    ['BOM-led', Buffer.from([0xef, 0xbb, 0xbf, 0x61]), false],
  ])('should say whether a decoded %s string encodes back to the same bytes', (_what, bytes, exact) => {
    const fast = fastSerde(Serdes.String());
    const s = fast.deserialize('t', bytes)!;
    expect(decodedExactly()).toBe(exact);
    if (exact) expect(Buffer.compare(Serdes.String().serialize('t', s)!, bytes)).toBe(0);
  });

  it('should say a memoized string decodes exactly, and one that does not round-trip is not memoized as such', () => {
    const fast = fastSerde(Serdes.String());
    const bytes = fast.serialize('t', 'héllo wörld')!;
    fast.deserialize('t', bytes);
    expect(decodedExactly()).toBe(true);
    fast.deserialize('t', fast.serialize('t', 'a\uD800b')!);
    expect(decodedExactly()).toBe(false);
  });

  // A sink writing the key its source just read takes the source's bytes when they are exactly
  // the key's encoding; otherwise it serializes the key, as Kafka Streams always does.
  it.each([
    ['ASCII', Buffer.from('user-1'), Buffer.from('user-1')],
    ['UTF-8', Buffer.from('clé'), Buffer.from('clé')],
    ['BOM-led', Buffer.from([0xef, 0xbb, 0xbf, 0x61]), Buffer.from([0xef, 0xbb, 0xbf, 0x61])],
  ])('should write a passed-through %s String key as Serdes.String serializes it', (_what, input, expected) => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
      .filter(() => true)
      .to('out', { keySerde: Serdes.String(), valueSerde: Serdes.String() });
    const driver = new TopologyTestDriver(builder.build());
    try {
      const bytes = Serdes.ByteArray();
      const inTopic = driver.createInputTopic('in', bytes, Serdes.String());
      const out = driver.createOutputTopic('out', bytes, Serdes.String());
      inTopic.pipeInput(Buffer.from('plain'), 'first');
      inTopic.pipeInput(input, 'second');
      // A key made by a processor with the same text as the last source key gets the same bytes.
      inTopic.pipeInput(Buffer.from('plain'), 'third');
      const got = out.readKeyValuesToList().map((kv) => [Buffer.from(kv.key!).toString('hex'), kv.value]);
      expect(got).toEqual([
        [Buffer.from('plain').toString('hex'), 'first'],
        [expected.toString('hex'), 'second'],
        [Buffer.from('plain').toString('hex'), 'third'],
      ]);
    } finally {
      driver.close();
    }
  });

  it('should leave other serdes alone', () => {
    const json = Serdes.Json();
    expect(fastSerde(json)).toBe(json);
  });
});
