/**
 * kafkajs's `CompressionCodecs`: the table a kafkajs program registers codecs in, e.g.
 * `CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec` with kafkajs-snappy's factory, whose
 * codec has the shape `{ compress(encoder), decompress(buffer) }`.
 *
 * Tributary builds all four Kafka codecs in (`src/protocol/compression.ts`), so a registration is
 * checked and kept, and reading the slot back gives the registered factory, but the built-in codec
 * still writes and reads the batches. Why: a Kafka codec id names one byte format, so a correct
 * third-party codec yields the same bytes; the built-in ones decompress within a bound a crafted
 * batch cannot exceed and run synchronously on the log's write path, which an async kafkajs codec
 * cannot. See docs/decisions.md, "kafkajs codec registration".
 */

import { TributaryError } from '../errors.ts';
import { compressRecords, decompressRecords } from '../protocol/compression.ts';
import { CompressionTypes } from './types.ts';

/** A kafkajs compression codec, as kafkajs-snappy, kafkajs-lz4 and @kafkajs/zstd build it. */
export interface KafkaJSCodec {
  /** Compresses the records section of a batch (`encoder.buffer`). */
  compress(encoder: { buffer: Buffer }): Promise<Buffer> | Buffer;
  /** Decompresses a batch's records section. */
  decompress(buffer: Buffer): Promise<Buffer> | Buffer;
}

/** What a kafkajs program assigns into a {@link CompressionCodecs} slot: a factory of its codec. */
export type KafkaJSCodecFactory = () => KafkaJSCodec;

const TYPES = new Set<number>([
  CompressionTypes.GZIP,
  CompressionTypes.Snappy,
  CompressionTypes.LZ4,
  CompressionTypes.ZSTD,
]);

const NAMES = {
  [CompressionTypes.GZIP]: 'gzip',
  [CompressionTypes.Snappy]: 'snappy',
  [CompressionTypes.LZ4]: 'lz4',
  [CompressionTypes.ZSTD]: 'zstd',
} as const;

/** Tributary's own codec of `type` in kafkajs's shape, so a program that calls a slot's factory gets a working codec. */
function builtIn(type: keyof typeof NAMES): KafkaJSCodecFactory {
  const name = NAMES[type];
  const codec: KafkaJSCodec = {
    compress: async (encoder) => Buffer.from(compressRecords(name, encoder.buffer)),
    decompress: async (buffer) => Buffer.from(decompressRecords(name, buffer)),
  };
  return () => codec;
}

function check(key: PropertyKey, value: unknown): asserts value is KafkaJSCodecFactory {
  const type = typeof key === 'string' ? Number(key) : Number.NaN;
  if (!TYPES.has(type)) {
    throw new TributaryError(
      'INVALID_CLIENT_CONFIG',
      `CompressionCodecs has no slot ${String(key)}; use CompressionTypes.GZIP, Snappy, LZ4 or ZSTD`,
      {
        key: String(key),
      },
    );
  }
  if (typeof value !== 'function') {
    throw new TributaryError(
      'INVALID_CLIENT_CONFIG',
      `CompressionCodecs[CompressionTypes.${CompressionTypes[type]}] must be a factory function returning { compress, decompress }; got ${typeof value}`,
      { type },
    );
  }
}

const table: Record<number, KafkaJSCodecFactory> = {
  [CompressionTypes.GZIP]: builtIn(CompressionTypes.GZIP),
  [CompressionTypes.Snappy]: builtIn(CompressionTypes.Snappy),
  [CompressionTypes.LZ4]: builtIn(CompressionTypes.LZ4),
  [CompressionTypes.ZSTD]: builtIn(CompressionTypes.ZSTD),
};

/**
 * kafkajs's codec table. Assigning a factory is accepted (a non-function, or a slot that is not a
 * Kafka codec, throws `INVALID_CLIENT_CONFIG`); the built-in codec keeps doing the work, so a
 * program that registers kafkajs-snappy runs unchanged and without it runs the same.
 *
 * @example
 * import SnappyCodec from 'kafkajs-snappy';
 * CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec; // accepted; built-in snappy is used
 * await producer.send({ topic: 't', compression: CompressionTypes.Snappy, messages });
 */
export const CompressionCodecs: { [type in CompressionTypes]?: KafkaJSCodecFactory } = new Proxy(table, {
  set(target, key, value) {
    check(key, value);
    target[Number(key)] = value;
    return true;
  },
  defineProperty(target, key, descriptor) {
    check(key, descriptor.value);
    return Reflect.defineProperty(target, key, descriptor);
  },
  deleteProperty(_target, key) {
    throw new TributaryError(
      'INVALID_CLIENT_CONFIG',
      `CompressionCodecs[${String(key)}] cannot be removed; the codec is built in`,
      {
        key: String(key),
      },
    );
  },
});
