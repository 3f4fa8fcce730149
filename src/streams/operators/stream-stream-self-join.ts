import type { JoinWindows } from '../join-windows.ts';
import type { ProcessorSupplier } from '../processor.ts';
import type { JoinWindowStore } from '../state/join-window-store.ts';

/**
 * Kafka's KStreamKStreamSelfJoin (`topology.optimization` single.store.self.join): an inner join of
 * a stream with itself over the one window store its windowed node fills (after this node has seen
 * the record, as Kafka's KStreamJoinWindow puts it). A record joins the earlier records in
 * `[ts - before, ts + after]` as the left side, then those in `[ts - after, ts + before]` as the
 * right side, with the join with itself put in timestamp order among the latter; each result is
 * stamped with the larger timestamp. The join with itself is left out once the record is older than
 * stream time by the store's retention, as Kafka leaves it out. Records with a null key or value
 * are dropped.
 */
export function kstreamStreamSelfJoin<K, V, VR>(
  storeName: string,
  windows: JoinWindows,
  joiner: (key: K, left: V, right: V) => VR,
): ProcessorSupplier<K, V, K, VR> {
  const retentionMs = windows.beforeMs + windows.afterMs + windows.graceMs;
  return () => {
    let store: JoinWindowStore<K, V>;
    let forward: (record: { key: K; value: VR; timestamp: number; headers?: unknown }) => void;
    let streamTime = Number.NEGATIVE_INFINITY;
    return {
      init(ctx) {
        store = ctx.getStateStore(storeName);
        forward = (record) => ctx.forward(record as never);
      },
      process(record) {
        const key = record.key;
        const value = record.value;
        if (key === null || key === undefined || value === null || value === undefined) return;
        const ts = record.timestamp;
        if (ts > streamTime) streamTime = ts;
        const emitSelf = ts > streamTime - retentionMs + 1;
        // The join with itself, made when it is forwarded (the joiner runs only for what goes out).
        const self = () => forward({ ...record, value: joiner(key, value, value), timestamp: ts });
        // As the left side: the other records in [ts - before, ts + after].
        let from = Math.max(0, ts - windows.beforeMs);
        let to = Math.max(0, ts + windows.afterMs);
        for (let m = store.firstSlot(key, from, to); m !== undefined && m.start <= to; m = m.newer)
          forward({ ...record, value: joiner(key, value, store.valueOf(m)), timestamp: Math.max(ts, m.start) });
        // As the right side: the records in [ts - after, ts + before], the join with itself first
        // among those later than the record.
        from = Math.max(0, ts - windows.afterMs);
        to = Math.max(0, ts + windows.beforeMs);
        let selfEmitted = false;
        for (let m = store.firstSlot(key, from, to); m !== undefined && m.start <= to; m = m.newer) {
          const stamp = Math.max(ts, m.start);
          if (ts < stamp && !selfEmitted && emitSelf) {
            selfEmitted = true;
            self();
          }
          forward({ ...record, value: joiner(key, store.valueOf(m), value), timestamp: stamp });
        }
        if (!selfEmitted && emitSelf) self();
      },
    };
  };
}
