/**
 * LZ4 in the frame format, which Kafka uses for RecordBatch v2, over `lz4-napi` (napi-rs bindings of
 * the Rust `lz4_flex` crate, prebuilt per platform, no install script).
 *
 * ```
 * frame       magic 04 22 4d 18, FLG, BD, [content size u64 LE], [dict id u32 LE], HC, blocks, 0 u32, [content checksum]
 * FLG         bits 7-6 version (01), 5 block independence, 4 block checksums, 3 content size,
 *             2 content checksum, 0 dict id
 * BD          bits 6-4 block max size: 4 = 64 KiB, 5 = 256 KiB, 6 = 1 MiB, 7 = 4 MiB
 * block       size u32 LE (high bit: stored uncompressed), data, [checksum u32]
 * ```
 * Skippable frames (magic 0x184D2A50-5F, size u32 LE, data) are passed over.
 *
 * The old Kafka quirk of KAFKA-3160 (a header checksum computed over the magic too) belongs to
 * message format 0/1, whose message sets this module never sees: magic 2 batches use correct frames.
 *
 * Decompression is bounded without decompressing: a scan of the block headers gives an upper bound
 * of the output (a compressed block yields at most the frame's block max size, a stored one its own
 * size), and a frame whose bound passes the limit is refused before the library runs.
 */

import { createRequire } from 'node:module';
import { TributaryError } from '../../errors.ts';

// Required on first use rather than imported: the native addon is ~10 ms of `import 'tributary'`
// that programs without lz4 batches never need.
let addon: typeof import('lz4-napi') | undefined;
function lz4(): typeof import('lz4-napi') {
  addon ??= createRequire(import.meta.url)('lz4-napi') as typeof import('lz4-napi');
  return addon;
}

const FRAME_MAGIC = 0x184d2204;
const BLOCK_MAX: Record<number, number> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 };

/**
 * Compresses `data` into one LZ4 frame.
 *
 * @example
 * lz4Compress(records).readUInt32LE(0) === 0x184d2204; // true
 */
export function lz4Compress(data: Uint8Array): Buffer {
  return lz4().compressFrameSync(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}

/**
 * Decompresses LZ4 frames. Throws `CORRUPT_MESSAGE` when the bytes are not LZ4 frames or could
 * decompress to more than `limit` bytes.
 *
 * @example
 * lz4Decompress(lz4Compress(Buffer.from('abc')), 1 << 20).toString(); // 'abc'
 */
export function lz4Decompress(data: Uint8Array, limit: number): Buffer {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const bound = outputBound(buf);
  if (bound > limit) {
    throw new TributaryError(
      'CORRUPT_MESSAGE',
      `The lz4-compressed records (${buf.length} bytes) may decompress to ${bound} bytes, more than ${limit}; refusing a batch that large`,
      {
        size: buf.length,
        limit,
      },
    );
  }
  try {
    return lz4().decompressFrameSync(buf);
  } catch (cause) {
    throw corrupt(`the data cannot be decompressed: ${(cause as Error).message}`, cause);
  }
}

/** The most the frames in `buf` can decompress to, from their block headers alone. */
function outputBound(buf: Buffer): number {
  let pos = 0;
  let bound = 0;
  if (buf.length === 0) throw corrupt('no frame');
  while (pos < buf.length) {
    need(buf, pos, 4, 'frame magic');
    const magic = buf.readUInt32LE(pos);
    pos += 4;
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      need(buf, pos, 4, 'skippable frame size');
      pos += 4 + buf.readUInt32LE(pos);
      if (pos > buf.length) throw corrupt('a skippable frame overruns the data');
      continue;
    }
    if (magic !== FRAME_MAGIC) throw corrupt(`bad frame magic 0x${magic.toString(16)} at offset ${pos - 4}`);
    need(buf, pos, 2, 'frame descriptor');
    const flg = buf[pos]!;
    const bd = buf[pos + 1]!;
    pos += 2;
    if (flg >> 6 !== 1) throw corrupt(`unsupported frame version ${flg >> 6}`);
    const blockMax = BLOCK_MAX[(bd >> 4) & 0x07];
    if (blockMax === undefined) throw corrupt(`bad block max size id ${(bd >> 4) & 0x07}`);
    const blockChecksum = (flg & 0x10) !== 0;
    pos += ((flg & 0x08) !== 0 ? 8 : 0) + ((flg & 0x01) !== 0 ? 4 : 0) + 1;
    for (;;) {
      need(buf, pos, 4, 'block size');
      const word = buf.readUInt32LE(pos);
      pos += 4;
      if (word === 0) break;
      const size = word & 0x7fffffff;
      const stored = (word & 0x80000000) !== 0;
      if (size > blockMax) throw corrupt(`a block of ${size} bytes is over the frame's block max size ${blockMax}`);
      pos += size + (blockChecksum ? 4 : 0);
      if (pos > buf.length) throw corrupt('a block overruns the data');
      bound += stored ? size : blockMax;
    }
    if ((flg & 0x04) !== 0) pos += 4;
    if (pos > buf.length) throw corrupt('the content checksum is truncated');
  }
  return bound;
}

function need(buf: Buffer, pos: number, n: number, what: string): void {
  if (buf.length - pos < n) throw corrupt(`the ${what} is truncated at offset ${pos}`);
}

function corrupt(what: string, cause?: unknown): TributaryError {
  return new TributaryError('CORRUPT_MESSAGE', `LZ4: ${what}`, cause === undefined ? {} : { cause });
}
