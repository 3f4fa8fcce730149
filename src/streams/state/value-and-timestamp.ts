/**
 * A value with the timestamp of the record that last set it (Kafka's `ValueAndTimestamp`): what a
 * timestamped key-value store (the store under every KTable) keeps per key.
 *
 * @example
 * const store = driver.getTimestampedKeyValueStore<string, number>('counts');
 * store.get('k'); // { value: 2, timestamp: 10 }
 */
export interface ValueAndTimestamp<V> {
  readonly value: V;
  readonly timestamp: number;
}

/** Builds a `ValueAndTimestamp`, or null for a null value (as Kafka's `ValueAndTimestamp.make`). */
export function valueAndTimestamp<V>(value: V | null | undefined, timestamp: number): ValueAndTimestamp<V> | null {
  return value === null || value === undefined ? null : { value, timestamp };
}

/**
 * A timestamped value in bytes, in Kafka's layout (`ValueAndTimestampSerializer`): the timestamp as
 * a big-endian int64, then the value's bytes.
 */
export function timestampedBytes(timestamp: number, raw: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + raw.length);
  new DataView(out.buffer).setBigInt64(0, BigInt(timestamp));
  out.set(raw, 8);
  return out;
}

/** The timestamp of a value in `timestampedBytes` layout. */
export function timestampOf(bytes: Uint8Array): number {
  return Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigInt64(0));
}

/** The value's own bytes of a value in `timestampedBytes` layout. */
export function rawValueOf(bytes: Uint8Array): Uint8Array {
  return bytes.subarray(8);
}
