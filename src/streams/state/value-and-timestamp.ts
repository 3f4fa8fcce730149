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
  writeInt64(out, 0, timestamp);
  out.set(raw, 8);
  return out;
}

/** The timestamp of a value in `timestampedBytes` layout. */
export function timestampOf(bytes: Uint8Array): number {
  return readInt64(bytes, 0);
}

/**
 * Writes a safe integer as a big-endian int64 at `at`: two 32-bit halves instead of a DataView and
 * a BigInt, since this runs for every record a store keeps (two's complement holds for negatives).
 */
export function writeInt64(out: Uint8Array, at: number, value: number): void {
  const high = Math.floor(value / 0x1_0000_0000);
  const low = value - high * 0x1_0000_0000;
  out[at] = high >>> 24;
  out[at + 1] = high >>> 16;
  out[at + 2] = high >>> 8;
  out[at + 3] = high;
  out[at + 4] = low >>> 24;
  out[at + 5] = low >>> 16;
  out[at + 6] = low >>> 8;
  out[at + 7] = low;
}

/** Reads a big-endian int64 written by {@link writeInt64}. */
export function readInt64(bytes: Uint8Array, at: number): number {
  const high = (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
  const low = ((bytes[at + 4]! << 24) | (bytes[at + 5]! << 16) | (bytes[at + 6]! << 8) | bytes[at + 7]!) >>> 0;
  return high * 0x1_0000_0000 + low;
}

/** The value's own bytes of a value in `timestampedBytes` layout. */
export function rawValueOf(bytes: Uint8Array): Uint8Array {
  return bytes.subarray(8);
}
