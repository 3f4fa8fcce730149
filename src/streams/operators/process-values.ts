import { TopologyError } from '../../errors.ts';
import type { FixedKeyProcessorSupplier, ProcessorSupplier } from '../processor.ts';

/** Kafka's `processValues`: a user processor that may not change the key. */
export function kstreamProcessValues<K, V, VR>(
  supplier: FixedKeyProcessorSupplier<K, V, VR>,
): ProcessorSupplier<K, V, K, VR> {
  return () => {
    const inner = supplier();
    let current: unknown;
    return {
      init(ctx) {
        inner.init?.({
          ...ctx,
          forward(record, childName) {
            if (record.key !== current)
              throw new TopologyError('processValues: a fixed-key processor may not change the key');
            ctx.forward(record, childName);
          },
        });
      },
      process(record) {
        current = record.key;
        inner.process(record);
      },
      close() {
        inner.close?.();
      },
    };
  };
}
