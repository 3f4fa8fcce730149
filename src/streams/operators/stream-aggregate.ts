import type { Change } from '../internal/change.ts';
import { materializing } from '../internal/table.ts';
import type { ProcessorSupplier } from '../processor.ts';

/**
 * Kafka's KStreamAggregate (count, reduce and aggregate are all this): records with a null key or
 * a null value are dropped; otherwise the key's aggregate (or `initializer()` when it has none)
 * and the value make the new aggregate, stored and forwarded as a change with the larger of the
 * record's and the old aggregate's timestamps.
 */
export function kstreamAggregate<K, V, VA>(
  storeName: string,
  initializer: (() => VA) | undefined,
  aggregator: (key: K, value: V, aggregate: VA | null) => VA,
): ProcessorSupplier<K, V, K, Change<VA>> {
  return materializing<K, V, VA>(
    storeName,
    (key, value, old) => {
      if (value === null || value === undefined) return undefined;
      return aggregator(key, value, old ?? (initializer !== undefined ? initializer() : null));
    },
    true,
  );
}
