import { operate } from '../internal/operate.ts';
import type { ProcessorSupplier } from '../processor.ts';

/** Kafka's KStreamFilter: forwards the records `predicate` accepts (or, negated, rejects). */
export function kstreamFilter<K, V>(
  predicate: (key: K, value: V) => boolean,
  negate: boolean,
): ProcessorSupplier<K, V> {
  return operate<K, V, K, V>((record, ctx) => {
    if (predicate(record.key, record.value) !== negate) ctx.forward(record);
  });
}
