import type { Change } from '../internal/change.ts';
import {
  type ForeignKeyJoinSerdes,
  type ForeignKeyJoinTopics,
  pseudoTopics,
  resolveSerde,
  serializeOrFail,
} from '../internal/foreign-key/serdes.ts';
import {
  combinedKey,
  decodeSubscription,
  prefixEnd,
  RESPONSE_VERSION,
  type SubscriptionResponse,
  startsWith,
} from '../internal/foreign-key/wrappers.ts';
import type { ProcessorSupplier } from '../processor.ts';
import type { MeteredKeyValueStore } from '../state/metered-store.ts';

/**
 * Kafka's ForeignTableJoinProcessorSupplier: a change of the foreign table is sent to every
 * primary key subscribed to its key (a prefix scan of the subscription store), each response
 * carrying the hash its subscription was made with.
 */
export function fkForeignTableJoin<KO, VO>(
  storeName: string,
  serdes: ForeignKeyJoinSerdes<unknown, unknown, KO, VO>,
  topics: ForeignKeyJoinTopics,
): ProcessorSupplier<KO, Change<VO>, Uint8Array, SubscriptionResponse> {
  return () => {
    let onChange: (key: KO, value: VO | null, timestamp: number) => void;
    return {
      init(ctx) {
        const names = pseudoTopics(ctx, topics);
        const store = ctx.getStateStore<MeteredKeyValueStore<Uint8Array, Uint8Array>>(storeName);
        const fk = resolveSerde(serdes.foreignKey, ctx, 'key', 'foreign key');
        const fv = resolveSerde(serdes.foreignValue, ctx, 'value', 'foreign value');
        onChange = (key, value, timestamp) => {
          const prefix = combinedKey(serializeOrFail(fk, names.fk, key, 'foreign key'));
          let foreignValue: Uint8Array | null | undefined;
          for (const entry of store.rangeWithTimestamp(prefix, prefixEnd(prefix))) {
            // The range's upper bound is inclusive: keep only keys under the prefix.
            if (!startsWith(entry.key, prefix)) continue;
            const subscription = decodeSubscription(entry.value.value, storeName);
            foreignValue ??= value === null ? null : serializeOrFail(fv, names.response, value, 'foreign value');
            ctx.forward({
              key: entry.key.subarray(prefix.length),
              value: {
                version: RESPONSE_VERSION,
                hash: subscription.hash,
                foreignValue,
                primaryPartition: subscription.primaryPartition,
              },
              timestamp,
            });
          }
        };
      },
      process(record) {
        if (record.key === null || record.key === undefined) return;
        onChange(record.key, record.value.newValue, record.timestamp);
      },
    };
  };
}
