import type { Change } from '../internal/change.ts';
import { windowedTableForwarder } from '../internal/table.ts';
import type { ProcessorSupplier } from '../processor.ts';
import type { MeteredWindowStore } from '../state/window-store.ts';
import type { TimeWindows, Windowed } from '../windows.ts';

/**
 * Kafka's KStreamWindowAggregate: a record is added to every window of `windows` containing its
 * timestamp that is still open, i.e. whose end is after stream time minus the grace period; a
 * record for none of them is late, dropped and counted in the store's `metrics.droppedRecords`
 * (Kafka's dropped-records metric). Each updated window is stored and forwarded
 * as a change of `Windowed<K>` stamped with max(record timestamp, window aggregate's timestamp).
 * Records with a null key or value are dropped.
 */
export function kstreamWindowAggregate<K, V, VA>(
  storeName: string,
  windows: TimeWindows,
  initializer: (() => VA) | undefined,
  aggregator: (key: K, value: V, aggregate: VA | null) => VA,
): ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
  return () => {
    let store: MeteredWindowStore<K, VA>;
    let streamTime: () => number;
    let forward: ReturnType<typeof windowedTableForwarder<K, VA>>;
    return {
      init(ctx) {
        store = ctx.getStateStore(storeName);
        streamTime = () => ctx.currentStreamTimeMs();
        forward = windowedTableForwarder(ctx, store);
      },
      process(record) {
        if (record.key === null || record.key === undefined || record.value === null || record.value === undefined)
          return;
        const closeTime = Math.max(streamTime(), record.timestamp) - windows.graceMs;
        const ts = record.timestamp;
        const size = windows.sizeMs;
        const advance = windows.advanceMs;
        let added = false;
        // The windows containing the record, by start (TimeWindows.windowsFor, without the array).
        for (
          let start = Math.floor(Math.max(0, ts - size + advance) / advance) * advance;
          start <= ts;
          start += advance
        ) {
          const end = start + size;
          if (end <= closeTime) continue;
          added = true;
          const oldValue = store.fetchStamped(record.key, start);
          const next = aggregator(
            record.key,
            record.value,
            oldValue ?? (initializer !== undefined ? initializer() : null),
          );
          const timestamp = oldValue === null ? ts : Math.max(ts, store.stampedAt);
          store.putWithTimestamp(record.key, next, start, timestamp);
          forward?.(record.key, { start, end }, next, oldValue, timestamp);
        }
        if (!added) store.metrics.droppedRecords++;
      },
    };
  };
}
