/**
 * Snappy as Kafka clients write it, over the `snappy` package (napi-rs bindings of the Rust `snap`
 * crate, prebuilt per platform, no install script).
 *
 * Two forms reach a broker:
 * - **xerial framing**, which the Java client writes (snappy-java's `SnappyOutputStream`):
 *   ```
 *   header   0x82 'SNAPPY' 0x00 (8 bytes), version int32 BE (1), compatible version int32 BE (1)
 *   blocks   compressed length int32 BE, then one raw snappy block of it; repeated
 *   ```
 * - **raw snappy**, one block (librdkafka and kafkajs-snappy write this):
 *   ```
 *   uncompressed length   unsigned varint
 *   elements              literals and copies
 *   ```
 * Reading tells them apart by the xerial magic and takes either. Writing uses xerial framing in
 * 32 KiB blocks, as the Java client does, since every client reads it.
 *
 * Decompression is bounded without decompressing: every raw block starts with its uncompressed
 * length, so the total is known, and checked against the limit, before any output is allocated.
 */

import { createRequire } from 'node:module';
import { TributaryError } from '../../errors.ts';

// Required on first use rather than imported: the native addon is a few ms of `import 'tributary'`
// that programs without snappy batches never need.
let addon: typeof import('snappy') | undefined;
function snappy(): typeof import('snappy') {
  addon ??= createRequire(import.meta.url)('snappy') as typeof import('snappy');
  return addon;
}

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;
const XERIAL_BLOCK_SIZE = 32 * 1024;

/**
 * Compresses `data` in xerial framing (Java's form).
 *
 * @example
 * const framed = snappyCompress(records); // starts with 82 53 4e 41 50 50 59 00
 */
export function snappyCompress(data: Uint8Array): Buffer {
  const parts: Buffer[] = [Buffer.alloc(XERIAL_HEADER_SIZE)];
  XERIAL_MAGIC.copy(parts[0]!, 0);
  parts[0]!.writeInt32BE(1, 8);
  parts[0]!.writeInt32BE(1, 12);
  for (let off = 0; off < data.length || off === 0; off += XERIAL_BLOCK_SIZE) {
    const block = snappy().compressSync(data.subarray(off, Math.min(data.length, off + XERIAL_BLOCK_SIZE)));
    const len = Buffer.allocUnsafe(4);
    len.writeInt32BE(block.length, 0);
    parts.push(len, block);
    if (data.length === 0) break;
  }
  return Buffer.concat(parts);
}

/**
 * Decompresses xerial-framed or raw snappy. Throws `CORRUPT_MESSAGE` when the bytes are not snappy
 * or would decompress to more than `limit` bytes.
 *
 * @example
 * snappyDecompress(snappyCompress(Buffer.from('abc')), 1 << 20).toString(); // 'abc'
 */
export function snappyDecompress(data: Uint8Array, limit: number): Buffer {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length >= XERIAL_MAGIC.length && buf.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC))
    return xerial(buf, limit);
  checkTotal(rawLength(buf), limit, buf.length);
  return rawBlock(buf);
}

function xerial(buf: Buffer, limit: number): Buffer {
  if (buf.length < XERIAL_HEADER_SIZE) throw corrupt('the xerial snappy header is truncated');
  // First pass: every block's bounds and uncompressed length, so a bomb is refused before any work.
  const blocks: Buffer[] = [];
  let total = 0;
  for (let pos = XERIAL_HEADER_SIZE; pos < buf.length; ) {
    if (buf.length - pos < 4) throw corrupt(`a xerial block length is truncated at offset ${pos}`);
    const len = buf.readInt32BE(pos);
    pos += 4;
    if (len < 0 || len > buf.length - pos)
      throw corrupt(`a xerial block of ${len} bytes overruns the data at offset ${pos}`);
    const block = buf.subarray(pos, pos + len);
    total += rawLength(block);
    checkTotal(total, limit, buf.length);
    blocks.push(block);
    pos += len;
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const block of blocks) at += rawBlock(block).copy(out, at);
  return out;
}

/** The uncompressed length a raw block declares (its leading unsigned varint). */
function rawLength(block: Buffer): number {
  let value = 0;
  for (let i = 0, shift = 0; ; i++, shift += 7) {
    if (i >= block.length || i === 5) throw corrupt('the snappy length preamble is truncated or too long');
    const b = block[i]!;
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return value;
  }
}

function rawBlock(block: Buffer): Buffer {
  try {
    return snappy().uncompressSync(block, { asBuffer: true }) as Buffer;
  } catch (cause) {
    throw corrupt(`the snappy data cannot be decompressed: ${(cause as Error).message}`, cause);
  }
}

function checkTotal(total: number, limit: number, size: number): void {
  if (total > limit) {
    throw new TributaryError(
      'CORRUPT_MESSAGE',
      `The snappy-compressed records (${size} bytes) decompress to more than ${limit} bytes; refusing a batch that large`,
      {
        size,
        limit,
      },
    );
  }
}

function corrupt(what: string, cause?: unknown): TributaryError {
  return new TributaryError('CORRUPT_MESSAGE', `Snappy: ${what}`, cause === undefined ? {} : { cause });
}
