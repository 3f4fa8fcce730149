import { SerializationError } from '../../errors.ts';
import type { Serde } from '../../serde/index.ts';

/** A table update as it flows between KTable nodes: the new value and the one it replaces. */
export interface Change<V> {
  readonly newValue: V | null;
  readonly oldValue: V | null;
}

/**
 * Serializes a `Change` for a table repartition topic: `flags u8 (1 = new, 2 = old) | newLength u32
 * | new | old`, each side by the value serde.
 */
export function changeSerde<V>(inner: Serde<V>): Serde<Change<V>> {
  return {
    serialize(topic, change) {
      if (change === null) return null;
      const n = change.newValue === null ? null : inner.serialize(topic, change.newValue);
      const o = change.oldValue === null ? null : inner.serialize(topic, change.oldValue);
      const out = new Uint8Array(5 + (n?.length ?? 0) + (o?.length ?? 0));
      out[0] = (n !== null ? 1 : 0) | (o !== null ? 2 : 0);
      new DataView(out.buffer).setUint32(1, n?.length ?? 0);
      if (n !== null) out.set(n, 5);
      if (o !== null) out.set(o, 5 + (n?.length ?? 0));
      return out;
    },
    deserialize(topic, data) {
      if (data === null) return null;
      if (data.length < 5)
        throw new SerializationError(`change record of ${data.length} bytes is too short`, { topic });
      const flags = data[0]!;
      const newLength = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(1);
      const newValue = flags & 1 ? inner.deserialize(topic, data.subarray(5, 5 + newLength)) : null;
      const oldValue = flags & 2 ? inner.deserialize(topic, data.subarray(5 + newLength)) : null;
      return { newValue, oldValue };
    },
  };
}
