import { SerializationError } from '../../errors.ts';
import type { Serde } from '../../serde/index.ts';
import type { JoinWindows } from '../join-windows.ts';
import { OUTER_JOIN_EMIT_INTERVAL_CONFIG } from '../internal/task.ts';
import type { ProcessorContext, ProcessorSupplier, StreamRecord } from '../processor.ts';
import type { MeteredKeyValueStore } from '../state/metered-store.ts';
import { readInt64, writeInt64 } from '../state/value-and-timestamp.ts';
import type { JoinWindowStore } from '../state/join-window-store.ts';

/** Stream time shared by both sides of one join in one task (Kafka's `TimeTracker`). */
export interface JoinTimeTracker {
  streamTime: number;
  /** The earliest record that may wait in the outer-join store (a lower bound, as Kafka keeps it). */
  minTime: number;
  /** Clock ms before which the outer-join store is not scanned again (Kafka's emit throttle). */
  nextTimeToEmit: number;
}

/** The trackers of one join: one per task, shared by its two sides, dropped when the task closes. */
export interface JoinTimeTrackers {
  get(taskId: string): JoinTimeTracker;
  remove(taskId: string): void;
}

/** Kafka's `TimeTrackerSupplier`. */
export function joinTimeTrackers(): JoinTimeTrackers {
  const trackers = new Map<string, JoinTimeTracker>();
  return {
    get(taskId) {
      let t = trackers.get(taskId);
      if (t === undefined) {
        t = { streamTime: -1, minTime: NO_MIN_TIME, nextTimeToEmit: 0 };
        trackers.set(taskId, t);
      }
      return t;
    },
    remove(taskId) {
      trackers.delete(taskId);
    },
  };
}

/** Kafka's `Long.MAX_VALUE`: no record waits in the outer-join store. */
const NO_MIN_TIME = Number.MAX_SAFE_INTEGER;

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
      writeInt64(out, 0, k.timestamp);
      out[8] = k.left ? 1 : 0;
      out.set(key, 9);
      return out;
    },
    deserialize(topic, data) {
      if (data === null) return null;
      if (data.length < 9)
        throw new SerializationError(`outer-join key of ${data.length} bytes is too short`, { topic });
      const timestamp = readInt64(data, 0);
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
 * Kafka's KStreamJoinWindow: passes each record on to the join and puts each keyed one into its
 * side's window store (keyed by its timestamp, duplicates kept).
 */
export function kstreamJoinWindow<K, V>(storeName: string): ProcessorSupplier<K, V> {
  return () => {
    let store: JoinWindowStore<K, V>;
    let ctx: ProcessorContext<K, V>;
    return {
      init(c) {
        ctx = c;
        store = c.getStateStore(storeName);
      },
      process(record) {
        ctx.forward(record);
        if (record.key === null || record.key === undefined) return;
        store.putWithTimestamp(record.key, record.value, record.timestamp, record.timestamp);
      },
    };
  };
}

/**
 * Kafka's KStreamKStreamJoin, one side of it: a record joins every record of the other side's
 * window store within the join window (stamped with the larger timestamp). For an `outer` side
 * (the left of a left join, both of an outer join) a record that joins nothing waits in the
 * outer-join store; a later match removes it. Whenever a record moves stream time on, waiting
 * records whose window plus grace lies behind stream time are emitted with null for the other
 * side, in (timestamp, right before left, key) order and stamped with their own timestamps, at most
 * once per emit interval of the clock. A record already that late is emitted at once. For an
 * `outer` side a null-key record is emitted at once with null for the other side (KIP-962); other
 * records with a null key or value are dropped.
 */
export function kstreamStreamJoin<K, VThis, VOther, VR>(options: {
  otherStore: string;
  outerStore: string | undefined;
  windows: JoinWindows;
  thisIsLeft: boolean;
  outer: boolean;
  joiner: (key: K, left: unknown, right: unknown) => VR;
  trackers: JoinTimeTrackers;
}): ProcessorSupplier<K, VThis, K, VR> {
  const { windows, thisIsLeft, outer } = options;
  const beforeMs = thisIsLeft ? windows.beforeMs : windows.afterMs;
  const afterMs = thisIsLeft ? windows.afterMs : windows.beforeMs;
  const graceMs = windows.graceMs;
  const join = (key: K, mine: unknown, other: unknown) =>
    thisIsLeft ? options.joiner(key, mine, other) : options.joiner(key, other, mine);
  return () => {
    let other: JoinWindowStore<K, VOther>;
    let outerStore: MeteredKeyValueStore<OuterKey<K>, OuterValue[]> | undefined;
    let time: JoinTimeTracker;
    let ctx: ProcessorContext<K, VR>;
    let emitIntervalMs = 1000;

    // Kafka's emitNonJoinedOuterRecords, comparison for comparison.
    const emitNonJoined = (store: MeteredKeyValueStore<OuterKey<K>, OuterValue[]>, record: StreamRecord<K, VThis>) => {
      // Kafka's minTime is Long.MAX_VALUE while nothing waits, and MAX_VALUE + after + grace
      // overflows to a negative number: the check then passes (and the throttle below is reset).
      const nothingWaits = time.minTime === NO_MIN_TIME;
      if (nothingWaits ? afterMs + graceMs === 0 : time.minTime + afterMs + graceMs >= time.streamTime) return;
      const now = ctx.currentSystemTimeMs();
      if (now < time.nextTimeToEmit) return;
      time.nextTimeToEmit = now + emitIntervalMs;
      time.minTime = NO_MIN_TIME;
      let leftOpen = false;
      let rightOpen = false;
      for (const { key, value } of store.all()) {
        time.minTime = key.timestamp;
        if (leftOpen && rightOpen) break;
        // A left record may still be joined by right records up to `after` later, a right one by
        // left records up to `before` later.
        const lookBackMs = key.left ? windows.afterMs : windows.beforeMs;
        if (time.minTime + lookBackMs + graceMs >= time.streamTime) {
          if (key.left) leftOpen = true;
          else rightOpen = true;
          continue;
        }
        for (const v of value) {
          const joined = v.left ? options.joiner(key.key, v.value, null) : options.joiner(key.key, null, v.value);
          ctx.forward({ ...record, key: key.key, value: joined, timestamp: key.timestamp });
        }
        store.delete(key);
      }
    };

    return {
      init(c) {
        ctx = c;
        other = c.getStateStore(options.otherStore);
        time = options.trackers.get(c.taskId);
        if (options.outerStore !== undefined) {
          outerStore = c.getStateStore(options.outerStore);
          const configured = c.appConfigs()[OUTER_JOIN_EMIT_INTERVAL_CONFIG];
          if (typeof configured === 'number') emitIntervalMs = configured;
        }
      },
      process(record) {
        const ts = record.timestamp;
        const key = record.key;
        if (ts > time.streamTime) time.streamTime = ts;
        if (outer && (key === null || key === undefined) && record.value !== null && record.value !== undefined) {
          ctx.forward({ ...record, value: join(key, record.value, null) });
          return;
        }
        if (key === null || key === undefined || record.value === null || record.value === undefined) return;
        if (outerStore !== undefined && ts === time.streamTime) emitNonJoined(outerStore, record);
        const from = Math.max(0, ts - beforeMs);
        const to = Math.max(0, ts + afterMs);
        // The other side's records in the window, oldest first: the store's own list, walked
        // while the joined records go downstream (nothing downstream of a join writes its stores).
        let matched = false;
        for (let m = other.firstSlot(key, from, to); m !== undefined && m.start <= to; m = m.newer) {
          matched = true;
          if (outerStore !== undefined) {
            // The other record found its match: it no longer waits to be emitted unmatched.
            const waiting: OuterKey<K> = { timestamp: m.start, left: !thisIsLeft, key };
            if (outerStore.get(waiting) !== null) outerStore.delete(waiting);
          }
          ctx.forward({
            ...record,
            value: join(key, record.value, other.valueOf(m)),
            timestamp: Math.max(ts, m.start),
          });
        }
        if (matched || !outer) return;
        if (outerStore === undefined || to < time.streamTime) {
          ctx.forward({ ...record, value: join(key, record.value, null) });
          return;
        }
        if (ts < time.minTime) time.minTime = ts;
        const k = { timestamp: ts, left: thisIsLeft, key };
        outerStore.put(k, [...(outerStore.get(k) ?? []), { left: thisIsLeft, value: record.value }]);
      },
      close() {
        options.trackers.remove(ctx.taskId);
      },
    };
  };
}
