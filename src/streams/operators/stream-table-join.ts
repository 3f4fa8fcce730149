import { operate } from '../internal/operate.ts';
import type { ValueGetterSupplier } from '../internal/table.ts';
import type { ProcessorSupplier } from '../processor.ts';

/**
 * Kafka's KStreamKTableJoin: each stream record looks up the table's current value for its key
 * (or, for a GlobalKTable, for the key `keySelector` picks). Records with a null key or value are
 * dropped; an inner join also drops records whose table value is missing, a left join passes null.
 */
export function kstreamTableJoin<K, V, KT, VT, VR>(
  getter: ValueGetterSupplier<KT, VT>,
  keySelector: (key: K, value: V) => KT,
  joiner: (value: V, tableValue: VT | null, key: K) => VR,
  left: boolean,
): ProcessorSupplier<K, V, K, VR> {
  return () => {
    let get: (key: KT) => { value: VT } | null;
    const inner = operate<K, V, K, VR>((record, ctx) => {
      if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) return;
      const tableKey = keySelector(record.key, record.value);
      const tableValue = tableKey === null || tableKey === undefined ? null : (get(tableKey)?.value ?? null);
      if (tableValue === null && !left) return;
      ctx.forward({ ...record, value: joiner(record.value, tableValue, record.key) });
    })();
    return {
      init(ctx) {
        get = getter.init(ctx);
        inner.init?.(ctx);
      },
      process: (record) => inner.process(record),
    };
  };
}
