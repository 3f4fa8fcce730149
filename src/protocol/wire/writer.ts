/**
 * A growable writer of Kafka protocol primitives. Small fields go into one scratch Buffer that
 * doubles when full; byte fields over {@link Writer.INLINE_MAX} (record sets) are not copied in but
 * kept by reference between the scratch segments. `finish()` returns one Buffer (a view of the
 * scratch when nothing was kept by reference, else one exact-size copy of everything, each record
 * byte copied once); `finishChunks()` returns the segments as they are, for a vectored socket
 * write that copies no record at all.
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
  /** Byte fields longer than this are kept by reference instead of being copied into the scratch. */
  static readonly INLINE_MAX = 1024;

  private buf: Buffer;
  private pos = 0;
  /** Where the current scratch segment starts; bytes before it are in `chunks` already. */
  private start = 0;
  private chunks: Buffer[] | undefined;
  private chunked = 0;

  /** `reserve` bytes leave room for a size prefix written later (see `header.ts`). */
  constructor(initialSize = 256, reserve = 0) {
    this.buf = Buffer.allocUnsafe(Math.max(initialSize, reserve + 16));
    this.buf.fill(0, 0, reserve);
    this.pos = reserve;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.chunked + this.pos - this.start;
  }

  /** Makes room for `n` more bytes in the scratch. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    // Segments already cut stay where they are (chunks hold views of them); only the live part moves.
    const live = this.pos - this.start;
    let size = this.buf.length;
    while (size < live + n) size *= 2;
    if (this.start === 0) size = Math.max(size, this.buf.length * 2);
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, this.start, this.pos);
    this.buf = next;
    this.pos = live;
    this.start = 0;
  }

  /** Everything written, as one Buffer (the writer must not be used afterwards). */
  finish(): Buffer {
    if (this.chunks === undefined) return this.buf.subarray(0, this.pos);
    this.cut();
    return Buffer.concat(this.chunks, this.chunked);
  }

  /**
   * Everything written, as the segments it is made of: scratch views and the large byte fields
   * themselves. Their concatenation is what {@link finish} returns. The byte fields are the
   * caller's own buffers: they must stay unchanged until the chunks are written out.
   */
  finishChunks(): Buffer[] {
    if (this.chunks === undefined) return [this.buf.subarray(0, this.pos)];
    this.cut();
    return this.chunks;
  }

  private cut(): void {
    if (this.pos > this.start) {
      (this.chunks ??= []).push(this.buf.subarray(this.start, this.pos));
      this.chunked += this.pos - this.start;
      this.start = this.pos;
    }
  }

  int8(v: number): void {
    this.ensure(1);
    this.buf.writeInt8((v << 24) >> 24, this.pos);
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
      if (Number.isNaN(v)) throw new TributaryError('INVALID_REQUEST', 'int64 field is NaN');
      let b =
        v === Number.POSITIVE_INFINITY ? INT64_MAX : v === Number.NEGATIVE_INFINITY ? INT64_MIN : BigInt(Math.trunc(v));
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
    if (n !== 16 || v.length !== 22)
      throw new TributaryError('INVALID_REQUEST', `Not a base64url UUID: ${JSON.stringify(v)}`);
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
    if (v > -(2 ** 52) && v < 2 ** 52) {
      // The zigzag value stays below 2^53: plain arithmetic is exact.
      let x = v >= 0 ? v * 2 : -v * 2 - 1;
      while (x >= 0x80) {
        this.buf[this.pos++] = (x % 128) | 0x80;
        x = Math.floor(x / 128);
      }
      this.buf[this.pos++] = x;
      return;
    }
    const b = BigInt(Math.trunc(v));
    let x = BigInt.asUintN(64, (b << 1n) ^ (b >> 63n));
    while (x >= 0x80n) {
      this.buf[this.pos++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.pos++] = Number(x);
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
    if (v.length > Writer.INLINE_MAX) {
      this.cut();
      (this.chunks ??= []).push(Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength));
      this.chunked += v.length;
      return;
    }
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
