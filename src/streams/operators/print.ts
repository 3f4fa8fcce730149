import type { ProcessorSupplier } from '../processor.ts';
import { type Printed, printedOptions } from '../printed.ts';

/** Kafka's KStreamPrint: each record as a `[label]: <mapped key and value>` line; a terminal node. */
export function kstreamPrint<K, V>(printed: Printed<K, V>, nodeName: string): ProcessorSupplier<K, V, never, never> {
  const { write, mapper, label = nodeName } = printedOptions(printed);
  return () => ({
    process(record) {
      write(`[${label}]: ${mapper(record.key, record.value)}`);
    },
  });
}
