import type { Change } from '../internal/change.ts';
import { operate } from '../internal/operate.ts';
import { materializing } from '../internal/table.ts';
import type { ProcessorSupplier } from '../processor.ts';

/**
 * Kafka's KTableSource: a record is an upsert into the table's store (a null value deletes), and
 * the change (new, old) goes downstream. Null keys are dropped.
 */
export function ktableSource<K, V>(storeName: string): ProcessorSupplier<K, V, K, Change<V>> {
  return materializing<K, V, V>(storeName, (_key, value) => value ?? null);
}

/**
 * Kafka's KTableSource of a table that is not queryable: its store exists only once something
 * needed it (`store.name` set by the time the topology runs: a join reading the table, a groupBy
 * or suppress needing its old values). Without one, each record goes downstream as a change with
 * no old value (null keys dropped, as with a store). Which of the two a task runs is picked when it
 * makes the processor, so records go straight to it.
 */
export function ktableSourceOnDemand<K, V>(store: { name: string | undefined }): ProcessorSupplier<K, V, K, Change<V>> {
  const unstored = operate<K, V, K, Change<V>>((record, c) => {
    if (record.key === null || record.key === undefined) return;
    c.forward({ ...record, value: { newValue: record.value ?? null, oldValue: null } });
  });
  return () => (store.name !== undefined ? ktableSource<K, V>(store.name)() : unstored());
}
