import * as kafkajs from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { CompressionCodecs, CompressionTypes, type KafkaJSCodecFactory, TributaryError } from '../../src/index.ts';
import { memoryTributary, until } from './helpers.ts';

/** A codec of kafkajs-snappy's shape that counts its calls and must never be asked to work. */
function countingCodec() {
  const calls = { compress: 0, decompress: 0 };
  const factory: KafkaJSCodecFactory = () => ({
    compress: async (encoder) => {
      calls.compress++;
      return encoder.buffer;
    },
    decompress: async (buffer) => {
      calls.decompress++;
      return buffer;
    },
  });
  return { factory, calls };
}

const originals = { ...CompressionCodecs };
afterEach(() => {
  for (const type of [CompressionTypes.GZIP, CompressionTypes.Snappy, CompressionTypes.LZ4, CompressionTypes.ZSTD]) {
    CompressionCodecs[type] = originals[type];
  }
});

describe('CompressionCodecs', () => {
  it('should accept a kafkajs-snappy style registration and keep using the built-in codec when records are sent and read', async () => {
    const { factory, calls } = countingCodec();
    CompressionCodecs[CompressionTypes.Snappy] = factory;
    expect(CompressionCodecs[CompressionTypes.Snappy]).toBe(factory);

    const { tributary } = memoryTributary();
    const producer = tributary.producer();
    await producer.connect();
    const values = Array.from({ length: 50 }, (_, i) => `value-${i}-${'x'.repeat(i)}`);
    await producer.send({
      topic: 'snappy',
      compression: CompressionTypes.Snappy,
      messages: values.map((value) => ({ value })),
    });

    const consumer = tributary.consumer({ groupId: 'g' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'snappy', fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
    await until(() => seen.length === values.length, 'all records');
    expect(seen).toEqual(values);
    expect(calls).toEqual({ compress: 0, decompress: 0 });
    await consumer.disconnect();
    await producer.disconnect();
    await tributary.close();
  });

  it("should give built-in codecs in kafkajs's shape whose gzip output kafkajs's own gzip codec reads", async () => {
    const data = Buffer.from('hello tributary '.repeat(100));
    const ours = CompressionCodecs[CompressionTypes.GZIP]!();
    const theirs = kafkajs.CompressionCodecs[kafkajs.CompressionTypes.GZIP]!();
    const compressed = await ours.compress({ buffer: data });
    expect(compressed.length).toBeLessThan(data.length);
    expect(Buffer.from(await theirs.decompress(compressed))).toEqual(data);
    expect(Buffer.from(await ours.decompress(await theirs.compress({ buffer: data } as never)))).toEqual(data);
    for (const type of [CompressionTypes.Snappy, CompressionTypes.LZ4, CompressionTypes.ZSTD]) {
      const codec = CompressionCodecs[type]!();
      expect(Buffer.from(await codec.decompress(await codec.compress({ buffer: data })))).toEqual(data);
    }
  });

  it('should refuse a registration that is not a codec factory or not in a codec slot with INVALID_CLIENT_CONFIG', () => {
    const table = CompressionCodecs as Record<number, unknown>;
    const attempts = [
      () => {
        table[CompressionTypes.LZ4] = { compress: () => Buffer.alloc(0) };
      },
      () => {
        table[7] = () => ({});
      },
      () => {
        table[CompressionTypes.None] = () => ({});
      },
      () => {
        delete table[CompressionTypes.ZSTD];
      },
    ];
    for (const attempt of attempts) {
      let error: unknown;
      try {
        attempt();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TributaryError);
      expect((error as TributaryError).code).toBe('INVALID_CLIENT_CONFIG');
    }
    expect(typeof CompressionCodecs[CompressionTypes.LZ4]).toBe('function');
    expect(typeof CompressionCodecs[CompressionTypes.ZSTD]).toBe('function');
  });
});
