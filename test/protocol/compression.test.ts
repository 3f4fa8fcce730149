import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { zstdReady } from '../../src/protocol/compression/zstd.ts';
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

// On Node 20 zstd compresses through a wasm module that loads in the background (until then frames
// are stored, not compressed); these tests check compression, so they wait for it.
beforeAll(() => zstdReady());

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
    expect(codeOf(() => decompressRecords('gzip', compressed.subarray(0, compressed.length - 5)))).toBe(
      'CORRUPT_MESSAGE',
    );
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

  it.each(['snappy', 'lz4', 'zstd'] as const)('should round-trip any bytes when the codec is %s', (codec) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (data) => {
        const compressed = compressRecords(codec, data);
        expect(Buffer.from(decompressRecords(codec, compressed)).equals(Buffer.from(data))).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it.each([
    ['snappy', '82534e4150505900'], // xerial framing, as the Java client writes it
    ['lz4', '04224d18'], // an LZ4 frame
    ['zstd', '28b52ffd'], // a zstd frame
  ] as const)('should write %s in the form Kafka clients exchange', (codec, magic) => {
    const data = Buffer.from('some records '.repeat(10_000));
    const compressed = Buffer.from(compressRecords(codec, data));
    expect(compressed.subarray(0, magic.length / 2).toString('hex')).toBe(magic);
    expect(compressed.length).toBeLessThan(data.length / 10);
    expect(Buffer.from(decompressRecords(codec, compressed)).equals(data)).toBe(true);
  });

  it('should write snappy in 32 KiB xerial blocks and read raw snappy too', () => {
    const data = Buffer.alloc(100_000, 'x');
    const framed = Buffer.from(compressRecords('snappy', data));
    expect([framed.readInt32BE(8), framed.readInt32BE(12)]).toEqual([1, 1]); // version, compatible version
    let blocks = 0;
    for (let pos = 16; pos < framed.length; pos += 4 + framed.readInt32BE(pos)) blocks++;
    expect(blocks).toBe(4);
    // A raw block (no framing) is the first block alone when the data fits one block.
    const small = Buffer.from('hello hello hello');
    const oneBlock = Buffer.from(compressRecords('snappy', small)).subarray(20);
    expect(Buffer.from(decompressRecords('snappy', oneBlock)).toString()).toBe('hello hello hello');
  });

  it.each(['snappy', 'lz4', 'zstd'] as const)(
    'should throw CORRUPT_MESSAGE when a %s stream is damaged or truncated',
    (codec) => {
      const compressed = Buffer.from(compressRecords(codec, Buffer.from('hello hello hello '.repeat(500))));
      expect(codeOf(() => decompressRecords(codec, compressed.subarray(0, compressed.length - 3)))).toBe(
        'CORRUPT_MESSAGE',
      );
      expect(codeOf(() => decompressRecords(codec, Uint8Array.of(1, 2, 3)))).toBe('CORRUPT_MESSAGE');
      expect(codeOf(() => decompressRecords(codec, new Uint8Array(0)))).toBe('CORRUPT_MESSAGE');
    },
  );

  it.each(['gzip', 'snappy', 'lz4', 'zstd'] as const)(
    'should refuse a %s stream cut short at any byte, never read it short',
    (codec) => {
      const data = Buffer.from(Array.from({ length: 3000 }, (_, i) => `record ${i % 97};`).join(''));
      const compressed = Buffer.from(compressRecords(codec, data));
      // Xerial framing has no end mark: cut between two blocks it is a shorter valid stream. The batch
      // around it catches that (its CRC covers these bytes, and its record count is checked).
      const blockEnds = new Set<number>();
      if (codec === 'snappy')
        for (let pos = 16; pos < compressed.length; pos += 4 + compressed.readInt32BE(pos)) blockEnds.add(pos);
      for (let cut = 0; cut < compressed.length; cut++) {
        const part = compressed.subarray(0, cut);
        if (blockEnds.has(cut)) {
          const out = Buffer.from(decompressRecords(codec, part));
          expect(data.subarray(0, out.length).equals(out)).toBe(true);
        } else
          expect(
            codeOf(() => decompressRecords(codec, part)),
            `cut at ${cut} of ${compressed.length}`,
          ).toBe('CORRUPT_MESSAGE');
      }
    },
  );

  it.each(['snappy', 'lz4', 'zstd'] as const)(
    'should only ever throw CORRUPT_MESSAGE on random or mutated %s bytes',
    (codec) => {
      const valid = Buffer.from(compressRecords(codec, Buffer.from('records records records '.repeat(200))));
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 300 }),
          fc.nat(),
          fc.integer({ min: 0, max: 255 }),
          (random, at, byte) => {
            const mutated = Buffer.from(valid);
            mutated[at % mutated.length] = byte;
            for (const bytes of [random, mutated]) {
              const code = codeOf(() => decompressRecords(codec, bytes));
              if (code !== undefined) expect(code).toBe('CORRUPT_MESSAGE');
            }
          },
        ),
        { numRuns: 300 },
      );
    },
  );

  it('should refuse a snappy block whose declared length passes the limit, before decompressing it', () => {
    // A raw block claiming 1 GiB (unsigned varint 80 80 80 80 04), then a single literal.
    const lying = Buffer.from('8080808004 00 61', 'hex');
    expect(codeOf(() => decompressRecords('snappy', lying))).toBe('CORRUPT_MESSAGE');
    // The same inside xerial framing: every block's claim is added up before any is decompressed.
    const header = Buffer.from(compressRecords('snappy', Buffer.alloc(0))).subarray(0, 16);
    const len = Buffer.alloc(4);
    len.writeInt32BE(lying.length);
    expect(codeOf(() => decompressRecords('snappy', Buffer.concat([header, len, lying])))).toBe('CORRUPT_MESSAGE');
  });

  it.each(['lz4', 'zstd'] as const)(
    'should refuse with CORRUPT_MESSAGE a %s bomb that decompresses past the limit',
    (codec) => {
      const zeros = Buffer.alloc(decompressedLimit(0) + 1024 * 1024);
      const bomb = compressRecords(codec, zeros);
      expect(bomb.length).toBeLessThan(decompressedLimit(0) / 64);
      let error: unknown;
      try {
        decompressRecords(codec, bomb);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(TributaryError);
      expect((error as TributaryError).code).toBe('CORRUPT_MESSAGE');
      expect((error as TributaryError).message).toMatch(/decompress to (more than )?\d+/);
    },
  );

  it('should refuse an lz4 frame whose blocks could decompress past the limit from its headers alone', () => {
    // 300 blocks each declaring 4 MiB of compressed data would need 1.2 GiB: refused by the scan,
    // not by running out of memory. The blocks are truncated, so the data itself is never read.
    const frame = Buffer.from(compressRecords('lz4', Buffer.from('x')));
    frame[5] = 0x70; // BD: 4 MiB blocks (the header checksum no longer matches; the scan comes first)
    const blocks = Buffer.alloc(300 * 8);
    for (let i = 0; i < 300; i++) blocks.writeUInt32LE(4, i * 8);
    const crafted = Buffer.concat([frame.subarray(0, 7), blocks, Buffer.alloc(4)]);
    const err = (() => {
      try {
        decompressRecords('lz4', crafted);
      } catch (e) {
        return e as TributaryError;
      }
    })();
    expect(err?.code).toBe('CORRUPT_MESSAGE');
    expect(err?.message).toContain('may decompress to');
  });
});
