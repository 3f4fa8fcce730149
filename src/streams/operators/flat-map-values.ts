import { operate } from '../internal/operate.ts';
import type { ProcessorSupplier } from '../processor.ts';

/** Kafka's KStreamFlatMapValues: zero or more values per record, each with the record's key. */
export function kstreamFlatMapValues<K, V, VR>(
  mapper: (value: V, key: K) => Iterable<VR>,
): ProcessorSupplier<K, V, K, VR> {
  return operate<K, V, K, VR>((record, ctx) => {
    for (const value of mapper(record.value, record.key))
      ctx.forward({ key: record.key, value, timestamp: record.timestamp, headers: record.headers });
  });
}
