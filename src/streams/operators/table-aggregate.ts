import type { Change } from '../internal/change.ts';
import { materializing } from '../internal/table.ts';
import type { ProcessorSupplier } from '../processor.ts';

/**
 * Kafka's KTableAggregate (KGroupedTable count, reduce, aggregate): the subtractor takes the old
 * value out of the group's aggregate first, then the adder puts the new value in. Null keys are
 * dropped. The result carries the larger of the record's and the old aggregate's timestamps.
 */
export function ktableAggregate<K, V, VA>(
  storeName: string,
  initializer: (() => VA) | undefined,
  adder: (key: K, value: V, aggregate: VA | null) => VA,
  subtractor: (key: K, value: V, aggregate: VA) => VA | null,
): ProcessorSupplier<K, Change<V>, K, Change<VA>> {
  return materializing<K, Change<V>, VA>(
    storeName,
    (key, change, old) => {
      // A change that is null on both sides (a filter's tombstone for a row it never let through) changes nothing.
      if (change.newValue === null && change.oldValue === null) return undefined;
      let aggregate: VA | null = old;
      if (change.oldValue !== null && aggregate !== null) aggregate = subtractor(key, change.oldValue, aggregate);
      if (change.newValue !== null) {
        aggregate = adder(key, change.newValue, aggregate ?? (initializer !== undefined ? initializer() : null));
      }
      return aggregate;
    },
    true,
  );
}
