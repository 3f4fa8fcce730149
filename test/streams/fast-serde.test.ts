import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serde/index.ts';
import { fastSerde } from '../../src/streams/internal/fast-serde.ts';

describe('fast paths of the built-in serdes', () => {
  it.each([0, 1, 255, 65535, 65536, 2 ** 31, 2 ** 32 - 1, 2 ** 32, -1, -(2 ** 31), -(2 ** 32), 2 ** 53 - 1, -(2 ** 53 - 1), 123456789012])(
    'should write and read the same bytes as Serdes.LongNumber for %d',
    (v) => {
      const bytes = Serdes.LongNumber().serialize('t', v)!;
      expect(Buffer.compare(fastSerde(Serdes.LongNumber()).serialize('t', v)!, bytes)).toBe(0);
      expect(fastSerde(Serdes.LongNumber()).deserialize('t', bytes)).toBe(v);
    },
  );

  it.each(['', 'a', 'hello', 'héllo', 'x'.repeat(30), '日本', 'a\u0000b'])('should write and read the same bytes as Serdes.String for %j', (v) => {
    const bytes = Serdes.String().serialize('t', v)!;
    expect(Buffer.compare(fastSerde(Serdes.String()).serialize('t', v)!, bytes)).toBe(0);
    expect(fastSerde(Serdes.String()).deserialize('t', bytes)).toBe(v);
  });

  it('should leave other serdes alone', () => {
    const json = Serdes.Json();
    expect(fastSerde(json)).toBe(json);
  });
});
