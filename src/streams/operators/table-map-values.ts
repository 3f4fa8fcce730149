import type { Change } from '../internal/change.ts';
import { operate } from '../internal/operate.ts';
import type { ValueGetterSupplier } from '../internal/table.ts';
import type { ProcessorSupplier } from '../processor.ts';

/** Kafka's KTableMapValues: maps both sides of a change; a null stays null (a delete stays a delete). */
export function ktableMapValues<K, V, VR>(
  mapper: (value: V, key: K) => VR,
): ProcessorSupplier<K, Change<V>, K, Change<VR>> {
  return operate<K, Change<V>, K, Change<VR>>((record, ctx) => {
    const { newValue, oldValue } = record.value;
    ctx.forward({
      ...record,
      value: {
        newValue: newValue === null ? null : mapper(newValue, record.key),
        oldValue: oldValue === null ? null : mapper(oldValue, record.key),
      },
    });
  });
}

export function mapValuesGetter<K, V, VR>(
  parent: ValueGetterSupplier<K, V>,
  mapper: (value: V, key: K) => VR,
): ValueGetterSupplier<K, VR> {
  return {
    // Read when a processor uses the getter: a table whose store is added on demand gets it then.
    get storeNames() {
      return parent.storeNames;
    },
    init(ctx) {
      const get = parent.init(ctx);
      return (key) => {
        const stamped = get(key);
        if (stamped === null) return null;
        const value = mapper(stamped.value, key);
        return value === null || value === undefined ? null : { value, timestamp: stamped.timestamp };
      };
    },
  };
}
