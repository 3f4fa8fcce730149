import type { ProcessorSupplier } from '../processor.ts';
import type { Printed } from '../printed.ts';

/** Kafka's KStreamPrint: each record as a `[label]: <mapped key and value>` line; a terminal node. */
export function kstreamPrint<K, V>(printed: Printed<K, V>, nodeName: string): ProcessorSupplier<K, V, never, never> {
  const label = printed.label ?? nodeName;
  return () => ({
    process(record) {
      printed.write(`[${label}]: ${printed.mapper(record.key, record.value)}`);
    },
  });
}
