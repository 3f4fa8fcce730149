/**
 * MurmurHash3 x64 128-bit with Kafka Streams' seed (104729), as Kafka's `Murmur3.hash128`: the
 * foreign-key join stamps each subscription with the hash of the serialized primary value, so a
 * response computed for a value that has since changed is recognised and dropped. The two 64-bit
 * halves are returned as Kafka writes them: 16 bytes, each half big-endian.
 */
const MASK = (1n << 64n) - 1n;
const C1 = 0x87c37b91114253d5n;
const C2 = 0x4cf5ad432745937fn;
const SEED = 104729n;

function rotl(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & MASK;
}

function fmix(h: bigint): bigint {
  let x = h ^ (h >> 33n);
  x = (x * 0xff51afd7ed558ccdn) & MASK;
  x ^= x >> 33n;
  x = (x * 0xc4ceb9fe1a85ec53n) & MASK;
  return x ^ (x >> 33n);
}

/** Little-endian 64-bit word of `length` (≤ 8) bytes at `at`. */
function word(data: Uint8Array, at: number, length: number): bigint {
  let k = 0n;
  for (let i = length - 1; i >= 0; i--) k = (k << 8n) | BigInt(data[at + i]!);
  return k;
}

function mixK1(k: bigint): bigint {
  return (rotl((k * C1) & MASK, 31n) * C2) & MASK;
}

function mixK2(k: bigint): bigint {
  return (rotl((k * C2) & MASK, 33n) * C1) & MASK;
}

/** Kafka's `Murmur3.hash128(data)`: h1 then h2, each as 8 big-endian bytes. */
export function murmur3Hash128(data: Uint8Array): Uint8Array {
  let h1 = SEED;
  let h2 = SEED;
  const blocks = data.length >> 4;
  for (let i = 0; i < blocks; i++) {
    const at = i << 4;
    h1 ^= mixK1(word(data, at, 8));
    h1 = rotl(h1, 27n);
    h1 = (h1 + h2) & MASK;
    h1 = (h1 * 5n + 0x52dce729n) & MASK;
    h2 ^= mixK2(word(data, at + 8, 8));
    h2 = rotl(h2, 31n);
    h2 = (h2 + h1) & MASK;
    h2 = (h2 * 5n + 0x38495ab5n) & MASK;
  }
  const tail = blocks << 4;
  const rest = data.length - tail;
  if (rest > 8) h2 ^= mixK2(word(data, tail + 8, rest - 8));
  if (rest > 0) h1 ^= mixK1(word(data, tail, Math.min(rest, 8)));
  const length = BigInt(data.length);
  h1 ^= length;
  h2 ^= length;
  h1 = (h1 + h2) & MASK;
  h2 = (h2 + h1) & MASK;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = (h1 + h2) & MASK;
  h2 = (h2 + h1) & MASK;
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, h1);
  view.setBigUint64(8, h2);
  return out;
}
