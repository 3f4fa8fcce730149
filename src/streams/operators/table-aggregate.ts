import type { Change } from '../internal/change.ts';
import { tableForwarder } from '../internal/table.ts';
import type { ProcessorSupplier } from '../processor.ts';
import type { MeteredKeyValueStore } from '../state/metered-store.ts';

/**
 * Kafka's KTableAggregate (KGroupedTable count, reduce, aggregate): the subtractor takes the old
 * value out of the group's aggregate first, then the adder puts the new value in. Null keys are
 * dropped.
 */
export function ktableAggregate<K, V, VA>(
  storeName: string,
  initializer: (() => VA) | undefined,
  adder: (key: K, value: V, aggregate: VA | null) => VA,
  subtractor: (key: K, value: V, aggregate: VA) => VA | null,
): ProcessorSupplier<K, Change<V>, K, Change<VA>> {
  return () => {
    let store: MeteredKeyValueStore<K, VA>;
    let forward: ReturnType<typeof tableForwarder<K, VA>>;
    return {
      init(ctx) {
        store = ctx.getStateStore(storeName);
        forward = tableForwarder(ctx, store);
      },
      process(record) {
        if (record.key === null || record.key === undefined) return;
        const old = store.get(record.key);
        let agg: VA | null = old;
        if (record.value.oldValue !== null && agg !== null) agg = subtractor(record.key, record.value.oldValue, agg);
        if (record.value.newValue !== null) {
          agg = adder(record.key, record.value.newValue, agg ?? (initializer !== undefined ? initializer() : null));
        }
        store.put(record.key, agg);
        forward(record, agg, old);
      },
    };
  };
}
