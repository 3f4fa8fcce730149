import { SerializationError } from '../errors.ts';
import type { Serde } from './serde.ts';

const encoder = new TextEncoder();
// A leading byte-order mark is kept as U+FEFF, as Java's `new String(bytes, UTF_8)` in Kafka's
// StringDeserializer keeps it (TextDecoder drops it by default), so text round-trips byte for byte.
// Invalid UTF-8 is refused with a SerializationError (docs/decisions.md, "Serdes.String").
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** JSON text: a leading byte-order mark is skipped, as Jackson's parser skips it. */
const jsonDecoder = new TextDecoder('utf-8', { fatal: true });

/** Builds a serde from two functions that never see `null`; `null` is passed through around them. */
function nullSafe<T>(name: string, write: (value: T) => Uint8Array, read: (data: Uint8Array) => T): Serde<T> {
  return {
    serialize(topic, value) {
      if (value === null || value === undefined) return null;
      try {
        return write(value);
      } catch (cause) {
        if (cause instanceof SerializationError) throw cause;
        throw new SerializationError(`${name} serde could not serialize a value for topic "${topic}"`, {
          topic,
          cause,
        });
      }
    },
    deserialize(topic, data) {
      if (data === null || data === undefined) return null;
      try {
        return read(data);
      } catch (cause) {
        if (cause instanceof SerializationError) throw cause;
        throw new SerializationError(`${name} serde could not deserialize ${data.length} bytes from topic "${topic}"`, {
          topic,
          cause,
        });
      }
    },
  };
}

function fixedWidth(name: string, data: Uint8Array, width: number): DataView {
  if (data.length !== width) {
    throw new SerializationError(`${name} serde expects ${width} bytes, got ${data.length}`);
  }
  return new DataView(data.buffer, data.byteOffset, width);
}

const stringSerde = nullSafe<string>(
  'String',
  (value) => {
    if (typeof value !== 'string') throw new SerializationError(`String serde expects a string, got ${typeof value}`);
    return encoder.encode(value);
  },
  (data) => decoder.decode(data),
);

const longSerde = nullSafe<bigint>(
  'Long',
  (value) => {
    if (typeof value !== 'bigint' && !Number.isSafeInteger(value)) {
      throw new SerializationError(`Long serde expects a bigint or a safe integer, got ${String(value)}`);
    }
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigInt64(0, BigInt(value));
    return out;
  },
  (data) => fixedWidth('Long', data, 8).getBigInt64(0),
);

const longNumberSerde = nullSafe<number>(
  'LongNumber',
  (value) => {
    if (!Number.isSafeInteger(value))
      throw new SerializationError(`Long serde expects a safe integer, got ${String(value)}`);
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigInt64(0, BigInt(value));
    return out;
  },
  (data) => {
    const n = fixedWidth('Long', data, 8).getBigInt64(0);
    if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new SerializationError(`Long value ${n} does not fit a JavaScript number; use Serdes.Long()`);
    }
    return Number(n);
  },
);

const integerSerde = nullSafe<number>(
  'Integer',
  (value) => {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
      throw new SerializationError(`Integer serde expects a 32-bit integer, got ${String(value)}`);
    }
    const out = new Uint8Array(4);
    new DataView(out.buffer).setInt32(0, value);
    return out;
  },
  (data) => fixedWidth('Integer', data, 4).getInt32(0),
);

const doubleSerde = nullSafe<number>(
  'Double',
  (value) => {
    if (typeof value !== 'number') throw new SerializationError(`Double serde expects a number, got ${typeof value}`);
    const out = new Uint8Array(8);
    new DataView(out.buffer).setFloat64(0, value);
    return out;
  },
  (data) => fixedWidth('Double', data, 8).getFloat64(0),
);

const byteArraySerde = nullSafe<Uint8Array>(
  'ByteArray',
  (value) => {
    if (!(value instanceof Uint8Array)) throw new SerializationError('ByteArray serde expects a Uint8Array or Buffer');
    return value;
  },
  (data) => data,
);

/**
 * The built-in serdes, named as Kafka names them and writing the same bytes as Kafka's, so data
 * moves between Tributary and Kafka unchanged.
 *
 * @example
 * const counts = Serdes.Long();
 * counts.serialize('word-counts', 3n); // 8 bytes, big-endian: 00 00 00 00 00 00 00 03
 */
export const Serdes = {
  /** UTF-8 text. */
  String: (): Serde<string> => stringSerde,
  /** A 64-bit signed integer, 8 bytes big-endian (Kafka's LongSerializer), as a `bigint`. */
  Long: (): Serde<bigint> => longSerde,
  /**
   * The same bytes as {@link Serdes.Long}, read as a `number`; a stored value outside
   * ±2^53 is refused rather than rounded.
   */
  LongNumber: (): Serde<number> => longNumberSerde,
  /** A 32-bit signed integer, 4 bytes big-endian (Kafka's IntegerSerializer). */
  Integer: (): Serde<number> => integerSerde,
  /** An IEEE 754 double, 8 bytes big-endian (Kafka's DoubleSerializer). */
  Double: (): Serde<number> => doubleSerde,
  /** Bytes as they are. */
  ByteArray: (): Serde<Uint8Array> => byteArraySerde,
  /**
   * JSON text in UTF-8. Values are whatever `JSON.parse` gives back; the type parameter is a
   * promise you make, not a check (use a registry JSON Schema serde for validation).
   */
  Json: <T>(): Serde<T> =>
    nullSafe<T>(
      'Json',
      (value) => encoder.encode(JSON.stringify(value)),
      (data) => JSON.parse(jsonDecoder.decode(data)) as T,
    ),
} as const;
