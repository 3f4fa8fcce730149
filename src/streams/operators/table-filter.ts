import type { Change } from '../internal/change.ts';
import { operate } from '../internal/operate.ts';
import type { ValueGetterSupplier } from '../internal/table.ts';
import type { ProcessorSupplier } from '../processor.ts';

/**
 * Kafka's KTableFilter: a value that fails the predicate becomes null, so every dropped record is
 * forwarded as a tombstone (as Kafka's javadoc says), even when the key did not match before; the
 * tables and aggregations downstream ignore a change that is null on both sides.
 */
export function ktableFilter<K, V>(
  predicate: (key: K, value: V) => boolean,
  negate: boolean,
): ProcessorSupplier<K, Change<V>> {
  const keep = (key: K, value: V | null) => (value !== null && predicate(key, value) !== negate ? value : null);
  return operate<K, Change<V>, K, Change<V>>((record, ctx) => {
    const newValue = keep(record.key, record.value.newValue);
    const oldValue = keep(record.key, record.value.oldValue);
    ctx.forward({ ...record, value: { newValue, oldValue } });
  });
}

export function filterGetter<K, V>(
  parent: ValueGetterSupplier<K, V>,
  predicate: (key: K, value: V) => boolean,
  negate: boolean,
): ValueGetterSupplier<K, V> {
  return {
    // Read when a processor uses the getter: a table whose store is added on demand gets it then.
    get storeNames() {
      return parent.storeNames;
    },
    init(ctx) {
      const get = parent.init(ctx);
      return (key) => {
        const stamped = get(key);
        return stamped !== null && predicate(key, stamped.value) !== negate ? stamped : null;
      };
    },
  };
}
