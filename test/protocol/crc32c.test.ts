import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c, crc32cImplementation, crc32cJs, selectCrc32c } from '../../src/protocol/crc32c.ts';

const CHECK_INPUT = new TextEncoder().encode('123456789');
// The standard CRC-32C check value (CRC catalogue, RFC 3720 appendix B.4).
const CHECK_VALUE = 0xe3069283;

describe('crc32c', () => {
  it('should use the native implementation when @node-rs/crc32 loads', () => {
    expect(crc32cImplementation()).toBe('native');
  });

  it('should give the standard check value when hashing "123456789" natively', () => {
    expect(crc32c(CHECK_INPUT)).toBe(CHECK_VALUE);
  });

  it('should give the standard check value when hashing "123456789" in JS', () => {
    expect(crc32cJs(CHECK_INPUT)).toBe(CHECK_VALUE);
  });

  it('should give 0 when hashing nothing', () => {
    expect(crc32c(new Uint8Array(0))).toBe(0);
    expect(crc32cJs(new Uint8Array(0))).toBe(0);
  });

  it('should match RFC 3720 test vectors when hashing 32 bytes of zeros, ones and a ramp', () => {
    const ramp = Uint8Array.from({ length: 32 }, (_, i) => i);
    const cases: [Uint8Array, number][] = [
      [new Uint8Array(32), 0x8a9136aa],
      [new Uint8Array(32).fill(0xff), 0x62a8ab43],
      [ramp, 0x46dd794e],
      [ramp.slice().reverse(), 0x113fdb5c],
    ];
    for (const [bytes, crc] of cases) {
      expect(crc32c(bytes)).toBe(crc);
      expect(crc32cJs(bytes)).toBe(crc);
    }
  });

  it('should agree native and JS when hashing any bytes at any alignment', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.nat(7), (bytes, skip) => {
        const view = bytes.subarray(Math.min(skip, bytes.length));
        const expected = crc32c(view);
        expect(crc32cJs(view)).toBe(expected);
        expect(expected).toBeGreaterThanOrEqual(0);
        expect(expected).toBeLessThanOrEqual(0xffffffff);
      }),
    );
  });

  it('should continue a checksum when given the CRC of the bytes before', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), fc.uint8Array({ maxLength: 500 }), (a, b) => {
        const whole = new Uint8Array(a.length + b.length);
        whole.set(a);
        whole.set(b, a.length);
        const expected = crc32c(whole);
        expect(crc32c(b, crc32c(a))).toBe(expected);
        expect(crc32cJs(b, crc32cJs(a))).toBe(expected);
      }),
    );
  });

  it('should fall back to JS when the native module fails to load', () => {
    const selected = selectCrc32c(() => {
      throw new Error('Cannot find module @node-rs/crc32-linux-x64-gnu');
    });
    expect(selected.implementation).toBe('js');
    expect(selected.crc32c).toBe(crc32cJs);
    expect(selected.crc32c(CHECK_INPUT)).toBe(CHECK_VALUE);
  });

  it('should fall back to JS when the native module has no crc32c function', () => {
    expect(selectCrc32c(() => ({})).implementation).toBe('js');
    expect(selectCrc32c(() => undefined).implementation).toBe('js');
  });

  it('should pass the initial CRC through when the native module loads', () => {
    const seen: unknown[] = [];
    const selected = selectCrc32c(() => ({
      crc32c: (input: Uint8Array, initial?: number) => {
        seen.push(initial);
        return crc32cJs(input, initial);
      },
    }));
    expect(selected.implementation).toBe('native');
    expect(selected.crc32c(CHECK_INPUT)).toBe(CHECK_VALUE);
    expect(selected.crc32c(CHECK_INPUT, 7)).toBe(crc32cJs(CHECK_INPUT, 7));
    expect(seen).toEqual([0, 7]);
  });
});
