import type { Change } from '../internal/change.ts';
import { windowedTableForwarder } from '../internal/table.ts';
import type { ProcessorSupplier } from '../processor.ts';
import type { MeteredWindowStore } from '../state/window-store.ts';
import type { SlidingWindows, Window, Windowed } from '../windows.ts';

/** A record kept for sliding windows: its value and the order it arrived in. */
export interface ArrivedValue<V> {
  seq: number;
  value: V;
}

/**
 * Kafka's KStreamSlidingWindowAggregate, by its results: a record at `ts` updates every stored
 * window of its key that covers it, creates its own left window `[ts - d, ts]`, its right window
 * `[ts + 1, ts + 1 + d]` when later records fall in it, and the right windows of earlier records
 * that now first hold a record. A window's aggregate folds the records it covers in the order they
 * arrived (so an out-of-order record comes last, as in Kafka), stamped with the latest timestamp
 * among them. The records themselves are kept in `recordsStore` (a window store with duplicates)
 * for as long as a window could still need them. Only windows whose end is at or after stream time
 * minus grace are touched; a record touching none is late, dropped and counted.
 */
export function kstreamSlidingAggregate<K, V, VA>(
  storeName: string,
  recordsStore: string,
  windows: SlidingWindows,
  initializer: (() => VA) | undefined,
  aggregator: (key: K, value: V, aggregate: VA | null) => VA,
): ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
  const d = windows.timeDifferenceMs;
  return () => {
    let store: MeteredWindowStore<K, VA>;
    let records: MeteredWindowStore<K, ArrivedValue<V>>;
    let streamTime: () => number;
    let forward: ReturnType<typeof windowedTableForwarder<K, VA>>;
    let seq = -1;
    return {
      init(ctx) {
        store = ctx.getStateStore(storeName);
        records = ctx.getStateStore(recordsStore);
        streamTime = () => ctx.currentStreamTimeMs();
        forward = windowedTableForwarder(ctx, store);
        for (const e of records.all()) seq = Math.max(seq, e.value.seq);
      },
      process(record) {
        if (record.key === null || record.key === undefined || record.value === null || record.value === undefined)
          return;
        const key = record.key;
        const ts = record.timestamp;
        const closeTime = Math.max(streamTime(), ts) - windows.graceMs;
        // Both ends are inclusive: a window is open while its end is at or after stream time - grace.
        const open = (w: Window) => w.end >= closeTime;
        // Every window this record can touch starts in [ts - d - 1, ts + 1]: collect their starts.
        const nearby = records.fetchWithTimestamps(key, ts - 2 * d - 1, ts + d + 1);
        const starts = new Set<number>([Math.max(0, ts - d)]);
        if (nearby.some((r) => r.start > ts && r.start <= ts + 1 + d)) starts.add(ts + 1);
        for (const r of nearby) if (r.start < ts && r.start + 1 + d >= ts) starts.add(r.start + 1);
        for (const w of store.fetchWithTimestamps(key, ts - d, ts)) starts.add(w.start);
        const touched = [...starts]
          .map((start) => ({ start, end: start + d }))
          .filter((w) => w.start <= ts + 1 && open(w));
        if (touched.length === 0) {
          store.metrics.droppedRecords++;
          return;
        }
        seq++;
        records.putWithTimestamp(key, { seq, value: record.value }, ts, ts);
        const all = [...nearby, { start: ts, value: { value: { seq, value: record.value }, timestamp: ts } }];
        for (const w of touched.sort((a, b) => a.start - b.start)) {
          const old = store.fetchWithTimestamp(key, w.start);
          // This record's own right window does not hold it: it is only made, never updated, here.
          if (w.start > ts && old !== null) continue;
          const inside = all
            .filter((r) => r.start >= w.start && r.start <= w.end)
            .sort((a, b) => a.value.value.seq - b.value.value.seq);
          if (inside.length === 0) continue;
          let aggregate: VA | null = initializer !== undefined ? initializer() : null;
          for (const r of inside) aggregate = aggregator(key, r.value.value.value, aggregate);
          const timestamp = Math.max(...inside.map((r) => r.start));
          store.putWithTimestamp(key, aggregate as VA, w.start, timestamp);
          forward?.(key, w, aggregate as VA, old === null ? null : old.value, timestamp);
        }
      },
    };
  };
}
