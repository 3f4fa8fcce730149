import { SerializationError } from '../../errors.ts';
import type { Serde } from '../../serde/index.ts';
import type { JoinWindows } from '../join-windows.ts';
import type { ProcessorContext, ProcessorSupplier } from '../processor.ts';
import type { MeteredKeyValueStore } from '../state/metered-store.ts';
import type { MeteredWindowStore } from '../state/window-store.ts';

/** Stream time shared by both sides of one join in one task (Kafka's `TimeTracker`). */
export interface JoinTimeTracker {
  streamTime: number;
  minTime: number;
}

/** A key of the outer-join store: unmatched records by timestamp, side (right first), then key. */
export interface OuterKey<K> {
  timestamp: number;
  left: boolean;
  key: K;
}

/** One unmatched record's value, from the left or the right. */
export interface OuterValue {
  left: boolean;
  value: unknown;
}

/** Kafka's `TimestampedKeyAndJoinSideSerializer` layout: `timestamp int64 | side u8 (1 = left) | key`. */
export function outerKeySerde<K>(keySerde: () => Serde<K>): Serde<OuterKey<K>> {
  return {
    serialize(topic, k) {
      if (k === null) return null;
      const key = keySerde().serialize(topic, k.key) ?? new Uint8Array();
      const out = new Uint8Array(9 + key.length);
      new DataView(out.buffer).setBigInt64(0, BigInt(k.timestamp));
      out[8] = k.left ? 1 : 0;
      out.set(key, 9);
      return out;
    },
    deserialize(topic, data) {
      if (data === null) return null;
      if (data.length < 9)
        throw new SerializationError(`outer-join key of ${data.length} bytes is too short`, { topic });
      const timestamp = Number(new DataView(data.buffer, data.byteOffset, data.byteLength).getBigInt64(0));
      return { timestamp, left: data[8] === 1, key: keySerde().deserialize(topic, data.subarray(9)) as K };
    },
  };
}

/** The unmatched values of one outer key: `count u32`, then per value `side u8 | length u32 | bytes`. */
export function outerValuesSerde(
  leftSerde: () => Serde<unknown>,
  rightSerde: () => Serde<unknown>,
): Serde<OuterValue[]> {
  return {
    serialize(topic, values) {
      if (values === null) return null;
      const parts = values.map((v) => ({
        left: v.left,
        bytes: (v.left ? leftSerde() : rightSerde()).serialize(topic, v.value) ?? new Uint8Array(),
      }));
      const out = new Uint8Array(4 + parts.reduce((n, p) => n + 5 + p.bytes.length, 0));
      const view = new DataView(out.buffer);
      view.setUint32(0, parts.length);
      let at = 4;
      for (const p of parts) {
        out[at] = p.left ? 1 : 0;
        view.setUint32(at + 1, p.bytes.length);
        out.set(p.bytes, at + 5);
        at += 5 + p.bytes.length;
      }
      return out;
    },
    deserialize(topic, data) {
      if (data === null) return null;
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      const n = view.getUint32(0);
      const out: OuterValue[] = [];
      let at = 4;
      for (let i = 0; i < n; i++) {
        const left = data[at] === 1;
        const length = view.getUint32(at + 1);
        out.push({
          left,
          value: (left ? leftSerde() : rightSerde()).deserialize(topic, data.subarray(at + 5, at + 5 + length)),
        });
        at += 5 + length;
      }
      return out;
    },
  };
}

/**
 * Kafka's KStreamJoinWindow: puts each keyed record into its side's window store (keyed by its
 * timestamp, duplicates kept) and passes it on to the join.
 */
export function kstreamJoinWindow<K, V>(storeName: string): ProcessorSupplier<K, V> {
  return () => {
    let store: MeteredWindowStore<K, V>;
    let ctx: ProcessorContext<K, V>;
    return {
      init(c) {
        ctx = c;
        store = c.getStateStore(storeName);
      },
      process(record) {
        if (record.key === null || record.key === undefined) return;
        ctx.forward(record);
        store.putWithTimestamp(record.key, record.value, record.timestamp, record.timestamp);
      },
    };
  };
}

/**
 * Kafka's KStreamKStreamJoin, one side of it: a record joins every record of the other side's
 * window store within the join window (stamped with the larger timestamp). For an `outer` side
 * (the left of a left join, both of an outer join) a record that joins nothing goes to the outer-join store, and is emitted with null for the
 * other side once stream time passes its window plus grace (at once when it is already that late);
 * a later match removes it. Records with a null key or value are dropped.
 */
export function kstreamStreamJoin<K, VThis, VOther, VR>(options: {
  otherStore: string;
  outerStore: string | undefined;
  windows: JoinWindows;
  thisIsLeft: boolean;
  outer: boolean;
  joiner: (key: K, left: unknown, right: unknown) => VR;
  tracker: (taskId: string) => JoinTimeTracker;
}): ProcessorSupplier<K, VThis, K, VR> {
  const { windows, thisIsLeft, outer } = options;
  const beforeMs = thisIsLeft ? windows.beforeMs : windows.afterMs;
  const afterMs = thisIsLeft ? windows.afterMs : windows.beforeMs;
  const join = (key: K, mine: unknown, other: unknown) =>
    thisIsLeft ? options.joiner(key, mine, other) : options.joiner(key, other, mine);
  const lookBack = (k: OuterKey<K>) => (k.left ? windows.afterMs : windows.beforeMs);
  return () => {
    let other: MeteredWindowStore<K, VOther>;
    let outerStore: MeteredKeyValueStore<OuterKey<K>, OuterValue[]> | undefined;
    let time: JoinTimeTracker;
    let forward: (key: K, value: VR, timestamp: number) => void;

    const emitClosed = () => {
      if (outerStore === undefined || time.minTime + afterMs + windows.graceMs >= time.streamTime) return;
      time.minTime = Number.MAX_SAFE_INTEGER;
      for (const { key, value } of outerStore.all()) {
        time.minTime = Math.min(time.minTime, key.timestamp);
        if (key.timestamp + lookBack(key) + windows.graceMs >= time.streamTime) continue;
        for (const v of value)
          forward(
            key.key,
            v.left ? options.joiner(key.key, v.value, null) : options.joiner(key.key, null, v.value),
            key.timestamp,
          );
        outerStore.delete(key);
      }
    };

    return {
      init(ctx) {
        other = ctx.getStateStore(options.otherStore);
        if (options.outerStore !== undefined) outerStore = ctx.getStateStore(options.outerStore);
        time = options.tracker(ctx.taskId);
        forward = (key, value, timestamp) => ctx.forward({ key, value, timestamp });
      },
      process(record) {
        const ts = record.timestamp;
        time.streamTime = Math.max(time.streamTime, ts);
        if (record.key === null || record.key === undefined || record.value === null || record.value === undefined)
          return;
        if (ts === time.streamTime) emitClosed();
        const from = Math.max(0, ts - beforeMs);
        const to = Math.max(0, ts + afterMs);
        const matches = other.fetchWithTimestamps(record.key, from, to);
        for (const m of matches) {
          // The other record found its match: it is no longer waiting to be emitted unmatched.
          outerStore?.delete({ timestamp: m.start, left: !thisIsLeft, key: record.key });
          forward(record.key, join(record.key, record.value, m.value.value), Math.max(ts, m.start));
        }
        if (matches.length > 0 || !outer) return;
        if (outerStore === undefined || to < time.streamTime) {
          forward(record.key, join(record.key, record.value, null), ts);
          return;
        }
        time.minTime = Math.min(time.minTime, ts);
        const k = { timestamp: ts, left: thisIsLeft, key: record.key };
        outerStore.put(k, [...(outerStore.get(k) ?? []), { left: thisIsLeft, value: record.value }]);
      },
    };
  };
}
