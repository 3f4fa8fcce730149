import { operate } from '../internal/operate.ts';
import type { ProcessorSupplier } from '../processor.ts';

/** Kafka's PassThrough: forwards every record as it is (merge, table merge). */
export function passThrough<K, V>(): ProcessorSupplier<K, V> {
  return operate<K, V, K, V>((record, ctx) => ctx.forward(record));
}
