import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../../src/errors.ts';
import { Reader } from '../../../src/protocol/wire/reader.ts';
import { Writer } from '../../../src/protocol/wire/writer.ts';

const bytes = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return e instanceof TributaryError ? e.code : `not a TributaryError: ${String(e)}`;
  }
  return undefined;
};

describe('Reader and Writer', () => {
  it('should write primitives big-endian as Kafka does', () => {
    const w = new Writer(4);
    w.int8(-1);
    w.int16(-2);
    w.uint16(65535);
    w.int32(-3);
    w.uint32(0xfffffffe);
    w.int64(-4);
    w.int64(2 ** 53 - 1);
    w.float64(1.5);
    w.bool(true);
    expect(w.finish().toString('hex')).toBe(
      'ff' +
        'fffe' +
        'ffff' +
        'fffffffd' +
        'fffffffe' +
        'fffffffffffffffc' +
        '001fffffffffffff' +
        '3ff8000000000000' +
        '01',
    );
  });

  it('should read back what it writes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        fc.maxSafeInteger(),
        fc.string(),
        fc.uint8Array({ maxLength: 50 }),
        (i, l, s, b) => {
          const w = new Writer(1);
          w.int32(i);
          w.int64(l);
          w.varint(i);
          w.varlong(l);
          w.uvarint(i >>> 0);
          w.string(s);
          w.compactString(s);
          w.bytes(b);
          w.compactBytes(b);
          const r = new Reader(w.finish());
          expect([r.int32(), r.int64(), r.varint(), r.varlong(), r.uvarint(), r.string(), r.compactString()]).toEqual([
            i,
            l,
            i,
            l,
            i >>> 0,
            s,
            s,
          ]);
          expect([...r.bytes()!]).toEqual([...b]);
          expect([...r.compactBytes()!]).toEqual([...b]);
          expect(r.remaining).toBe(0);
        },
      ),
    );
  });

  it('should encode Kafka-sized varints and compact lengths', () => {
    const w = new Writer();
    w.uvarint(0);
    w.uvarint(127);
    w.uvarint(128);
    w.uvarint(0xffffffff);
    w.varint(-1);
    w.varint(1);
    w.varlong(-1);
    w.compactString(null);
    w.compactString('');
    w.arrayLength(null, true);
    w.arrayLength(null, false);
    expect(w.finish().toString('hex')).toBe(
      '00' + '7f' + '8001' + 'ffffffff0f' + '01' + '02' + '01' + '00' + '01' + '00' + 'ffffffff',
    );
  });

  it('should map UUIDs to base64url and back', () => {
    const w = new Writer();
    w.uuid('AAAAAAAAAAAAAAAAAAAAAA');
    w.uuid(Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex').toString('base64url'));
    const r = new Reader(w.finish());
    expect(r.uuid()).toBe('AAAAAAAAAAAAAAAAAAAAAA');
    expect(Buffer.from(r.uuid(), 'base64url').toString('hex')).toBe('0102030405060708090a0b0c0d0e0f10');
    expect(code(() => new Writer().uuid('short'))).toBe('INVALID_REQUEST');
  });

  it('should return byte fields as views of the input, not copies', () => {
    const frame = bytes('00000003 616263');
    const b = new Reader(frame).bytes()!;
    expect(b.buffer).toBe(frame.buffer);
    expect(b.byteOffset).toBe(frame.byteOffset + 4);
  });

  it('should decode int64 sentinels outside ±2^53 without throwing', () => {
    expect(new Reader(bytes('7fffffffffffffff')).int64()).toBe(2 ** 63);
    expect(new Reader(bytes('8000000000000000')).int64()).toBe(-(2 ** 63));
    const w = new Writer();
    w.int64(2 ** 63);
    expect(w.finish().toString('hex')).toBe('7fffffffffffffff');
  });

  it.each([
    ['a truncated int32', () => new Reader(bytes('000000')).int32()],
    ['a string longer than the frame', () => new Reader(bytes('0005 6162')).string()],
    ['a negative string length other than -1', () => new Reader(bytes('fffe')).string(true)],
    ['a null string where none is allowed', () => new Reader(bytes('ffff')).string(false)],
    ['a compact string longer than the frame', () => new Reader(bytes('0a 6162')).compactString()],
    ['bytes longer than the frame', () => new Reader(bytes('7fffffff 00')).bytes()],
    ['negative bytes length', () => new Reader(bytes('80000000')).bytes(true)],
    ['an array count the frame cannot hold', () => new Reader(bytes('7fffffff 00000000')).arrayLength(false, false, 4)],
    ['a compact array count the frame cannot hold', () => new Reader(bytes('ffffffff0f')).arrayLength(true, false, 1)],
    ['a negative array length', () => new Reader(bytes('fffffffe')).arrayLength(false, true, 1)],
    ['a null array where none is allowed', () => new Reader(bytes('ffffffff')).arrayLength(false, false, 1)],
    ['an unsigned varint over 32 bits', () => new Reader(bytes('ffffffff1f')).uvarint()],
    ['a truncated varint', () => new Reader(bytes('ff')).uvarint()],
    ['a varlong over 10 bytes', () => new Reader(bytes('ffffffffffffffffffff01')).varlong()],
    ['a truncated uuid', () => new Reader(bytes('0001')).uuid()],
  ])('should throw CORRUPT_MESSAGE on %s', (_what, fn) => {
    expect(code(fn)).toBe('CORRUPT_MESSAGE');
  });

  it('should accept -1 as null where nullable', () => {
    expect(new Reader(bytes('ffff')).string(true)).toBeNull();
    expect(new Reader(bytes('00')).compactString(true)).toBeNull();
    expect(new Reader(bytes('ffffffff')).bytes(true)).toBeNull();
    expect(new Reader(bytes('ffffffff')).arrayLength(false, true, 1)).toBe(-1);
  });

  it('should refuse strings over 32767 bytes', () => {
    expect(code(() => new Writer().string('x'.repeat(40000)))).toBe('INVALID_REQUEST');
  });

  it('should keep large byte fields by reference and still produce the same bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer(), fc.integer({ min: 0, max: 6000 })), { maxLength: 20 }), (plan) => {
        const parts: Buffer[] = plan.map((n, i) =>
          n >= 0 && n <= 6000 && i % 2 === 1 ? Buffer.alloc(n, i) : Buffer.alloc(0),
        );
        const a = new Writer(8, 4);
        const b = new Writer(8, 4);
        for (const [i, n] of plan.entries()) {
          for (const w of [a, b]) {
            w.int32(n);
            w.bytes(parts[i]!);
          }
        }
        const whole = a.finish();
        const chunks = b.finishChunks();
        expect(Buffer.concat(chunks).equals(whole)).toBe(true);
        expect(whole.length).toBe(b.length);
        for (const p of parts) if (p.length > Writer.INLINE_MAX) expect(chunks).toContain(p);
        const r = new Reader(whole, 4);
        for (const [i, n] of plan.entries()) {
          expect(r.int32()).toBe(n);
          expect(r.bytes()!.equals(parts[i]!)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});
