import type { Change } from '../internal/change.ts';
import { operate } from '../internal/operate.ts';
import type { ProcessorSupplier } from '../processor.ts';

/** Kafka's KTable#toStream: each change becomes a record of its new value (null for a delete). */
export function ktableToStream<K, V>(): ProcessorSupplier<K, Change<V>, K, V | null> {
  return operate<K, Change<V>, K, V | null>((record, ctx) => {
    ctx.forward({ ...record, value: record.value.newValue });
  });
}
