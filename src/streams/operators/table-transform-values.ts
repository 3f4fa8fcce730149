import type { Change } from '../internal/change.ts';
import type { ValueGetterSupplier } from '../internal/table.ts';
import type { ProcessorSupplier, ValueTransformerWithKeySupplier } from '../processor.ts';

/**
 * Kafka's KTableTransformValues: the transformer sees each side of a change, nulls included (a
 * delete may become a value, or a value a delete), and may use the stores connected to the node.
 */
export function ktableTransformValues<K, V, VR>(
  supplier: ValueTransformerWithKeySupplier<K, V, VR>,
): ProcessorSupplier<K, Change<V>, K, Change<VR>> {
  return () => {
    const transformer = supplier();
    let forward: (key: K, newValue: VR | null, oldValue: VR | null, record: { timestamp: number }) => void;
    return {
      init(ctx) {
        transformer.init?.(ctx as never);
        forward = (key, newValue, oldValue, record) => ctx.forward({ ...record, key, value: { newValue, oldValue } });
      },
      process(record) {
        const newValue = transformer.transform(record.key, record.value.newValue) ?? null;
        const oldValue = transformer.transform(record.key, record.value.oldValue) ?? null;
        forward(record.key, newValue, oldValue, record);
      },
      close: () => transformer.close?.(),
    };
  };
}

/** The transformed table's value of a key: the parent's value through a transformer of its own. */
export function transformValuesGetter<K, V, VR>(
  parent: ValueGetterSupplier<K, V>,
  supplier: ValueTransformerWithKeySupplier<K, V, VR>,
  storeNames: string[],
): ValueGetterSupplier<K, VR> {
  return {
    // Read when a processor uses the getter: a table whose store is added on demand gets it then.
    get storeNames() {
      return [...parent.storeNames, ...storeNames];
    },
    init(ctx) {
      const get = parent.init(ctx);
      const transformer = supplier();
      transformer.init?.(ctx as never);
      return (key) => {
        const stamped = get(key);
        const value = transformer.transform(key, stamped === null ? null : stamped.value);
        return value === null || value === undefined ? null : { value, timestamp: stamped?.timestamp ?? -1 };
      };
    },
  };
}
