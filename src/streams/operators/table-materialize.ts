import type { Change } from '../internal/change.ts';
import { tableForwarder } from '../internal/table.ts';
import type { ProcessorContext, ProcessorSupplier, StreamRecord } from '../processor.ts';
import type { MeteredKeyValueStore } from '../state/metered-store.ts';

/**
 * A table operator with its result kept in `storeName` (Kafka's `Materialized` on `filter`,
 * `mapValues` and joins): every change the operator forwards is written to the store with its
 * timestamp (a null deletes) and forwarded as the store forwards (at the cache's flush when it
 * caches), with the store's previous value as the old one. A change null on both sides (its parent
 * sends no old values: a table whose store Kafka adds only on demand) deletes what the store holds
 * for the key; with nothing there it goes downstream as it is.
 */
export function materializeTable<K, VIn, V>(
  operator: ProcessorSupplier<K, VIn, K, Change<V>>,
  storeName: string,
): ProcessorSupplier<K, VIn, K, Change<V>> {
  return () => {
    const inner = operator();
    return {
      init(ctx) {
        const store = ctx.getStateStore<MeteredKeyValueStore<K, V>>(storeName);
        const forward = tableForwarder<K, V>(ctx, store);
        const proxy: ProcessorContext<K, Change<V>> = Object.create(ctx, {
          forward: {
            value: (record: StreamRecord<K, Change<V>>) => {
              const old = store.get(record.key);
              if (record.value.newValue === null && record.value.oldValue === null && old === null) {
                ctx.forward(record);
                return;
              }
              store.putWithTimestamp(record.key, record.value.newValue, record.timestamp);
              forward(record, record.value.newValue, old, record.timestamp);
            },
          },
        });
        inner.init?.(proxy);
      },
      process: (record) => inner.process(record),
      close: () => inner.close?.(),
    };
  };
}
