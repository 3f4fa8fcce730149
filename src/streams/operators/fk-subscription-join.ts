import type { Change } from '../internal/change.ts';
import {
  type ForeignKeyJoinSerdes,
  type ForeignKeyJoinTopics,
  pseudoTopics,
  resolveSerde,
  serializeOrFail,
} from '../internal/foreign-key/serdes.ts';
import {
  Instruction,
  RESPONSE_VERSION,
  type Subscription,
  type SubscriptionResponse,
} from '../internal/foreign-key/wrappers.ts';
import type { ValueGetterSupplier } from '../internal/table.ts';
import type { ProcessorSupplier } from '../processor.ts';
import type { ValueAndTimestamp } from '../state/value-and-timestamp.ts';
import type { SubscriptionKey } from './fk-subscription-receive.ts';

/**
 * Kafka's SubscriptionJoinProcessorSupplier: answers a subscription with the foreign table's
 * current value for its key, as its instruction says, back to the primary key. The response
 * carries the larger of the subscription's and the foreign value's timestamps.
 */
export function fkSubscriptionJoin<KO, VO>(
  foreign: ValueGetterSupplier<KO, VO>,
  serdes: ForeignKeyJoinSerdes<unknown, unknown, KO, VO>,
  topics: ForeignKeyJoinTopics,
): ProcessorSupplier<SubscriptionKey, Change<ValueAndTimestamp<Subscription>>, Uint8Array, SubscriptionResponse> {
  return () => {
    let join: (key: SubscriptionKey, subscription: ValueAndTimestamp<Subscription>) => void;
    return {
      init(ctx) {
        const names = pseudoTopics(ctx, topics);
        const get = foreign.init(ctx);
        const fk = resolveSerde(serdes.foreignKey, ctx, 'key', 'foreign key');
        const fv = resolveSerde(serdes.foreignValue, ctx, 'value', 'foreign value');
        join = (key, { value: subscription, timestamp }) => {
          const foreignKey = key.foreignKey === null ? null : fk.deserialize(names.fk, key.foreignKey);
          const found = foreignKey === null ? null : get(foreignKey);
          const respond = (value: VO | null) =>
            ctx.forward({
              key: key.primaryKey,
              value: {
                version: RESPONSE_VERSION,
                hash: subscription.hash,
                foreignValue: value === null ? null : serializeOrFail(fv, names.response, value, 'foreign value'),
                primaryPartition: subscription.primaryPartition,
              },
              timestamp: found === null ? timestamp : Math.max(timestamp, found.timestamp),
            });
          switch (subscription.instruction) {
            case Instruction.DELETE_KEY_AND_PROPAGATE:
              respond(null);
              break;
            case Instruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE:
              respond(found === null ? null : found.value);
              break;
            case Instruction.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE:
              if (found !== null) respond(found.value);
              break;
            default:
              break;
          }
        };
      },
      process(record) {
        const subscription = record.value.newValue;
        if (subscription !== null) join(record.key, subscription);
      },
    };
  };
}
