import { SerializationError } from '../../errors.ts';
import { type Serde, Serdes } from '../../serde/index.ts';
import { fastSerde } from '../internal/fast-serde.ts';
import type { Windowed } from '../windows.ts';
import { readInt64, writeInt64 } from './value-and-timestamp.ts';

/**
 * A serde of windowed keys that also serializes the key alone (Kafka's `WindowedSerializer`): a sink
 * given one and no partitioner partitions by the key's bytes without the window, as Kafka's
 * `WindowedStreamPartitioner` does, so all windows of a key land in its partition.
 */
export interface WindowedSerde<K> extends Serde<Windowed<K>> {
  /** The key's bytes without its window, as the inner serde writes them (null for a null key). */
  serializeBaseKey(topic: string, windowed: Windowed<K>): Uint8Array | null;
  /**
   * When a serialized windowed key is the key's bytes followed by this many bytes of window (8 for
   * a time window's start, 16 for a session's end and start), the sink partitions by those first
   * bytes instead of serializing the key a second time.
   */
  readonly windowBytes?: number;
}

/** Whether `serde` is a {@link WindowedSerde}. */
export function isWindowedSerde(serde: Serde<unknown>): serde is WindowedSerde<unknown> {
  return typeof (serde as Partial<WindowedSerde<unknown>>).serializeBaseKey === 'function';
}

/**
 * A short ASCII string's bytes (its UTF-8 encoding) in a slice of Node's pool, with `extra` bytes
 * after them for the caller; undefined for a longer or non-ASCII string.
 */
function asciiInto(s: string, extra: number): Uint8Array | undefined {
  const n = s.length;
  if (n > 64) return undefined;
  const out = Buffer.allocUnsafe(n + extra);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return undefined;
    out[i] = c;
  }
  return out;
}

/**
 * Serdes of windowed keys in Kafka's byte layouts (`WindowedSerdes`), so a Java consumer reads what
 * a Tributary app writes and the other way round.
 *
 * @example
 * counts.toStream().to('counts-per-minute', {
 *   keySerde: WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 60_000),
 *   valueSerde: Serdes.LongNumber(),
 * });
 */
export const WindowedSerdes = {
  /**
   * A time-windowed key: the key's bytes then the window start as a big-endian int64
   * (`TimeWindowedSerializer`). The end is not written: it is start + `windowSizeMs`.
   */
  timeWindowedSerdeFrom<K>(inner: Serde<K>, windowSizeMs: number): WindowedSerde<K> {
    // The key's bytes are copied out, so memoized ones (a windowed count's keys repeat) will do.
    const keys = fastSerde(inner);
    const strings = inner === (Serdes.String() as unknown);
    return {
      windowBytes: 8,
      serializeBaseKey(topic, w) {
        const k = w.key as unknown;
        if (strings && typeof k === 'string') {
          const out = asciiInto(k, 0);
          if (out !== undefined) return out;
        }
        return keys.serialize(topic, w.key);
      },
      serialize(topic, w) {
        if (w === null) return null;
        const k = w.key as unknown;
        if (strings && typeof k === 'string') {
          // An ASCII key's UTF-8 bytes are its chars: written straight in, no lookup of its bytes.
          const out = asciiInto(k, 8);
          if (out !== undefined) {
            writeInt64(out, k.length, w.window.start);
            return out;
          }
        }
        const key = keys.serialize(topic, w.key);
        if (key === null) throw new SerializationError('a windowed key must not serialize to null', { topic });
        // A slice of Node's pool: one small object per record, its bytes off the collected heap.
        const n = key.length;
        const out = Buffer.allocUnsafe(n + 8);
        if (n <= 32) for (let i = 0; i < n; i++) out[i] = key[i]!;
        else out.set(key, 0);
        writeInt64(out, n, w.window.start);
        return out;
      },
      deserialize(topic, data) {
        if (data === null) return null;
        if (data.length < 8)
          throw new SerializationError(`time-windowed key of ${data.length} bytes is too short`, { topic });
        const start = readInt64(data, data.length - 8);
        const key = inner.deserialize(topic, data.subarray(0, data.length - 8)) as K;
        return { key, window: { start, end: Math.min(start + windowSizeMs, Number.MAX_SAFE_INTEGER) } };
      },
    };
  },
  /**
   * A session-windowed key: the key's bytes, then the session's end, then its start, each a
   * big-endian int64 (`SessionWindowedSerializer`).
   */
  sessionWindowedSerdeFrom<K>(inner: Serde<K>): WindowedSerde<K> {
    return {
      windowBytes: 16,
      serializeBaseKey(topic, w) {
        return inner.serialize(topic, w.key);
      },
      serialize(topic, w) {
        if (w === null) return null;
        const key = inner.serialize(topic, w.key);
        if (key === null) throw new SerializationError('a windowed key must not serialize to null', { topic });
        const out = new Uint8Array(key.length + 16);
        out.set(key, 0);
        writeInt64(out, key.length, w.window.end);
        writeInt64(out, key.length + 8, w.window.start);
        return out;
      },
      deserialize(topic, data) {
        if (data === null) return null;
        if (data.length < 16)
          throw new SerializationError(`session-windowed key of ${data.length} bytes is too short`, { topic });
        const end = readInt64(data, data.length - 16);
        const start = readInt64(data, data.length - 8);
        return { key: inner.deserialize(topic, data.subarray(0, data.length - 16)) as K, window: { start, end } };
      },
    };
  },
} as const;
