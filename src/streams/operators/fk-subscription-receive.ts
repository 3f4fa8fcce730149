import { SerializationError } from '../../errors.ts';
import type { Change } from '../internal/change.ts';
import {
  combinedKey,
  decodeSubscription,
  encodeSubscription,
  Instruction,
  SUBSCRIPTION_VERSION,
  type Subscription,
} from '../internal/foreign-key/wrappers.ts';
import type { ProcessorContext, ProcessorSupplier } from '../processor.ts';
import type { MeteredKeyValueStore } from '../state/metered-store.ts';
import type { ValueAndTimestamp } from '../state/value-and-timestamp.ts';

/** A subscription's key once received: the foreign and primary keys, both still serialized. */
export interface SubscriptionKey {
  foreignKey: Uint8Array | null;
  primaryKey: Uint8Array;
}

/**
 * Kafka's SubscriptionReceiveProcessorSupplier, on the foreign table's side: records (or
 * deletes) the subscription in the store under `fk | pk`, which the foreign table's changes scan
 * by prefix. A null foreign key is only let through for a left join's response.
 */
export function fkSubscriptionReceive(
  storeName: string,
): ProcessorSupplier<Uint8Array | null, Subscription, SubscriptionKey, Change<ValueAndTimestamp<Subscription>>> {
  return () => {
    let store: MeteredKeyValueStore<Uint8Array, Uint8Array>;
    let ctx: ProcessorContext<SubscriptionKey, Change<ValueAndTimestamp<Subscription>>>;
    return {
      init(c) {
        ctx = c;
        store = c.getStateStore(storeName);
      },
      process(record) {
        const subscription = record.value;
        if (subscription === null || subscription === undefined) return;
        const fk = record.key ?? null;
        if (fk === null && subscription.instruction !== Instruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE) return;
        if (subscription.version > SUBSCRIPTION_VERSION)
          throw new SerializationError(
            `subscription of version ${subscription.version}, above ${SUBSCRIPTION_VERSION}`,
          );
        let oldValue: ValueAndTimestamp<Subscription> | null = null;
        if (fk !== null) {
          const key = combinedKey(fk, subscription.primaryKey);
          const old = store.getWithTimestamp(key);
          if (old !== null) oldValue = { value: decodeSubscription(old.value, storeName), timestamp: old.timestamp };
          if (
            subscription.instruction === Instruction.DELETE_KEY_AND_PROPAGATE ||
            subscription.instruction === Instruction.DELETE_KEY_NO_PROPAGATE
          ) {
            store.delete(key);
          } else {
            store.putWithTimestamp(key, encodeSubscription(subscription), record.timestamp);
          }
        }
        ctx.forward({
          ...record,
          key: { foreignKey: fk, primaryKey: subscription.primaryKey },
          value: { newValue: { value: subscription, timestamp: record.timestamp }, oldValue },
        });
      },
    };
  };
}
