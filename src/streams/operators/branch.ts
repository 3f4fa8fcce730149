import { operate } from '../internal/operate.ts';
import type { ProcessorSupplier } from '../processor.ts';

/** Kafka's KStreamBranch: sends each record to the child of the first predicate it matches, or to the default. */
export function kstreamBranch<K, V>(
  predicates: ((key: K, value: V) => boolean)[],
  children: string[],
  defaultChild: string | undefined,
): ProcessorSupplier<K, V> {
  return operate<K, V, K, V>((record, ctx) => {
    for (let i = 0; i < predicates.length; i++) {
      if (predicates[i]!(record.key, record.value)) {
        ctx.forward(record, children[i]);
        return;
      }
    }
    if (defaultChild !== undefined) ctx.forward(record, defaultChild);
  });
}
