import { operate } from '../internal/operate.ts';
import type { ProcessorSupplier } from '../processor.ts';
import type { KeyValue } from '../state/key-value-store.ts';

/** Kafka's KStreamFlatMap: zero or more records, each with its own key, per record. */
export function kstreamFlatMap<K, V, KR, VR>(
  mapper: (key: K, value: V) => Iterable<KeyValue<KR, VR>>,
): ProcessorSupplier<K, V, KR, VR> {
  return operate<K, V, KR, VR>((record, ctx) => {
    for (const out of mapper(record.key, record.value)) ctx.forward({ ...record, key: out.key, value: out.value });
  });
}
