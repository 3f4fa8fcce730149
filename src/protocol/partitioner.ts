/**
 * Kafka's default choice of partition for a keyed record, `toPositive(murmur2(key)) % partitions`,
 * so a key lands on the same partition here as with the Java producer (and kafkajs's
 * JavaCompatiblePartitioner).
 */

import { murmur2 } from './murmur2.ts';

/**
 * Kafka's `Utils.toPositive`: clears the sign bit. Not `Math.abs`, which differs for negative
 * numbers and for -2^31.
 *
 * @example
 * toPositive(-790332482); // 1357151166
 */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/**
 * The partition of a record whose key serializes to `keyBytes`, among `numPartitions`.
 *
 * Throws `TypeError` when `numPartitions` is not a positive integer.
 *
 * @example
 * defaultPartition(Buffer.from('user-42'), 6); // the same partition the Java producer picks
 */
export function defaultPartition(keyBytes: Uint8Array, numPartitions: number): number {
  if (!Number.isInteger(numPartitions) || numPartitions < 1 || numPartitions > 0x7fffffff) {
    throw new TypeError(`numPartitions must be a positive integer; got ${numPartitions}`);
  }
  return toPositive(murmur2(keyBytes)) % numPartitions;
}
