import type { Change } from '../internal/change.ts';
import { tableForwarder } from '../internal/table.ts';
import type { ProcessorSupplier } from '../processor.ts';
import type { MeteredKeyValueStore } from '../state/metered-store.ts';

/**
 * Kafka's KTableSource: a record is an upsert into the table's store (a null value deletes), and
 * the change (new, old) goes downstream. Null keys are dropped.
 */
export function ktableSource<K, V>(storeName: string): ProcessorSupplier<K, V, K, Change<V>> {
  return () => {
    let store: MeteredKeyValueStore<K, V>;
    let forward: ReturnType<typeof tableForwarder<K, V>>;
    return {
      init(ctx) {
        store = ctx.getStateStore(storeName);
        forward = tableForwarder(ctx, store);
      },
      process(record) {
        if (record.key === null || record.key === undefined) return;
        const value = record.value ?? null;
        const old = store.get(record.key);
        store.put(record.key, value);
        forward(record, value, old);
      },
    };
  };
}
