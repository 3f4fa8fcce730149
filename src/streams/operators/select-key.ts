import { operate } from '../internal/operate.ts';
import type { ProcessorSupplier } from '../processor.ts';

/** Kafka's `selectKey` (a KStreamMap that keeps the value): a new key per record. */
export function kstreamSelectKey<K, V, KR>(mapper: (key: K, value: V) => KR): ProcessorSupplier<K, V, KR, V> {
  return operate<K, V, KR, V>((record, ctx) => {
    ctx.forward({
      key: mapper(record.key, record.value),
      value: record.value,
      timestamp: record.timestamp,
      headers: record.headers,
    });
  });
}
