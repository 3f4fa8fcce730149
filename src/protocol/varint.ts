/**
 * Zigzag varints, as Kafka (and Protobuf's `sint32`/`sint64`) write them: the sign goes to the low
 * bit so that small negative numbers such as -1 stay one byte long, then 7 bits a byte,
 * least-significant group first, high bit set on every byte but the last.
 *
 * `varint` is a 32-bit signed integer (at most 5 bytes). `varlong` is a 64-bit one on the wire (at
 * most 10 bytes); here it is a JS `number`, so only the safe-integer range is accepted.
 *
 * Reads take a {@link Cursor} and move it, so a decoder walks a buffer without allocating a
 * result object per field.
 */

import { TributaryError } from '../errors.ts';

/** A read position in a buffer, moved forward by every `read*` call. */
export interface Cursor {
  offset: number;
}

/**
 * The number of bytes {@link writeVarint} uses for `value`.
 *
 * @example
 * sizeOfVarint(0); // 1
 * sizeOfVarint(-1); // 1
 * sizeOfVarint(64); // 2
 */
export function sizeOfVarint(value: number): number {
  const v = ((value << 1) ^ (value >> 31)) >>> 0;
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  return 5;
}

/**
 * Writes `value` (a 32-bit signed integer) as a zigzag varint at `offset` and returns the offset
 * just after it. The caller sizes the buffer with {@link sizeOfVarint}; nothing is bounds-checked.
 *
 * @example
 * const buf = new Uint8Array(5);
 * const end = writeVarint(buf, 0, -1); // buf[0] === 1, end === 1
 */
export function writeVarint(bytes: Uint8Array, offset: number, value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  while (v >= 0x80) {
    bytes[offset++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  bytes[offset++] = v;
  return offset;
}

/**
 * Reads a zigzag varint (a 32-bit signed integer) at `cursor.offset` and moves the cursor past
 * it. `limit` (default: the end of `bytes`) is where the readable region ends.
 *
 * Throws `TributaryError` `CORRUPT_MESSAGE` when the varint runs past `limit` or is longer than
 * 5 bytes.
 *
 * @example
 * const cursor = { offset: 0 };
 * readVarint(Uint8Array.of(0x01, 0x02), cursor); // -1, cursor.offset === 1
 * readVarint(Uint8Array.of(0x01, 0x02), cursor); // 1, cursor.offset === 2
 */
export function readVarint(bytes: Uint8Array, cursor: Cursor, limit: number = bytes.length): number {
  let pos = cursor.offset;
  let raw = 0;
  let shift = 0;
  for (;;) {
    if (pos >= limit) throw truncated('varint');
    const b = bytes[pos++]!;
    raw |= (b & 0x7f) << shift;
    if (b < 0x80) break;
    shift += 7;
    // The fifth byte carries bits 28-31; a sixth would overflow an int32.
    if (shift > 28) throw new TributaryError('CORRUPT_MESSAGE', 'Varint is longer than 5 bytes');
  }
  cursor.offset = pos;
  return (raw >>> 1) ^ -(raw & 1);
}

/**
 * The number of bytes {@link writeVarlong} uses for `value` (a safe integer).
 *
 * @example
 * sizeOfVarlong(-1); // 1
 * sizeOfVarlong(Date.now()); // 6
 */
export function sizeOfVarlong(value: number): number {
  // |zigzag(value)| < 2^31 is the common case (small deltas): use int32 math for it.
  if (value >= -0x40000000 && value < 0x40000000) return sizeOfVarint(value);
  // zigzag(v) is 2v for v >= 0 and -2v-1 below; only its magnitude decides the length.
  let z = value >= 0 ? value * 2 : -value * 2 - 1;
  let size = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    size++;
  }
  return size;
}

/**
 * Writes `value` (a safe integer) as a zigzag varlong at `offset` and returns the offset just
 * after it. The caller sizes the buffer with {@link sizeOfVarlong}, and checks that `value` is a
 * safe integer; nothing is checked here.
 *
 * @example
 * const buf = new Uint8Array(10);
 * writeVarlong(buf, 0, -1); // 1: buf[0] === 1
 */
export function writeVarlong(bytes: Uint8Array, offset: number, value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return writeVarint(bytes, offset, value);
  // Past 2^31 bit operators no longer apply, so peel 7-bit groups off the zigzag value with
  // division. zigzag(-2^53) = 2^54 - 1 is not a double, so carry the sign bit apart: the groups of
  // 2|v| - 1 are those of (2|v| - 2) with the low bit set, and 2|v| - 2 is even, hence exact.
  const negative = value < 0;
  let z = negative ? -value * 2 - 2 : value * 2;
  let low = negative ? 1 : 0;
  while (z >= 128) {
    const group = z % 128;
    bytes[offset++] = group | low | 0x80;
    low = 0;
    z = (z - group) / 128;
  }
  bytes[offset++] = z | low;
  return offset;
}

/**
 * Reads a zigzag varlong at `cursor.offset` and moves the cursor past it. `limit` (default: the
 * end of `bytes`) is where the readable region ends.
 *
 * Throws `TributaryError` `CORRUPT_MESSAGE` when the varlong runs past `limit`, is longer than 10
 * bytes, or is outside the safe-integer range of a JS number.
 *
 * @example
 * const cursor = { offset: 0 };
 * readVarlong(Uint8Array.of(0x01), cursor); // -1
 */
export function readVarlong(bytes: Uint8Array, cursor: Cursor, limit: number = bytes.length): number {
  let pos = cursor.offset;
  if (pos >= limit) throw truncated('varlong');
  let b = bytes[pos++]!;
  if (b < 0x80) {
    cursor.offset = pos;
    return (b >>> 1) ^ -(b & 1);
  }
  // Build half the zigzag value, floor(z / 2), so it stays exact up to 2^53: the first group
  // gives its upper 6 bits, every later group lands one bit lower than its wire position.
  const negative = (b & 1) === 1;
  let half = (b & 0x7f) >>> 1;
  let scale = 64;
  for (let i = 1; ; i++) {
    if (pos >= limit) throw truncated('varlong');
    if (i >= 10) throw new TributaryError('CORRUPT_MESSAGE', 'Varlong is longer than 10 bytes');
    b = bytes[pos++]!;
    half += (b & 0x7f) * scale;
    if (b < 0x80) break;
    scale *= 128;
  }
  if (half > Number.MAX_SAFE_INTEGER || (negative && half >= Number.MAX_SAFE_INTEGER)) {
    throw new TributaryError('CORRUPT_MESSAGE', 'Varlong is outside the safe-integer range of a JS number');
  }
  cursor.offset = pos;
  return negative ? -half - 1 : half;
}

function truncated(what: string): TributaryError {
  return new TributaryError('CORRUPT_MESSAGE', `Buffer ends inside a ${what}`);
}
