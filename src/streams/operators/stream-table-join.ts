import { operate } from '../internal/operate.ts';
import type { ValueGetterSupplier } from '../internal/table.ts';
import type { ProcessorSupplier } from '../processor.ts';

/**
 * Kafka's KStreamKTableJoin: each stream record looks up the table's current value for its key
 * (or, for a GlobalKTable, for the key `keySelector` picks, even from a null key). As Kafka 3.7+
 * (KIP-962): records with a null value are dropped, and so are records with no key to look up,
 * except that a left join passes a null-key record on with a null table value; an inner join also
 * drops records whose table value is missing, a left join passes null.
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
      if (record.value === null || record.value === undefined) return;
      const nullKey = record.key === null || record.key === undefined;
      const tableKey = keySelector(record.key, record.value);
      const noTableKey = tableKey === null || tableKey === undefined;
      // KIP-962: a left join passes a null-key record on with a null table value; otherwise a
      // record without a table key to look up is dropped.
      if (noTableKey && !(left && nullKey)) return;
      const tableValue = noTableKey ? null : (get(tableKey)?.value ?? null);
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
