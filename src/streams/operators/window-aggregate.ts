import type { Change } from '../internal/change.ts';
import { windowedTableForwarder } from '../internal/table.ts';
import { type ClosedWindows, windowCloseEmitter } from '../internal/window-close.ts';
import type { ProcessorSupplier } from '../processor.ts';
import type { MeteredWindowStore } from '../state/window-store.ts';
import type { TimeWindows, Windowed } from '../windows.ts';

/**
 * Kafka's KStreamWindowAggregate: a record is added to every window of `windows` containing its
 * timestamp that is still open, i.e. whose end is after stream time minus the grace period; a
 * record for none of them is late, dropped and counted in the store's `metrics.droppedRecords`
 * (Kafka's dropped-records metric). Each updated window is stored and forwarded
 * as a change of `Windowed<K>` stamped with max(record timestamp, window aggregate's timestamp).
 * Records with a null key or value are dropped. With `emitOnClose` (`EmitStrategy.onWindowClose()`)
 * nothing is forwarded per update: each window is forwarded once after it closes (see
 * window-close.ts), as Kafka's emit-final windowed aggregation.
 */
export function kstreamWindowAggregate<K, V, VA>(
  storeName: string,
  windows: TimeWindows,
  initializer: (() => VA) | undefined,
  aggregator: (key: K, value: V, aggregate: VA | null) => VA,
  emitOnClose = false,
): ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
  const size = windows.sizeMs;
  const advance = windows.advanceMs;
  // The starts of the windows holding `ts` (TimeWindows.windowsFor): the first one and the last.
  const firstStart = (ts: number) => Math.floor(Math.max(0, ts - size + advance) / advance) * advance;
  const lastStart = (ts: number) => Math.floor(ts / advance) * advance;
  const closed = (store: MeteredWindowStore<K, VA>): ClosedWindows<K, VA> => ({
    // A window's end is exclusive: the one ending at the last close time was emitted then.
    lower: (last) => (last === undefined ? 0 : Math.max(0, last - size) + 1),
    upper: (closeTime) => closeTime - size,
    // Kafka compares the windows holding the two bounds: the same windows, nothing new closed.
    anyNew: (lower, upper) => {
      const before = lower - 1;
      return firstStart(upper) !== firstStart(before) || lastStart(upper) !== lastStart(before);
    },
    read: (lower, upper) => store.fetchAllWithTimestamps(lower, upper),
  });
  return () => {
    let store: MeteredWindowStore<K, VA>;
    // The newest timestamp this processor has seen (Kafka's processor-local observedStreamTime).
    let observed = -1;
    let forward: ReturnType<typeof windowedTableForwarder<K, VA>>;
    let emitClosed: ReturnType<typeof windowCloseEmitter<K, VA>> | undefined;
    return {
      init(ctx) {
        store = ctx.getStateStore(storeName);
        if (emitOnClose) emitClosed = windowCloseEmitter(ctx, storeName, closed(store));
        else forward = windowedTableForwarder(ctx, store);
      },
      process(record) {
        if (record.key === null || record.key === undefined || record.value === null || record.value === undefined)
          return;
        observed = Math.max(observed, record.timestamp);
        const closeTime = observed - windows.graceMs;
        const ts = record.timestamp;
        let added = false;
        // The windows containing the record, by start (TimeWindows.windowsFor, without the array).
        for (let start = firstStart(ts); start <= ts; start += advance) {
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
        emitClosed?.(record, closeTime);
      },
    };
  };
}
