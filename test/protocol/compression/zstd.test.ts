import { describe, expect, it } from 'vitest';
import { rawFrame, zstdCompress, zstdDecompress, zstdReady } from '../../../src/protocol/compression/zstd.ts';

const bytes = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7) % 251));

describe('zstd', () => {
  it.each([0, 1, 128 * 1024, 128 * 1024 + 1, 300_000])(
    'should read back a raw-block frame of %i bytes, as written before the wasm compressor loads',
    (n) => {
      const data = bytes(n);
      const frame = rawFrame(data);
      expect(frame.readUInt32LE(0)).toBe(0xfd2fb528);
      expect(zstdDecompress(frame, Math.max(n, 1)).equals(data)).toBe(true);
    },
  );

  it('should compress for real once ready, and never make a module that require() refuses (no top-level await)', async () => {
    await zstdReady();
    const data = bytes(300_000);
    const frame = zstdCompress(data);
    expect(frame.length).toBeLessThan(data.length / 10);
    expect(zstdDecompress(frame, data.length).equals(data)).toBe(true);
  });

  it('should refuse a raw-block frame that decompresses past the limit', () => {
    expect(() => zstdDecompress(rawFrame(bytes(1000)), 999)).toThrow(
      expect.objectContaining({ code: 'CORRUPT_MESSAGE' }),
    );
  });
});
