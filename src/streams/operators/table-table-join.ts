import type { Change } from '../internal/change.ts';
import { operate } from '../internal/operate.ts';
import type { ValueGetterSupplier } from '../internal/table.ts';
import type { ProcessorSupplier } from '../processor.ts';
import type { ValueAndTimestamp } from '../state/value-and-timestamp.ts';

export type TableJoinMode = 'inner' | 'left' | 'outer';

/**
 * Kafka's KTableKTableJoin / LeftJoin / OuterJoin, one side of it: a change on this side is joined
 * with the other side's current value, old and new, and forwarded when either result is non-null.
 * `thisIsLeft` says which argument of `joiner` this side's value is. The result carries the larger
 * of the record's timestamp and the other side's value's.
 */
export function ktableTableJoin<K, V1, V2, VR>(
  other: ValueGetterSupplier<K, unknown>,
  joiner: (left: V1 | null, right: V2 | null) => VR,
  mode: TableJoinMode,
  thisIsLeft: boolean,
): ProcessorSupplier<K, Change<unknown>, K, Change<VR>> {
  const join = joinValue(joiner, mode);
  return () => {
    let get: (key: K) => ValueAndTimestamp<unknown> | null;
    const inner = operate<K, Change<unknown>, K, Change<VR>>((record, ctx) => {
      if (record.key === null || record.key === undefined) return;
      const other = get(record.key);
      const otherValue = other === null ? null : other.value;
      const pair = (mine: unknown) =>
        thisIsLeft
          ? join(mine as V1 | null, otherValue as V2 | null)
          : join(otherValue as V1 | null, mine as V2 | null);
      const newValue = pair(record.value.newValue);
      const oldValue = pair(record.value.oldValue);
      if (newValue === null && oldValue === null) return;
      const timestamp = other === null ? record.timestamp : Math.max(record.timestamp, other.timestamp);
      ctx.forward({ ...record, value: { newValue, oldValue }, timestamp });
    })();
    return {
      init(ctx) {
        get = other.init(ctx);
        inner.init?.(ctx);
      },
      process: (record) => inner.process(record),
    };
  };
}

/** The join of two current values, or null when the mode says there is no result. */
export function joinValue<V1, V2, VR>(
  joiner: (left: V1 | null, right: V2 | null) => VR,
  mode: TableJoinMode,
): (l: V1 | null, r: V2 | null) => VR | null {
  return (l, r) => {
    if (mode === 'inner' && (l === null || r === null)) return null;
    if (mode === 'left' && l === null) return null;
    if (l === null && r === null) return null;
    return joiner(l, r);
  };
}

export function joinGetter<K, V1, V2, VR>(
  left: ValueGetterSupplier<K, V1>,
  right: ValueGetterSupplier<K, V2>,
  joiner: (left: V1 | null, right: V2 | null) => VR,
  mode: TableJoinMode,
): ValueGetterSupplier<K, VR> {
  const join = joinValue(joiner, mode);
  return {
    // Read when a processor uses the getter: a table whose store is added on demand gets it then.
    get storeNames() {
      return [...left.storeNames, ...right.storeNames];
    },
    init(ctx) {
      const l = left.init(ctx);
      const r = right.init(ctx);
      return (key) => {
        const a = l(key);
        const b = r(key);
        const value = join(a === null ? null : a.value, b === null ? null : b.value);
        if (value === null || value === undefined) return null;
        return { value, timestamp: Math.max(a?.timestamp ?? -1, b?.timestamp ?? -1) };
      };
    },
  };
}
