import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../src/errors.ts';
import {
  type CompressionCodec,
  compressionCodecFromId,
  compressionCodecId,
  compressRecords,
  decompressedLimit,
  decompressRecords,
} from '../../src/protocol/compression.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TributaryError);
    return (err as TributaryError).code;
  }
  return undefined;
}

describe('compression', () => {
  it('should map attribute ids to Kafka codec names and back', () => {
    const codecs: CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
    codecs.forEach((codec, id) => {
      expect(compressionCodecFromId(id)).toBe(codec);
      expect(compressionCodecId(codec)).toBe(id);
    });
  });

  it('should throw UNSUPPORTED_COMPRESSION_TYPE when the attribute id is unassigned', () => {
    for (const id of [5, 6, 7]) expect(codeOf(() => compressionCodecFromId(id))).toBe('UNSUPPORTED_COMPRESSION_TYPE');
  });

  it('should throw TypeError when the codec name is not a Kafka codec', () => {
    expect(() => compressionCodecId('brotli' as CompressionCodec)).toThrow(TypeError);
  });

  it('should return the same bytes when the codec is none', () => {
    const data = Uint8Array.of(1, 2, 3);
    expect(compressRecords('none', data)).toBe(data);
    expect(decompressRecords('none', data)).toBe(data);
  });

  it('should round-trip any bytes when the codec is gzip', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (data) => {
        const compressed = compressRecords('gzip', data);
        expect(compressed[0]).toBe(0x1f); // gzip magic
        expect(compressed[1]).toBe(0x8b);
        expect(Buffer.from(decompressRecords('gzip', compressed)).equals(Buffer.from(data))).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('should throw CORRUPT_MESSAGE when the gzip stream is damaged', () => {
    const compressed = Buffer.from(compressRecords('gzip', Buffer.from('hello hello hello')));
    expect(codeOf(() => decompressRecords('gzip', compressed.subarray(0, compressed.length - 5)))).toBe('CORRUPT_MESSAGE');
    expect(codeOf(() => decompressRecords('gzip', Uint8Array.of(1, 2, 3)))).toBe('CORRUPT_MESSAGE');
  });

  it('should refuse with CORRUPT_MESSAGE a gzip bomb that decompresses past the limit', () => {
    const zeros = Buffer.alloc(decompressedLimit(0) + 1);
    const bomb = gzipSync(zeros, { level: 9 });
    expect(bomb.length).toBeLessThan(200_000);
    let error: unknown;
    try {
      decompressRecords('gzip', bomb);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TributaryError);
    expect((error as TributaryError).code).toBe('CORRUPT_MESSAGE');
    expect((error as TributaryError).message).toContain('decompress to more than');
    // One byte less decompresses.
    expect(decompressRecords('gzip', gzipSync(zeros.subarray(1))).length).toBe(decompressedLimit(0));
  });

  it.each(['snappy', 'lz4', 'zstd'] as const)('should throw UNSUPPORTED_COMPRESSION_TYPE naming %s when asked to use it', (codec) => {
    for (const fn of [() => compressRecords(codec, Uint8Array.of(1)), () => decompressRecords(codec, Uint8Array.of(1))]) {
      try {
        fn();
        expect.unreachable();
      } catch (err) {
        expect((err as TributaryError).code).toBe('UNSUPPORTED_COMPRESSION_TYPE');
        expect((err as TributaryError).message).toContain(codec);
        expect((err as TributaryError).context['codec']).toBe(codec);
      }
    }
  });
});
