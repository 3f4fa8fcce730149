/**
 * CRC-32C (Castagnoli), the checksum of a Kafka RecordBatch v2. The native SIMD implementation of
 * `@node-rs/crc32` does the work when its prebuilt binary loads on this platform; when it does not
 * (an unsupported platform, a missing optional dependency), a table-driven implementation in
 * plain JS takes over so the log still opens, only slower.
 */

import { createRequire } from 'node:module';

/** Computes a CRC-32C, continuing from `initial` (the CRC of the bytes before, 0 to start). */
export type Crc32cFunction = (bytes: Uint8Array, initial?: number) => number;

/** Which implementation {@link crc32c} uses in this process. */
export type Crc32cImplementation = 'native' | 'js';

// Reflected form of the Castagnoli polynomial 0x1EDC6F41.
const POLYNOMIAL = 0x82f63b78;

// Eight 256-entry tables for slicing-by-8: eight input bytes per step instead of one.
const TABLES = buildTables();

function buildTables(): Int32Array {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let k = 1; k < 8; k++) {
      c = (c >>> 8) ^ t[c & 0xff]!;
      t[k * 256 + n] = c;
    }
  }
  return t;
}

/**
 * CRC-32C in plain JS (slicing-by-8). Same contract as {@link crc32c}; exported so tests can hold
 * the native implementation to it, and for code that must not depend on a native module.
 *
 * @example
 * crc32cJs(new TextEncoder().encode('123456789')); // 0xe3069283
 */
export function crc32cJs(bytes: Uint8Array, initial = 0): number {
  const t = TABLES;
  let crc = ~initial;
  const n = bytes.length;
  const end8 = n - (n & 7);
  let i = 0;
  for (; i < end8; i += 8) {
    const lo = crc ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    const hi = bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24);
    crc =
      t[1792 + (lo & 0xff)]! ^
      t[1536 + ((lo >>> 8) & 0xff)]! ^
      t[1280 + ((lo >>> 16) & 0xff)]! ^
      t[1024 + (lo >>> 24)]! ^
      t[768 + (hi & 0xff)]! ^
      t[512 + ((hi >>> 8) & 0xff)]! ^
      t[256 + ((hi >>> 16) & 0xff)]! ^
      t[hi >>> 24]!;
  }
  for (; i < n; i++) crc = t[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

/**
 * Picks the CRC-32C implementation: the `crc32c` export of what `loadNative` returns when that
 * works, else {@link crc32cJs}. The module calls it on the first checksum with a loader that requires
 * `@node-rs/crc32`; tests call it with a failing loader to exercise the fallback.
 *
 * @example
 * const { crc32c, implementation } = selectCrc32c(() => { throw new Error('no binary'); });
 * implementation; // 'js'
 */
export function selectCrc32c(loadNative: () => unknown): {
  crc32c: Crc32cFunction;
  implementation: Crc32cImplementation;
} {
  let native: ((input: Uint8Array, initialState?: number) => number) | undefined;
  try {
    const mod = loadNative() as { crc32c?: unknown } | null | undefined;
    if (typeof mod?.crc32c === 'function') native = mod.crc32c as typeof native;
  } catch {
    native = undefined;
  }
  if (native === undefined) return { crc32c: crc32cJs, implementation: 'js' };
  const fn = native;
  return { crc32c: (bytes, initial = 0) => fn(bytes, initial), implementation: 'native' };
}

/** The implementation, picked on the first checksum (the native addon loads then, not at import). */
let selected: { crc32c: Crc32cFunction; implementation: Crc32cImplementation } | undefined;

function select(): { crc32c: Crc32cFunction; implementation: Crc32cImplementation } {
  selected ??= selectCrc32c(() => createRequire(import.meta.url)('@node-rs/crc32'));
  return selected;
}

/**
 * CRC-32C of `bytes` as an unsigned 32-bit number. Pass the CRC of earlier bytes as `initial` to
 * continue a checksum over several pieces: `crc32c(b, crc32c(a))` equals the CRC of `a` then `b`.
 * The first call loads `@node-rs/crc32` (about 5 ms of CPU), so that `import 'tributary'` does not.
 *
 * @example
 * crc32c(new TextEncoder().encode('123456789')); // 0xe3069283
 */
export const crc32c: Crc32cFunction = (bytes, initial = 0) => (selected ?? select()).crc32c(bytes, initial);

/**
 * `'native'` when `@node-rs/crc32` loaded, `'js'` when {@link crc32c} falls back to plain JS (loading
 * it first if no checksum was taken yet). Worth logging at startup: the JS fallback is several times
 * slower on large batches.
 *
 * @example
 * if (crc32cImplementation() === 'js') logger.warn('CRC-32C falls back to JS');
 */
export function crc32cImplementation(): Crc32cImplementation {
  return select().implementation;
}
