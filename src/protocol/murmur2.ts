/**
 * The 32-bit MurmurHash2 variant of Kafka's Java client (`Utils.murmur2`): seed 0x9747b28c,
 * little-endian 4-byte blocks, signed int32 result. Keys hash to the same value here as in the
 * Java producer, so a keyed record lands on the same partition.
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/**
 * Kafka's murmur2 of `data`, as a signed 32-bit integer (Java's `int`).
 *
 * @example
 * murmur2(new TextEncoder().encode('foobar')); // -790332482
 */
export function murmur2(data: Uint8Array): number {
  return murmur2Prefix(data, data.length);
}

/**
 * Kafka's murmur2 of the first `length` bytes of `data`: a windowed key's partition is its key's,
 * and the key's bytes begin the serialized windowed key, so the sink hashes them in place.
 *
 * @example
 * murmur2Prefix(new TextEncoder().encode('foobar and more'), 6); // -790332482, as murmur2 of 'foobar'
 */
export function murmur2Prefix(data: Uint8Array, length: number): number {
  let h = SEED ^ length;
  const blocksEnd = length & ~3;
  for (let i = 0; i < blocksEnd; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // Java's switch falls through from the highest remaining byte down to the multiply.
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= data[blocksEnd + 2]! << 16;
    if (rest >= 2) h ^= data[blocksEnd + 1]! << 8;
    h ^= data[blocksEnd]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}
