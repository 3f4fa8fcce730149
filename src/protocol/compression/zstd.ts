/**
 * Zstandard, with Node's own zlib where it has it (Node 22.15 / 23.8 and later) and two
 * libraries on older Nodes (Node 20 is this package's floor):
 * - decompression: `fzstd`, pure JavaScript (by the author of fflate), whose streaming decoder hands
 *   out output a block at a time, so the running total is checked against the limit as it grows and
 *   frames without a declared content size (Java's streaming writer) decode too;
 * - compression: `@bokuweb/zstd-wasm`, zstd's C library compiled to WebAssembly and shipped inside
 *   the package; its wasm is loaded once, in the background from the first compression.
 *
 * Both read and write standard zstd frames (magic 28 b5 2f fd), what Kafka's clients exchange.
 *
 * ```
 * frame      magic fd2fb528 (u32 LE), FHD, [window descriptor], [dictionary id], [content size],
 *            blocks, [checksum u32]
 * FHD        bits 7-6 content size field (0: none, or 1 byte when single segment; 1: 2; 2: 4; 3: 8),
 *            5 single segment (no window descriptor), 3 reserved, 2 checksum, 1-0 dictionary id
 *            size (0, 1, 2, 4)
 * block      header u24 LE: bit 0 last, bits 1-2 type (0 raw, 1 RLE, 2 compressed, 3 reserved),
 *            bits 3-23 size; content: size bytes (raw, compressed) or 1 byte (RLE)
 * skippable  magic 0x184D2A50-5F, size u32 LE, data
 * ```
 * Before decoding, the frames' structure is walked to the end: Node's zlib returns what it decoded
 * so far, without an error, from a frame cut short, and a truncated batch must be refused, not
 * read as empty.
 */

import { createRequire } from 'node:module';
import * as zlib from 'node:zlib';
import { TributaryError } from '../../errors.ts';

type Sync = (data: Uint8Array, limit: number) => Uint8Array;

interface NodeZstd {
  zstdCompressSync(data: Uint8Array): Buffer;
  zstdDecompressSync(data: Uint8Array, options: { maxOutputLength: number }): Buffer;
}

const native =
  typeof (zlib as unknown as Partial<NodeZstd>).zstdCompressSync === 'function'
    ? (zlib as unknown as NodeZstd)
    : undefined;

/** Which implementation this process uses: 'node:zlib' or 'fzstd + @bokuweb/zstd-wasm'. */
export const ZSTD_IMPLEMENTATION = native ? 'node:zlib' : 'fzstd + @bokuweb/zstd-wasm';

let wasmCompress: ((data: Uint8Array, level?: number) => Uint8Array) | undefined;
let jsDecompress: Sync | undefined;
let wasmReady: Promise<void> | undefined;

// Why not a top-level await: a module graph holding one cannot be require()d (Node's require of ES
// modules refuses it), and `import 'tributary'` would wait for the wasm. Both libraries load on
// first use, so that programs that never see a zstd batch never load them: fzstd (plain
// JavaScript) at once on the first decompression; the wasm compressor in the background from the
// first compression (or {@link zstdReady}), and until it is ready (or if it cannot load) frames are
// written with raw blocks, a form of the zstd format that every zstd reader decodes.
function loadWasm(): Promise<void> {
  wasmReady ??= import('@bokuweb/zstd-wasm').then(
    async (wasm) => {
      await wasm.init();
      wasmCompress = wasm.compress;
    },
    () => undefined,
  );
  return wasmReady;
}

function fzstdDecompress(): Sync {
  if (jsDecompress !== undefined) return jsDecompress;
  const { Decompress } = createRequire(import.meta.url)('fzstd') as typeof import('fzstd');
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
  return jsDecompress;
}

/**
 * Resolves once this process compresses zstd with its best implementation: at once with Node's
 * zlib, after the wasm compressor has loaded on Node 20 (frames written before are valid but stored
 * uncompressed, in raw blocks). Starts loading the wasm if no compression has yet.
 *
 * @example
 * await zstdReady();
 */
export function zstdReady(): Promise<void> {
  return native ? Promise.resolve() : loadWasm();
}

/**
 * Compresses `data` into one zstd frame (level 3, zstd's default).
 *
 * @example
 * zstdCompress(records).readUInt32LE(0) === 0xfd2fb528; // true
 */
export function zstdCompress(data: Uint8Array): Buffer {
  if (native) return native.zstdCompressSync(data);
  if (wasmCompress === undefined) {
    void loadWasm();
    return rawFrame(data);
  }
  const out = wasmCompress(data, 3);
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
  checkFrames(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  try {
    if (native) return native.zstdDecompressSync(data, { maxOutputLength: limit });
    const out = fzstdDecompress()(data, limit);
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  } catch (cause) {
    if (cause instanceof TributaryError) throw cause;
    if ((cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(data.length, limit, cause);
    throw new TributaryError('CORRUPT_MESSAGE', `Zstd: the data cannot be decompressed: ${(cause as Error).message}`, {
      cause,
    });
  }
}

// Largest block zstd allows (and never more than the window, which a single-segment frame sets to
// the content size).
const MAX_BLOCK = 128 * 1024;

/**
 * One zstd frame of raw (stored) blocks: single segment, 8-byte content size, no checksum. What
 * {@link zstdCompress} writes on Node 20 until the wasm compressor has loaded.
 *
 * @example
 * zstdDecompress(rawFrame(Buffer.from('abc')), 3).toString(); // 'abc'
 */
export function rawFrame(data: Uint8Array): Buffer {
  const blocks = Math.max(1, Math.ceil(data.length / MAX_BLOCK));
  const out = Buffer.allocUnsafe(4 + 1 + 8 + blocks * 3 + data.length);
  out.writeUInt32LE(FRAME_MAGIC, 0);
  out[4] = 0xe0; // content size in 8 bytes, single segment
  out.writeBigUInt64LE(BigInt(data.length), 5);
  let pos = 13;
  for (let i = 0; i < blocks; i++) {
    const start = i * MAX_BLOCK;
    const size = Math.min(MAX_BLOCK, data.length - start);
    out.writeUIntLE((size << 3) | (i === blocks - 1 ? 1 : 0), pos, 3);
    pos += 3;
    out.set(data.subarray(start, start + size), pos);
    pos += size;
  }
  return out;
}

function tooLarge(size: number, limit: number, cause?: unknown): TributaryError {
  return new TributaryError(
    'CORRUPT_MESSAGE',
    `The zstd-compressed records (${size} bytes) decompress to more than ${limit} bytes; refusing a batch that large`,
    {
      size,
      limit,
      ...(cause === undefined ? {} : { cause }),
    },
  );
}

const FRAME_MAGIC = 0xfd2fb528;
const DICT_ID_SIZE = [0, 1, 2, 4];
const CONTENT_SIZE_SIZE = [0, 2, 4, 8];

/** Walks every frame's header and block headers to the end; throws CORRUPT_MESSAGE if any is cut short. */
function checkFrames(buf: Buffer): void {
  // A records section always holds a frame; some decoders would take no bytes as no frames.
  if (buf.length === 0) throw corrupt('no frame');
  let pos = 0;
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
    need(buf, pos, 1, 'frame header');
    const fhd = buf[pos++]!;
    if ((fhd & 0x08) !== 0) throw corrupt('the frame header sets its reserved bit');
    const singleSegment = (fhd & 0x20) !== 0;
    const fcsFlag = fhd >> 6;
    pos +=
      (singleSegment ? 0 : 1) +
      DICT_ID_SIZE[fhd & 0x03]! +
      (fcsFlag === 0 ? (singleSegment ? 1 : 0) : CONTENT_SIZE_SIZE[fcsFlag]!);
    for (let last = false; !last; ) {
      need(buf, pos, 3, 'block header');
      const header = buf.readUIntLE(pos, 3);
      pos += 3;
      last = (header & 1) === 1;
      const type = (header >> 1) & 0x03;
      if (type === 3) throw corrupt('a block of the reserved type');
      pos += type === 1 ? 1 : header >>> 3;
      if (pos > buf.length) throw corrupt('a block overruns the data');
    }
    if ((fhd & 0x04) !== 0) pos += 4;
    if (pos > buf.length) throw corrupt('the content checksum is truncated');
  }
}

function need(buf: Buffer, pos: number, n: number, what: string): void {
  if (buf.length - pos < n) throw corrupt(`the ${what} is truncated at offset ${pos}`);
}

function corrupt(what: string): TributaryError {
  return new TributaryError('CORRUPT_MESSAGE', `Zstd: ${what}`);
}
