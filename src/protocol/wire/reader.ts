/**
 * A bounds-checked reader of Kafka protocol primitives over one Buffer.
 *
 * Every read checks the bytes it needs against `end` first and throws `TributaryError`
 * `CORRUPT_MESSAGE` when they are not there, so a truncated frame or a lying length never becomes a
 * `RangeError` or an out-of-bounds read. Lengths are checked against the remaining bytes *before*
 * anything is allocated: a string, bytes or array length that claims more than the frame holds is
 * refused, whatever it says.
 *
 * `bytes()` and `records()` return `subarray` views of the input (no copy): the caller keeps the
 * frame alive as long as it keeps the slices, which is what the broker wants for record batches.
 *
 * @example
 * const r = new Reader(Buffer.from('0001000000020003616263', 'hex'));
 * r.int16(); // 1
 * r.int32(); // 2
 * r.string(); // 'abc'
 */

import { TributaryError } from '../../errors.ts';

const TWO_32 = 4294967296;

/** The error every decoding failure raises: `CORRUPT_MESSAGE` with what was being read. */
export function corrupt(message: string): TributaryError {
  return new TributaryError('CORRUPT_MESSAGE', message);
}

export class Reader {
  /** The buffer read from. */
  readonly buf: Buffer;
  /** The next byte to read. */
  pos: number;
  /** One past the last readable byte; narrowed while a tagged field is read. */
  end: number;

  constructor(buf: Buffer, pos = 0, end: number = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  /** Bytes left before `end`. */
  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): number {
    const p = this.pos;
    if (n > this.end - p)
      throw corrupt(`Truncated message: ${what} needs ${n} bytes, ${this.end - p} left at offset ${p}`);
    this.pos = p + n;
    return p;
  }

  int8(): number {
    return this.buf.readInt8(this.need(1, 'int8'));
  }

  bool(): boolean {
    return this.buf[this.need(1, 'bool')] !== 0;
  }

  int16(): number {
    return this.buf.readInt16BE(this.need(2, 'int16'));
  }

  uint16(): number {
    return this.buf.readUInt16BE(this.need(2, 'uint16'));
  }

  int32(): number {
    return this.buf.readInt32BE(this.need(4, 'int32'));
  }

  uint32(): number {
    return this.buf.readUInt32BE(this.need(4, 'uint32'));
  }

  /**
   * An int64 as a JS number. Exact within ±2^53 (every offset, id and timestamp); outside it the
   * nearest double, so a Java client's `Long.MAX_VALUE` sentinel still decodes.
   */
  int64(): number {
    const p = this.need(8, 'int64');
    return this.buf.readInt32BE(p) * TWO_32 + this.buf.readUInt32BE(p + 4);
  }

  float64(): number {
    return this.buf.readDoubleBE(this.need(8, 'float64'));
  }

  /** A 16-byte UUID in Kafka's base64url form without padding (22 characters). */
  uuid(): string {
    const p = this.need(16, 'uuid');
    return this.buf.toString('base64url', p, p + 16);
  }

  /** An unsigned varint of at most 32 bits (compact lengths, tags, tagged-field sizes). */
  uvarint(): number {
    const buf = this.buf;
    let pos = this.pos;
    let value = 0;
    let shift = 0;
    for (;;) {
      if (pos >= this.end) throw corrupt(`Truncated message: unsigned varint at offset ${this.pos}`);
      const b = buf[pos++]!;
      if (shift === 28) {
        // The fifth byte may carry only the top 4 bits of a 32-bit value.
        if (b > 0x0f) throw corrupt(`Unsigned varint longer than 32 bits at offset ${this.pos}`);
        value += b * 0x10000000;
        break;
      }
      value |= (b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7;
    }
    this.pos = pos;
    return value >>> 0;
  }

  /** A zigzag varint (int32). */
  varint(): number {
    const raw = this.uvarint();
    return (raw >>> 1) ^ -(raw & 1);
  }

  /** A zigzag varlong, exact within ±2^53. */
  varlong(): number {
    const buf = this.buf;
    let pos = this.pos;
    let value = 0;
    let mul = 1;
    for (let i = 0; ; i++) {
      if (pos >= this.end) throw corrupt(`Truncated message: varlong at offset ${this.pos}`);
      if (i === 7) return this.bigVarlong();
      const b = buf[pos++]!;
      value += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 128;
    }
    this.pos = pos;
    // Up to 49 bits, so plain arithmetic is exact: even → value/2, odd → -(value+1)/2.
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  }

  /** The slow path of {@link varlong} for values of 8 to 10 bytes. */
  private bigVarlong(): number {
    let pos = this.pos;
    let raw = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (pos >= this.end) throw corrupt(`Truncated message: varlong at offset ${this.pos}`);
      if (shift === 70n) throw corrupt(`Varlong longer than 10 bytes at offset ${this.pos}`);
      const b = this.buf[pos++]!;
      raw |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    this.pos = pos;
    raw = BigInt.asUintN(64, raw);
    return Number((raw >> 1n) ^ -(raw & 1n));
  }

  /** A length-prefixed region: checks `len` against what is left, returns its start. */
  private region(len: number, what: string): number {
    if (len > this.end - this.pos) {
      throw corrupt(`${what} length ${len} exceeds the ${this.end - this.pos} bytes left at offset ${this.pos}`);
    }
    const p = this.pos;
    this.pos = p + len;
    return p;
  }

  /** A string with an int16 length; -1 (null) only when `nullable`. */
  string(nullable = false): string | null {
    const len = this.int16();
    return this.stringBody(len, nullable);
  }

  /** A compact string: unsigned varint length + 1, 0 is null. */
  compactString(nullable = false): string | null {
    return this.stringBody(this.uvarint() - 1, nullable);
  }

  private stringBody(len: number, nullable: boolean): string | null {
    if (len < 0) {
      if (len === -1 && nullable) return null;
      throw corrupt(
        len === -1 ? `Null string where none is allowed at offset ${this.pos}` : `Negative string length ${len}`,
      );
    }
    const p = this.region(len, 'String');
    return this.buf.toString('utf8', p, p + len);
  }

  /** Bytes with an int32 length; -1 (null) only when `nullable`. A view, not a copy. */
  bytes(nullable = false): Buffer | null {
    return this.bytesBody(this.int32(), nullable);
  }

  /** Compact bytes: unsigned varint length + 1, 0 is null. A view, not a copy. */
  compactBytes(nullable = false): Buffer | null {
    return this.bytesBody(this.uvarint() - 1, nullable);
  }

  private bytesBody(len: number, nullable: boolean): Buffer | null {
    if (len < 0) {
      if (len === -1 && nullable) return null;
      throw corrupt(
        len === -1 ? `Null bytes where none is allowed at offset ${this.pos}` : `Negative bytes length ${len}`,
      );
    }
    const p = this.region(len, 'Bytes');
    return this.buf.subarray(p, p + len);
  }

  /**
   * An array length (int32, or compact: unsigned varint + 1). Returns -1 for null (only when
   * `nullable`). Refuses a count that the remaining bytes cannot hold at `minElementSize` bytes
   * each, so a lying count never allocates.
   */
  arrayLength(compact: boolean, nullable: boolean, minElementSize: number): number {
    const n = compact ? this.uvarint() - 1 : this.int32();
    if (n < 0) {
      if (n === -1 && nullable) return -1;
      throw corrupt(n === -1 ? `Null array where none is allowed at offset ${this.pos}` : `Negative array length ${n}`);
    }
    if (n * Math.max(1, minElementSize) > this.end - this.pos) {
      throw corrupt(`Array of ${n} elements cannot fit in the ${this.end - this.pos} bytes left at offset ${this.pos}`);
    }
    return n;
  }

  /** Moves past `n` bytes (an unknown tagged field). */
  skip(n: number): void {
    this.region(n, 'Tagged field');
  }
}
