/**
 * Compression of a RecordBatch's records section. As in Kafka, the 61-byte batch header, record
 * count included, stays uncompressed; the bytes after the count are the compressed stream of
 * records. All four Kafka codecs: gzip (node's zlib), snappy (xerial-framed as Java writes it, or
 * raw as librdkafka does; `compression/snappy.ts`), lz4 (the LZ4 frame format; `compression/lz4.ts`)
 * and zstd (`compression/zstd.ts`). Each library is imported in its own file and nowhere else.
 *
 * Every decompression is bounded by {@link decompressedLimit}: a crafted batch cannot make the
 * process allocate more than that, whatever its headers claim.
 */

import { gunzipSync, gzipSync } from 'node:zlib';
import { TributaryError } from '../errors.ts';
import { lz4Compress, lz4Decompress } from './compression/lz4.ts';
import { snappyCompress, snappyDecompress } from './compression/snappy.ts';
import { zstdCompress, zstdDecompress } from './compression/zstd.ts';

/** A compression codec a Kafka batch can declare, by its Kafka name. */
export type CompressionCodec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/**
 * The codecs by their id in bits 0-2 of a batch's attributes (ids 5-7 are unassigned).
 *
 * @example
 * COMPRESSION_CODECS[1]; // 'gzip'
 */
export const COMPRESSION_CODECS: readonly CompressionCodec[] = Object.freeze(['none', 'gzip', 'snappy', 'lz4', 'zstd']);

/**
 * The codec of attribute id `id` (0-7). An unassigned id throws `UNSUPPORTED_COMPRESSION_TYPE`,
 * since the batch may come from a newer Kafka.
 *
 * @example
 * compressionCodecFromId(attributes & 0x07); // 'none'
 */
export function compressionCodecFromId(id: number): CompressionCodec {
  const codec = COMPRESSION_CODECS[id];
  if (codec === undefined) {
    throw new TributaryError('UNSUPPORTED_COMPRESSION_TYPE', `Unknown compression type id ${id} in batch attributes`);
  }
  return codec;
}

/**
 * The attribute id of `codec`. A name that is not a Kafka codec is a programmer mistake and
 * throws `TypeError`.
 *
 * @example
 * compressionCodecId('gzip'); // 1
 */
export function compressionCodecId(codec: CompressionCodec): number {
  const id = COMPRESSION_CODECS.indexOf(codec);
  if (id < 0) {
    throw new TypeError(`compression must be one of ${COMPRESSION_CODECS.join(', ')}; got ${String(codec)}`);
  }
  return id;
}

/**
 * Compresses a records section with `codec`. `'none'` returns `data` itself. Snappy is written in
 * xerial framing (what the Java client writes and every client reads), lz4 as one LZ4 frame, zstd
 * as one zstd frame.
 *
 * @example
 * const compressed = compressRecords('zstd', recordsSection);
 */
export function compressRecords(codec: CompressionCodec, data: Uint8Array): Uint8Array {
  switch (codec) {
    case 'none':
      return data;
    case 'gzip':
      return gzipSync(data);
    case 'snappy':
      return snappyCompress(data);
    case 'lz4':
      return lz4Compress(data);
    case 'zstd':
      return zstdCompress(data);
    default:
      throw unsupported(codec);
  }
}

/**
 * Decompresses a records section written with `codec`. `'none'` returns `data` itself. Snappy
 * may be xerial-framed or raw.
 *
 * Throws `CORRUPT_MESSAGE` (with the library's error as `cause`) when the stream is damaged or
 * would decompress past {@link decompressedLimit}.
 *
 * @example
 * const records = decompressRecords('lz4', batch.subarray(RECORD_BATCH_OVERHEAD));
 */
export function decompressRecords(codec: CompressionCodec, data: Uint8Array): Uint8Array {
  switch (codec) {
    case 'none':
      return data;
    case 'gzip':
      return gunzip(data);
    case 'snappy':
      return snappyDecompress(data, decompressedLimit(data.length));
    case 'lz4':
      return lz4Decompress(data, decompressedLimit(data.length));
    case 'zstd':
      return zstdDecompress(data, decompressedLimit(data.length));
    default:
      throw unsupported(codec);
  }
}

function gunzip(data: Uint8Array): Uint8Array {
  const limit = decompressedLimit(data.length);
  try {
    return gunzipSync(data, { maxOutputLength: limit });
  } catch (cause) {
    if ((cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new TributaryError(
        'CORRUPT_MESSAGE',
        `The gzip-compressed records (${data.length} bytes) decompress to more than ${limit} bytes; refusing a batch that large`,
        { cause, size: data.length, limit },
      );
    }
    throw new TributaryError(
      'CORRUPT_MESSAGE',
      `The gzip-compressed records cannot be decompressed: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
}

/**
 * The most a compressed records section may decompress to: 64 MiB, or 32 times its compressed size
 * when that is more. Text compresses about 5 to 10 times, so no batch a real producer wrote comes
 * near it, while a crafted one (a megabyte of gzip is a gigabyte of zeros) cannot take the
 * process's memory.
 */
export function decompressedLimit(compressedBytes: number): number {
  return Math.max(64 * 1024 * 1024, 32 * compressedBytes);
}

function unsupported(codec: never): TributaryError {
  return new TributaryError('UNSUPPORTED_COMPRESSION_TYPE', `Unknown compression codec ${String(codec)}`, { codec });
}
