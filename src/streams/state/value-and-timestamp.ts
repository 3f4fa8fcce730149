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
  // Two 32-bit halves instead of a DataView and a BigInt: this runs for every record a KTable
  // stores, and timestamps are safe integers (two's complement holds for -1).
  const high = Math.floor(timestamp / 0x1_0000_0000);
  const low = timestamp - high * 0x1_0000_0000;
  out[0] = high >>> 24;
  out[1] = high >>> 16;
  out[2] = high >>> 8;
  out[3] = high;
  out[4] = low >>> 24;
  out[5] = low >>> 16;
  out[6] = low >>> 8;
  out[7] = low;
  out.set(raw, 8);
  return out;
}

/** The timestamp of a value in `timestampedBytes` layout. */
export function timestampOf(bytes: Uint8Array): number {
  const high = (bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!;
  const low = ((bytes[4]! << 24) | (bytes[5]! << 16) | (bytes[6]! << 8) | bytes[7]!) >>> 0;
  return high * 0x1_0000_0000 + low;
}

/** The value's own bytes of a value in `timestampedBytes` layout. */
export function rawValueOf(bytes: Uint8Array): Uint8Array {
  return bytes.subarray(8);
}
