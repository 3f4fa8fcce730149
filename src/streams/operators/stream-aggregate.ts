import type { Change } from '../internal/change.ts';
import { tableForwarder } from '../internal/table.ts';
import type { ProcessorSupplier } from '../processor.ts';
import type { MeteredKeyValueStore } from '../state/metered-store.ts';

/**
 * Kafka's KStreamAggregate (count, reduce and aggregate are all this): records with a null key or
 * a null value are dropped; otherwise the key's aggregate (or `initializer()` when it has none)
 * and the value make the new aggregate, stored and forwarded as a change.
 */
export function kstreamAggregate<K, V, VA>(
  storeName: string,
  initializer: (() => VA) | undefined,
  aggregator: (key: K, value: V, aggregate: VA | null) => VA,
): ProcessorSupplier<K, V, K, Change<VA>> {
  return () => {
    let store: MeteredKeyValueStore<K, VA>;
    let forward: ReturnType<typeof tableForwarder<K, VA>>;
    return {
      init(ctx) {
        store = ctx.getStateStore(storeName);
        forward = tableForwarder(ctx, store);
      },
      process(record) {
        if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) return;
        const old = store.get(record.key);
        const base = old ?? (initializer !== undefined ? initializer() : null);
        const next = aggregator(record.key, record.value, base);
        store.put(record.key, next);
        forward(record, next, old);
      },
    };
  };
}
