import type { Change } from '../internal/change.ts';
import { type ClosedWindows, windowCloseEmitter } from '../internal/window-close.ts';
import type { ProcessorSupplier } from '../processor.ts';
import type { MeteredSessionStore } from '../state/session-store.ts';
import type { SessionWindows, Window, Windowed } from '../windows.ts';

/**
 * Kafka's KStreamSessionWindowAggregate: a record opens the session `[ts, ts]`, merged with every
 * stored session of its key that ends no earlier than `ts - gap` and starts no later than
 * `ts + gap`. Merged sessions are removed (each forwarded as a tombstone change stamped with its
 * end) and the merged session is stored and forwarded stamped with its end. A record whose merged
 * session ends before stream time minus grace minus gap is late: dropped and counted in the store's
 * `metrics.droppedRecords`. Records with a null key or value are dropped. Over a cached store the
 * updates go out when the cache writes them through (at a commit), each session once with its
 * latest value, as Kafka's caching session store forwards them. With `emitOnClose`
 * (`EmitStrategy.onWindowClose()`) no update is forwarded: after each record, the sessions that
 * have closed since the last emit (ending before stream time minus grace minus gap) are forwarded
 * once each, stamped with their end (see window-close.ts), as Kafka's emit-final session aggregation.
 */
export function kstreamSessionAggregate<K, V, VA>(
  storeName: string,
  windows: SessionWindows,
  initializer: () => VA,
  aggregator: (key: K, value: V, aggregate: VA) => VA,
  merger: (key: K, left: VA, right: VA) => VA,
  emitOnClose = false,
): ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
  // Session ends are inclusive: a session ending one ms before the close time has closed.
  const closed = (store: MeteredSessionStore<K, VA>): ClosedWindows<K, VA> => ({
    lower: (last) => Math.max(0, last ?? -1),
    upper: (closeTime) => closeTime - 1,
    // A session can be a single instant: the bounds may be equal.
    anyNew: (lower, upper) => upper >= lower,
    read: (lower, upper) =>
      store
        .findSessionsEndingIn(lower, upper)
        .map((s) => ({ key: s.key, value: { value: s.value, timestamp: s.key.window.end } })),
  });
  return () => {
    let store: MeteredSessionStore<K, VA>;
    // The newest timestamp this processor has seen (Kafka's processor-local observedStreamTime).
    let observed = -1;
    // Undefined when updates go out otherwise (at the cache's flush, or on window close): the
    // records are then not even made.
    let forward: ((record: { key: Windowed<K>; value: Change<VA>; timestamp: number }) => void) | undefined;
    let emitClosed: ReturnType<typeof windowCloseEmitter<K, VA>> | undefined;
    return {
      init(ctx) {
        store = ctx.getStateStore(storeName);
        if (emitOnClose) emitClosed = windowCloseEmitter(ctx, storeName, closed(store));
        else if (
          // A cached store forwards what its flushes write through (Kafka's SessionCacheFlushListener).
          !store.setFlushListener((key, newValue, oldValue, timestamp) =>
            ctx.forward({ key, value: { newValue, oldValue }, timestamp }),
          )
        )
          forward = (r) => ctx.forward(r);
      },
      process(record) {
        if (record.key === null || record.key === undefined || record.value === null || record.value === undefined)
          return;
        const ts = record.timestamp;
        observed = Math.max(observed, ts);
        const closeTime = observed - windows.graceMs - windows.gapMs;
        const found = store.findSessions(record.key, ts - windows.gapMs, ts + windows.gapMs);
        let merged = initializer();
        let window: Window = { start: ts, end: ts };
        for (const session of found) {
          merged = merger(record.key, merged, session.value);
          window = {
            start: Math.min(window.start, session.key.window.start),
            end: Math.max(window.end, session.key.window.end),
          };
        }
        if (window.end < closeTime) {
          store.metrics.droppedRecords++;
          emitClosed?.(record, closeTime);
          return;
        }
        // As Kafka's: a record that lands on a session of just its own timestamp updates it in
        // place; only a session that grows replaces (and retracts) the ones it absorbs.
        const grows = window.start !== ts || window.end !== ts;
        for (const session of grows ? found : []) {
          store.remove(session.key);
          forward?.({
            key: session.key,
            value: { newValue: null, oldValue: session.value },
            timestamp: session.key.window.end,
          });
        }
        const aggregate = aggregator(record.key, record.value, merged);
        const key = { key: record.key, window };
        store.put(key, aggregate);
        forward?.({ key, value: { newValue: aggregate, oldValue: null }, timestamp: window.end });
        emitClosed?.(record, closeTime);
      },
    };
  };
}
