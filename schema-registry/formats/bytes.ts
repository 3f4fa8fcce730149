/**
 * Buffers on the plugins' hot paths: taking bytes as a Buffer without a copy, and the exact-size copy
 * out of a scratch buffer that encoders end with.
 */
// Imported rather than the global: Node's `globalThis.Buffer` is a getter, called at every use.
import { Buffer } from 'node:buffer';

/**
 * A view of bytes as a Buffer without copying (avsc and the JSON reader need one). A Buffer is told
 * by the method they read text with, `utf8Slice`: a property lookup, where `Buffer.isBuffer`'s
 * instanceof walk costs as much as decoding a small record's field.
 */
export function asBuffer(data: Uint8Array): Buffer {
  return (data as Partial<{ utf8Slice: unknown }>).utf8Slice !== undefined
    ? (data as Buffer)
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** The first `end` bytes of `from`, in a new buffer. */
export function copyOut(from: Uint8Array, end: number): Buffer {
  if (end > 64) return copyOutLarge(from, end);
  // Up to 64 bytes V8 keeps a typed array's bytes in the object: `Buffer.alloc` is then one small
  // allocation, cheaper than a slice of `allocUnsafe`'s pool (an off-heap ArrayBuffer per 8 KiB);
  // and `Buffer#copy`'s argument checks cost more than that many bytes. Small, as V8 inlines by size.
  const out = Buffer.alloc(end);
  for (let i = 0; i < end; i++) out[i] = from[i]!;
  return out;
}

function copyOutLarge(from: Uint8Array, end: number): Buffer {
  const out = Buffer.allocUnsafe(end);
  if (end <= 128) for (let i = 0; i < end; i++) out[i] = from[i]!;
  else out.set(from.subarray(0, end), 0);
  return out;
}
