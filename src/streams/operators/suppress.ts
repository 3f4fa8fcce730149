import { TributaryError } from '../../errors.ts';
import type { Serde } from '../../serde/index.ts';
import type { Change } from '../internal/change.ts';
import type { ProcessorSupplier } from '../processor.ts';
import type { MeteredKeyValueStore } from '../state/metered-store.ts';
import type { Suppressed } from '../suppressed.ts';

interface Buffered<K> {
  key: K;
  id: string;
  bufferTime: number;
  size: number;
}

/**
 * Kafka's KTableSuppressProcessor: each change is buffered per key in `storeName` (the latest new
 * value, the oldest old value, stamped with the record's timestamp; the store has a changelog, so
 * the buffer survives restarts), and keys are emitted in buffer-time order once their buffer time is
 * at or before stream time minus the wait. Buffer time is the window end for `untilWindowCloses`
 * (wait = the windows' grace), the record's timestamp for `untilTimeLimit`. Final results drop
 * tombstones (a window that never had a value has nothing to say). `maxBytes` counts each key's
 * serialized bytes plus a fixed 64 per entry, an estimate as Kafka's buffer size is.
 */
export function ktableSuppress<K, V>(
  storeName: string,
  suppressed: Suppressed,
  waitMs: number,
  bufferTime: (key: K, timestamp: number) => number,
  keySerde: () => Serde<K>,
): ProcessorSupplier<K, Change<V>, K, Change<V>> {
  const finalResults = suppressed.kind === 'window-close';
  return () => {
    let store: MeteredKeyValueStore<K, Change<V>>;
    // The time this processor has seen (Kafka's observedStreamTime): not the task's, which a
    // restart restores from the commit; the suppression starts over at none, as Kafka's does.
    let streamTime = -1;
    let serde: Serde<K>;
    const index = new Map<string, Buffered<K>>();
    let bytes = 0;
    let forward: (key: K, change: Change<V>, timestamp: number) => void;
    const idOf = (key: K) => Buffer.from(serde.serialize(storeName, key) ?? new Uint8Array()).toString('latin1');

    const emit = (entry: Buffered<K>) => {
      const stored = store.getWithTimestamp(entry.key);
      index.delete(entry.id);
      bytes -= entry.size;
      store.delete(entry.key);
      if (stored === null) return;
      if (stored.value.newValue === null && finalResults) return;
      forward(entry.key, stored.value, stored.timestamp);
    };

    const evict = () => {
      const expiry = streamTime - waitMs;
      const due = [...index.values()].filter((e) => e.bufferTime <= expiry).sort(order);
      for (const e of due) emit(e);
      const full = () => index.size > suppressed.buffer.maxRecords || bytes > suppressed.buffer.maxBytes;
      if (!full()) return;
      if (suppressed.buffer.whenFull === 'shut-down') {
        throw new TributaryError(
          'ILLEGAL_STATE',
          `suppression buffer ${storeName} is full (${index.size} records, ${bytes} bytes) and is set to shut down when full`,
          {
            store: storeName,
          },
        );
      }
      const oldest = [...index.values()].sort(order);
      for (const e of oldest) {
        if (!full()) break;
        emit(e);
      }
    };

    return {
      init(ctx) {
        store = ctx.getStateStore(storeName);
        serde = keySerde();
        forward = (key, value, timestamp) => ctx.forward({ key, value, timestamp });
        // A restored buffer: rebuild the time index from the store.
        for (const { key, value } of store.rangeWithTimestamp(null, null)) {
          const id = idOf(key);
          index.set(id, { key, id, bufferTime: bufferTime(key, value.timestamp), size: id.length + 64 });
          bytes += id.length + 64;
        }
      },
      process(record) {
        if (record.key === null || record.key === undefined) return;
        streamTime = Math.max(streamTime, record.timestamp);
        const id = idOf(record.key);
        const previous = store.getWithTimestamp(record.key);
        const change: Change<V> = {
          newValue: record.value.newValue,
          oldValue: previous === null ? record.value.oldValue : previous.value.oldValue,
        };
        store.putWithTimestamp(record.key, change, record.timestamp);
        const old = index.get(id);
        if (old !== undefined) bytes -= old.size;
        const size = id.length + 64;
        index.set(id, { key: record.key, id, bufferTime: bufferTime(record.key, record.timestamp), size });
        bytes += size;
        evict();
      },
    };
  };
}

function order(a: Buffered<unknown>, b: Buffered<unknown>): number {
  return a.bufferTime - b.bufferTime || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
