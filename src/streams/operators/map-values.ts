import { operate } from '../internal/operate.ts';
import type { ProcessorSupplier } from '../processor.ts';

/** Kafka's KStreamMapValues: a new value, the same key. */
export function kstreamMapValues<K, V, VR>(mapper: (value: V, key: K) => VR): ProcessorSupplier<K, V, K, VR> {
  return operate<K, V, K, VR>((record, ctx) => {
    ctx.forward({
      key: record.key,
      value: mapper(record.value, record.key),
      timestamp: record.timestamp,
      headers: record.headers,
    });
  });
}
