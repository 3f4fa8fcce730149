/**
 * A growable writer of Kafka protocol primitives. It writes into one Buffer that doubles when
 * full, so encoding a message allocates a handful of buffers however many fields it has; `finish()`
 * returns a view of the bytes written.
 *
 * Values are written as given: a caller that passes a number outside a field's range gets Node's
 * wrapping of it (int8/16/32) — the schema layer checks what must be checked.
 *
 * @example
 * const w = new Writer();
 * w.int16(1);
 * w.string('abc');
 * w.finish(); // <Buffer 00 01 00 03 61 62 63>
 */

import { TributaryError } from '../../errors.ts';

const TWO_32 = 4294967296;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

export class Writer {
  buf: Buffer;
  pos = 0;

  /** `reserve` bytes leave room for a size prefix written later (see `header.ts`). */
  constructor(initialSize = 256, reserve = 0) {
    this.buf = Buffer.allocUnsafe(Math.max(initialSize, reserve + 16));
    this.pos = reserve;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** The bytes written so far (a view; the writer must not be used afterwards). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  int8(v: number): void {
    this.ensure(1);
    this.buf.writeInt8(((v << 24) >> 24), this.pos);
    this.pos += 1;
  }

  bool(v: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
  }

  int16(v: number): void {
    this.ensure(2);
    this.buf.writeInt16BE((v << 16) >> 16, this.pos);
    this.pos += 2;
  }

  uint16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v & 0xffff, this.pos);
    this.pos += 2;
  }

  int32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(v | 0, this.pos);
    this.pos += 4;
  }

  uint32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }

  /** An int64 from a JS number; exact for safe integers, clamped to the int64 range beyond. */
  int64(v: number): void {
    this.ensure(8);
    if (Number.isSafeInteger(v)) {
      const hi = Math.floor(v / TWO_32);
      this.buf.writeInt32BE(hi, this.pos);
      this.buf.writeUInt32BE(v - hi * TWO_32, this.pos + 4);
    } else {
      if (!Number.isFinite(v) && !Number.isNaN(v)) v = v > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
      if (Number.isNaN(v)) throw new TributaryError('INVALID_REQUEST', 'int64 field is NaN');
      let b = BigInt(Math.trunc(v));
      if (b > INT64_MAX) b = INT64_MAX;
      if (b < INT64_MIN) b = INT64_MIN;
      this.buf.writeBigInt64BE(b, this.pos);
    }
    this.pos += 8;
  }

  float64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  /** A UUID given in base64url form (22 characters, as {@link Reader.uuid} returns). */
  uuid(v: string): void {
    this.ensure(16);
    const n = this.buf.write(v, this.pos, 16, 'base64url');
    if (n !== 16 || v.length !== 22) throw new TributaryError('INVALID_REQUEST', `Not a base64url UUID: ${JSON.stringify(v)}`);
    this.pos += 16;
  }

  uvarint(v: number): void {
    this.ensure(5);
    let x = v >>> 0;
    while (x >= 0x80) {
      this.buf[this.pos++] = (x & 0x7f) | 0x80;
      x >>>= 7;
    }
    this.buf[this.pos++] = x;
  }

  varint(v: number): void {
    this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  /** A zigzag varlong from a safe integer. */
  varlong(v: number): void {
    this.ensure(10);
    let x = v >= 0 ? v * 2 : -v * 2 - 1;
    while (x >= 0x80) {
      this.buf[this.pos++] = (x % 128) | 0x80;
      x = Math.floor(x / 128);
    }
    this.buf[this.pos++] = x;
  }

  /** A string (int16 length), or null as length -1. */
  string(v: string | null): void {
    if (v === null) {
      this.int16(-1);
      return;
    }
    const len = Buffer.byteLength(v, 'utf8');
    if (len > 0x7fff) throw new TributaryError('INVALID_REQUEST', `String of ${len} bytes is longer than 32767`);
    this.int16(len);
    this.ensure(len);
    this.pos += this.buf.write(v, this.pos, len, 'utf8');
  }

  /** A compact string (unsigned varint length + 1), or null as 0. */
  compactString(v: string | null): void {
    if (v === null) {
      this.uvarint(0);
      return;
    }
    const len = Buffer.byteLength(v, 'utf8');
    if (len > 0x7fff) throw new TributaryError('INVALID_REQUEST', `String of ${len} bytes is longer than 32767`);
    this.uvarint(len + 1);
    this.ensure(len);
    this.pos += this.buf.write(v, this.pos, len, 'utf8');
  }

  /** Bytes (int32 length), or null as length -1. */
  bytes(v: Uint8Array | null): void {
    if (v === null) {
      this.int32(-1);
      return;
    }
    this.int32(v.length);
    this.raw(v);
  }

  /** Compact bytes (unsigned varint length + 1), or null as 0. */
  compactBytes(v: Uint8Array | null): void {
    if (v === null) {
      this.uvarint(0);
      return;
    }
    this.uvarint(v.length + 1);
    this.raw(v);
  }

  /** Bytes as they are, no length. */
  raw(v: Uint8Array): void {
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /** An array length: int32, or compact (unsigned varint + 1); null is -1 / 0. */
  arrayLength(n: number | null, compact: boolean): void {
    if (compact) this.uvarint(n === null ? 0 : n + 1);
    else this.int32(n === null ? -1 : n);
  }
}
