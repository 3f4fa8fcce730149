import { operate } from '../internal/operate.ts';
import type { ProcessorSupplier } from '../processor.ts';

/** Kafka's KStreamPeek: calls `action` and forwards the record (or, as `foreach`, does not). */
export function kstreamPeek<K, V>(action: (key: K, value: V) => void, forward: boolean): ProcessorSupplier<K, V> {
  return operate<K, V, K, V>((record, ctx) => {
    action(record.key, record.value);
    if (forward) ctx.forward(record);
  });
}
