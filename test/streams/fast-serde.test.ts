import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serde/index.ts';
import { fastSerde } from '../../src/streams/internal/fast-serde.ts';

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

  it('should leave other serdes alone', () => {
    const json = Serdes.Json();
    expect(fastSerde(json)).toBe(json);
  });
});
