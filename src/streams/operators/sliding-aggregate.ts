import type { Change } from '../internal/change.ts';
import { windowedTableForwarder } from '../internal/table.ts';
import { type ClosedWindows, windowCloseEmitter } from '../internal/window-close.ts';
import type { ProcessorSupplier, StreamRecord } from '../processor.ts';
import type { ValueAndTimestamp } from '../state/value-and-timestamp.ts';
import type { MeteredWindowStore } from '../state/window-store.ts';
import type { SlidingWindows, Window, Windowed } from '../windows.ts';

/** A stored window of the record's key: its start and its aggregate with the aggregate's timestamp. */
interface StoredWindow<VA> {
  start: number;
  value: ValueAndTimestamp<VA | null>;
}

/**
 * Kafka's KStreamSlidingWindowAggregate, step for step (its reverse-iterator path, which its
 * built-in stores take). A sliding window `[start, start + d]` exists for each record's left
 * window `[ts - d, ts]` and, once a later record falls in it, its right window `[ts + 1, ts + 1 + d]`;
 * both ends are inclusive. A record adds itself to the stored windows of its key that hold it, and
 * makes the windows it needs from the aggregates next to it, with no copy of the records: its left
 * window starts from the aggregate of the latest window before it when the previous record is
 * within `d`, its right window is the aggregate of the window that holds the records after it, and
 * the previous record's right window is made when this record is the first to fall in it. Records
 * earlier than `d` share the window `[0, d]` (Kafka's processEarly). A window whose end is before
 * stream time minus grace is not touched (a dropped record in the store's metrics, per window). A
 * record with a null key or value is dropped, as is one whose window `[ts, ts + d]` has closed.
 *
 * Each updated window is forwarded as a change of `Windowed<K>` stamped with the window's
 * timestamp (the latest of its records); with `emitOnClose` (`EmitStrategy.onWindowClose()`) each
 * window is forwarded once after it closes instead (see window-close.ts), after every record Kafka's
 * processor does not return early for (an early record, a record whose own window has closed).
 */
export function kstreamSlidingAggregate<K, V, VA>(
  storeName: string,
  windows: SlidingWindows,
  initializer: (() => VA) | undefined,
  aggregator: (key: K, value: V, aggregate: VA | null) => VA,
  emitOnClose = false,
): ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
  const d = windows.timeDifferenceMs;
  const initial = (): VA | null => (initializer !== undefined ? initializer() : null);
  // Both ends of a sliding window are inclusive: one ending at the close time is still open.
  const closed = (store: MeteredWindowStore<K, VA>): ClosedWindows<K, VA> => ({
    lower: (last) => (last === undefined ? 0 : Math.max(0, last - d)),
    upper: (closeTime) => closeTime - d - 1,
    read: (lower, upper) => store.fetchAllWithTimestamps(lower, upper),
  });
  return () => {
    let store: MeteredWindowStore<K, VA>;
    // The newest timestamp this processor has seen (Kafka's processor-local observedStreamTime).
    let observed = -1;
    let forward: ReturnType<typeof windowedTableForwarder<K, VA>>;
    let emitClosed: ReturnType<typeof windowCloseEmitter<K, VA>> | undefined;

    /** Adds the record to `window` (aggregate and timestamp as stored), stores and forwards it: Kafka's updateWindowAndForward. */
    const update = (
      record: StreamRecord<K, V>,
      window: Window,
      stored: ValueAndTimestamp<VA | null> | null,
      closeTime: number,
    ) => {
      if (window.end < closeTime) {
        store.metrics.droppedRecords++;
        return;
      }
      const oldAgg = stored === null ? null : stored.value;
      const newAgg = aggregator(record.key, record.value, oldAgg);
      const timestamp = oldAgg === null ? record.timestamp : Math.max(record.timestamp, stored!.timestamp);
      store.putWithTimestamp(record.key, newAgg, window.start, timestamp);
      forward?.(record.key, window, newAgg, oldAgg, timestamp);
    };

    /** A window that starts out as `stored`, empty when its value is null (Kafka's ValueAndTimestamp.make). */
    const made = (value: VA | null, timestamp: number): ValueAndTimestamp<VA | null> | null =>
      value === null ? null : { value, timestamp };

    const createCurrentRecordRightWindow = (record: StreamRecord<K, V>, rightWinAgg: ValueAndTimestamp<VA | null>) => {
      const window = { start: record.timestamp + 1, end: record.timestamp + 1 + d };
      store.putWithTimestamp(record.key, rightWinAgg.value, window.start, rightWinAgg.timestamp);
      forward?.(record.key, window, rightWinAgg.value as VA, null, rightWinAgg.timestamp);
    };

    const createPreviousRecordRightWindow = (record: StreamRecord<K, V>, start: number, closeTime: number) =>
      update(record, { start, end: start + d }, made(initial(), record.timestamp), closeTime);

    const rightWindowIsNotEmpty = (rightWinAgg: ValueAndTimestamp<VA | null> | null, ts: number) =>
      rightWinAgg !== null && rightWinAgg.timestamp > ts;

    /** The key's stored windows starting between `from` and `to`, latest first. */
    const backward = (key: K, from: number, to: number): StoredWindow<VA>[] =>
      store.fetchWithTimestamps(key, from, to).reverse() as StoredWindow<VA>[];

    const processReverse = (record: StreamRecord<K, V>, closeTime: number) => {
      const ts = record.timestamp;
      const startTimes = new Set<number>();
      let leftWinAgg: ValueAndTimestamp<VA | null> | null = null;
      let rightWinAgg: ValueAndTimestamp<VA | null> | null = null;
      let leftWinAlreadyCreated = false;
      let rightWinAlreadyCreated = false;
      let previousRecordTimestamp: number | undefined;
      // One past the record, to catch its right window if it exists.
      for (const w of backward(record.key, Math.max(0, ts - 2 * d), ts + 1)) {
        startTimes.add(w.start);
        const end = w.start + d;
        const window = { start: w.start, end };
        if (w.start === ts + 1) {
          rightWinAlreadyCreated = true;
        } else if (end > ts) {
          rightWinAgg ??= w.value;
          update(record, window, w.value, closeTime);
        } else if (end === ts) {
          leftWinAlreadyCreated = true;
          update(record, window, w.value, closeTime);
          if (w.value.timestamp < ts) previousRecordTimestamp = w.value.timestamp;
          else return;
        } else {
          leftWinAgg = w.value;
          previousRecordTimestamp = w.value.timestamp;
          break;
        }
      }
      // Kafka's createWindows.
      if (previousRecordTimestamp !== undefined) {
        const previousRightStart = previousRecordTimestamp + 1;
        if (!startTimes.has(previousRightStart) && previousRightStart + d >= ts)
          createPreviousRecordRightWindow(record, previousRightStart, closeTime);
      }
      if (!leftWinAlreadyCreated) {
        const leftWindowNotEmpty = previousRecordTimestamp !== undefined && ts - d <= previousRecordTimestamp;
        const start = leftWindowNotEmpty ? made(leftWinAgg!.value, ts) : made(initial(), ts);
        update(record, { start: ts - d, end: ts }, start, closeTime);
      }
      if (!rightWinAlreadyCreated && rightWindowIsNotEmpty(rightWinAgg, ts))
        createCurrentRecordRightWindow(record, rightWinAgg!);
    };

    /** Records earlier than `d` share the window `[0, d]`; their right windows come as later records do. */
    const processEarly = (record: StreamRecord<K, V>, closeTime: number) => {
      const ts = record.timestamp;
      let combined: StoredWindow<VA> | undefined;
      let rightWinAgg: ValueAndTimestamp<VA | null> | null = null;
      let rightWinAlreadyCreated = false;
      const startTimes = new Set<number>();
      let previousRecordTimestamp: number | undefined;
      for (const w of store.fetchWithTimestamps(record.key, 0, ts + 1) as StoredWindow<VA>[]) {
        startTimes.add(w.start);
        if (w.start === 0) {
          combined = w;
          if (w.value.timestamp < ts) previousRecordTimestamp = w.value.timestamp;
        } else if (w.start <= ts) {
          rightWinAgg = w.value;
          update(record, { start: w.start, end: w.start + d }, w.value, closeTime);
        } else {
          rightWinAlreadyCreated = true;
        }
      }
      // Without a right window found, the combined window holds only records after this one when
      // its latest is later than this record.
      if (rightWinAgg === null && combined !== undefined && combined.value.timestamp > ts) rightWinAgg = combined.value;
      if (!rightWinAlreadyCreated && rightWindowIsNotEmpty(rightWinAgg, ts))
        createCurrentRecordRightWindow(record, rightWinAgg!);
      if (previousRecordTimestamp !== undefined && !startTimes.has(previousRecordTimestamp + 1))
        createPreviousRecordRightWindow(record, previousRecordTimestamp + 1, closeTime);
      if (combined === undefined) update(record, { start: 0, end: d }, made(initial(), ts), closeTime);
      else update(record, { start: 0, end: d }, combined.value, closeTime);
    };

    return {
      init(ctx) {
        store = ctx.getStateStore(storeName);
        if (emitOnClose) emitClosed = windowCloseEmitter(ctx, storeName, closed(store));
        else forward = windowedTableForwarder(ctx, store);
      },
      process(record) {
        if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
          store.metrics.droppedRecords++;
          return;
        }
        const ts = record.timestamp;
        observed = Math.max(observed, ts);
        const closeTime = observed - windows.graceMs;
        if (ts + d < closeTime) {
          store.metrics.droppedRecords++;
          return;
        }
        if (ts < d) {
          processEarly(record as StreamRecord<K, V>, closeTime);
          return;
        }
        processReverse(record as StreamRecord<K, V>, closeTime);
        emitClosed?.(record, closeTime);
      },
    };
  };
}
