import { operate } from '../internal/operate.ts';
import type { ProcessorSupplier } from '../processor.ts';
import type { KeyValue } from '../state/key-value-store.ts';

/** Kafka's KStreamMap: a new key and value per record. */
export function kstreamMap<K, V, KR, VR>(
  mapper: (key: K, value: V) => KeyValue<KR, VR>,
): ProcessorSupplier<K, V, KR, VR> {
  return operate<K, V, KR, VR>((record, ctx) => {
    const out = mapper(record.key, record.value);
    ctx.forward({ ...record, key: out.key, value: out.value });
  });
}
