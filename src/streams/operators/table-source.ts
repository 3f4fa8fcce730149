import type { Change } from '../internal/change.ts';
import { materializing } from '../internal/table.ts';
import type { ProcessorSupplier } from '../processor.ts';

/**
 * Kafka's KTableSource: a record is an upsert into the table's store (a null value deletes), and
 * the change (new, old) goes downstream. Null keys are dropped.
 */
export function ktableSource<K, V>(storeName: string): ProcessorSupplier<K, V, K, Change<V>> {
  return materializing<K, V, V>(storeName, (_key, value) => value ?? null);
}
