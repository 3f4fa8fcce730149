import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../src/errors.ts';
import { Serdes } from '../../src/serde/index.ts';

const hex = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('hex'));

describe('Serdes', () => {
  it('should write the bytes Kafka writes', () => {
    expect(hex(Serdes.String().serialize('t', 'héllo'))).toBe(Buffer.from('héllo').toString('hex'));
    expect(hex(Serdes.Long().serialize('t', 3n))).toBe('0000000000000003');
    expect(hex(Serdes.Long().serialize('t', -1n))).toBe('ffffffffffffffff');
    expect(hex(Serdes.LongNumber().serialize('t', 258))).toBe('0000000000000102');
    expect(hex(Serdes.Integer().serialize('t', -2))).toBe('fffffffe');
    expect(hex(Serdes.Double().serialize('t', 1.5))).toBe('3ff8000000000000');
    expect(hex(Serdes.Json().serialize('t', { a: [1, 'x'] }))).toBe(Buffer.from('{"a":[1,"x"]}').toString('hex'));
  });

  it("should keep a leading byte-order mark in String text, as Kafka's StringDeserializer does, and skip it in JSON", () => {
    const bom = [0xef, 0xbb, 0xbf];
    const text = new Uint8Array([...bom, 0x61]);
    expect(Serdes.String().deserialize('t', text)).toBe('\uFEFFa');
    expect(hex(Serdes.String().serialize('t', Serdes.String().deserialize('t', text)))).toBe('efbbbf61');
    expect(Serdes.Json().deserialize('t', new Uint8Array([...bom, ...Buffer.from('{"a":1}')]))).toEqual({ a: 1 });
  });

  it.each([
    ['String', Serdes.String()],
    ['Long', Serdes.Long()],
    ['LongNumber', Serdes.LongNumber()],
    ['Integer', Serdes.Integer()],
    ['Double', Serdes.Double()],
    ['ByteArray', Serdes.ByteArray()],
    ['Json', Serdes.Json()],
  ] as const)('should pass null through %s both ways, so a tombstone stays a tombstone', (_name, serde) => {
    expect(serde.serialize('t', null)).toBeNull();
    expect(serde.deserialize('t', null)).toBeNull();
  });

  it('should round-trip any value of each type', () => {
    fc.assert(
      fc.property(fc.string(), (s) => Serdes.String().deserialize('t', Serdes.String().serialize('t', s)) === s),
    );
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        (n) => Serdes.Long().deserialize('t', Serdes.Long().serialize('t', n)) === n,
      ),
    );
    fc.assert(
      fc.property(fc.integer(), (n) => Serdes.Integer().deserialize('t', Serdes.Integer().serialize('t', n)) === n),
    );
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (n) =>
        Object.is(Serdes.Double().deserialize('t', Serdes.Double().serialize('t', n)), n),
      ),
    );
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(Serdes.Json().deserialize('t', Serdes.Json().serialize('t', v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
  });

  it.each([
    ['Long', () => Serdes.Long().deserialize('orders', new Uint8Array(7))],
    ['Integer', () => Serdes.Integer().deserialize('orders', new Uint8Array(8))],
    ['Integer out of range', () => Serdes.Integer().serialize('orders', 2 ** 31)],
    ['String of invalid UTF-8', () => Serdes.String().deserialize('orders', new Uint8Array([0xff, 0xfe]))],
    ['Json of bad text', () => Serdes.Json().deserialize('orders', new TextEncoder().encode('{nope'))],
    [
      'LongNumber beyond 2^53',
      () => Serdes.LongNumber().deserialize('orders', Serdes.Long().serialize('orders', 2n ** 60n)),
    ],
    ['String of a number', () => Serdes.String().serialize('orders', 5 as never)],
  ])('should refuse bad input (%s) with SERIALIZATION_ERROR naming the topic', (_name, call) => {
    try {
      call();
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(TributaryError);
      expect((err as TributaryError).code).toBe('SERIALIZATION_ERROR');
    }
  });
});
