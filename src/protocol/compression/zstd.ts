/**
 * Zstandard, with Node's own zlib where it has it (Node 22.15 / 23.8 and later) and two
 * libraries on older Nodes (Node 20 is this package's floor):
 * - decompression: `fzstd`, pure JavaScript (by the author of fflate), whose streaming decoder hands
 *   out output a block at a time, so the running total is checked against the limit as it grows and
 *   frames without a declared content size (Java's streaming writer) decode too;
 * - compression: `@bokuweb/zstd-wasm`, zstd's C library compiled to WebAssembly and shipped inside
 *   the package; its wasm is loaded once, when this module is first imported.
 *
 * Both read and write standard zstd frames (magic 28 b5 2f fd), what Kafka's clients exchange.
 */

import * as zlib from 'node:zlib';
import { TributaryError } from '../../errors.ts';

type Sync = (data: Uint8Array, limit: number) => Uint8Array;

interface NodeZstd {
  zstdCompressSync(data: Uint8Array): Buffer;
  zstdDecompressSync(data: Uint8Array, options: { maxOutputLength: number }): Buffer;
}

const native = typeof (zlib as unknown as Partial<NodeZstd>).zstdCompressSync === 'function' ? (zlib as unknown as NodeZstd) : undefined;

/** Which implementation this process uses: 'node:zlib' or 'fzstd + @bokuweb/zstd-wasm'. */
export const ZSTD_IMPLEMENTATION = native ? 'node:zlib' : 'fzstd + @bokuweb/zstd-wasm';

let wasmCompress: ((data: Uint8Array, level?: number) => Uint8Array) | undefined;
let jsDecompress: Sync | undefined;

if (!native) {
  // Why top-level await: record batches are compressed synchronously, so the wasm must be ready
  // before the first call; loading it here keeps every caller synchronous.
  const wasm = await import('@bokuweb/zstd-wasm');
  await wasm.init();
  wasmCompress = wasm.compress;
  const { Decompress } = await import('fzstd');
  jsDecompress = (data, limit) => {
    const chunks: Uint8Array[] = [];
    let total = 0;
    const stream = new Decompress((chunk) => {
      total += chunk.length;
      if (total > limit) throw tooLarge(data.length, limit);
      chunks.push(chunk);
    });
    stream.push(data, true);
    return Buffer.concat(chunks, total);
  };
}

/**
 * Compresses `data` into one zstd frame (level 3, zstd's default).
 *
 * @example
 * zstdCompress(records).readUInt32LE(0) === 0xfd2fb528; // true
 */
export function zstdCompress(data: Uint8Array): Buffer {
  if (native) return native.zstdCompressSync(data);
  const out = wasmCompress!(data, 3);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * Decompresses zstd frames. Throws `CORRUPT_MESSAGE` when the bytes are not zstd or decompress to
 * more than `limit` bytes.
 *
 * @example
 * zstdDecompress(zstdCompress(Buffer.from('abc')), 1 << 20).toString(); // 'abc'
 */
export function zstdDecompress(data: Uint8Array, limit: number): Buffer {
  // Some decoders take no bytes for no frames; a records section always holds a frame.
  if (data.length === 0) throw new TributaryError('CORRUPT_MESSAGE', 'Zstd: no frame');
  try {
    if (native) return native.zstdDecompressSync(data, { maxOutputLength: limit });
    const out = jsDecompress!(data, limit);
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  } catch (cause) {
    if (cause instanceof TributaryError) throw cause;
    if ((cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(data.length, limit, cause);
    throw new TributaryError('CORRUPT_MESSAGE', `Zstd: the data cannot be decompressed: ${(cause as Error).message}`, { cause });
  }
}

function tooLarge(size: number, limit: number, cause?: unknown): TributaryError {
  return new TributaryError('CORRUPT_MESSAGE', `The zstd-compressed records (${size} bytes) decompress to more than ${limit} bytes; refusing a batch that large`, {
    size,
    limit,
    ...(cause === undefined ? {} : { cause }),
  });
}
