import type { Change } from '../internal/change.ts';
import {
  type ForeignKeyJoinSerdes,
  type ForeignKeyJoinTopics,
  pseudoTopics,
  resolveSerde,
  serializeOrFail,
} from '../internal/foreign-key/serdes.ts';
import { Instruction, SUBSCRIPTION_VERSION, type Subscription, sameBytes } from '../internal/foreign-key/wrappers.ts';
import { murmur3Hash128 } from '../internal/murmur3.ts';
import type { ProcessorSupplier, StreamRecord } from '../processor.ts';

/**
 * Kafka's SubscriptionSendProcessorSupplier: each change of the primary table becomes the
 * subscriptions it implies, keyed by the (serialized) foreign key. A foreign-key change
 * unsubscribes from the old key first, because the new subscription may land in another
 * partition; a left join always asks for a response, so every row has a result.
 */
export function fkSubscriptionSend<K, V, KO>(
  extract: (value: V, key: K) => KO | null | undefined,
  serdes: ForeignKeyJoinSerdes<K, V, KO, unknown>,
  topics: ForeignKeyJoinTopics,
  leftJoin: boolean,
): ProcessorSupplier<K, Change<V>, Uint8Array | null, Subscription> {
  return () => {
    let send: (record: StreamRecord<K, Change<V>>) => void;
    return {
      init(ctx) {
        const names = pseudoTopics(ctx, topics);
        const pk = resolveSerde(serdes.primaryKey, ctx, 'key', 'primary key');
        const pv = resolveSerde(serdes.primaryValue, ctx, 'value', 'primary value');
        const fk = resolveSerde(serdes.foreignKey, ctx, 'key', 'foreign key');
        const taskPartition = Number(ctx.taskId.slice(ctx.taskId.lastIndexOf('_') + 1));
        const fkBytes = (key: KO | null) => (key === null ? null : serializeOrFail(fk, names.fk, key, 'foreign key'));
        const foreignKeyOf = (key: K, value: V | null) => (value === null ? null : (extract(value, key) ?? null));
        send = (record) => {
          const { oldValue, newValue } = record.value;
          let hash: Uint8Array | null | undefined;
          let primaryKey: Uint8Array | undefined;
          const forward = (foreignKey: Uint8Array | null, instruction: Instruction) => {
            hash ??=
              newValue === null ? null : murmur3Hash128(serializeOrFail(pv, names.vh, newValue, 'primary value'));
            primaryKey ??= serializeOrFail(pk, names.pk, record.key, 'primary key');
            const subscription: Subscription = {
              version: SUBSCRIPTION_VERSION,
              instruction,
              hash,
              primaryKey,
              primaryPartition: ctx.recordMetadata()?.partition ?? taskPartition,
            };
            ctx.forward({
              key: foreignKey,
              value: subscription,
              timestamp: record.timestamp,
              ...(record.headers ? { headers: record.headers } : {}),
            });
          };
          const oldFk = fkBytes(foreignKeyOf(record.key, oldValue));
          if (leftJoin) {
            if (oldValue === null && newValue === null) return;
            const newFk = fkBytes(foreignKeyOf(record.key, newValue));
            if (oldFk !== null && !sameBytes(oldFk, newFk)) forward(oldFk, Instruction.DELETE_KEY_NO_PROPAGATE);
            forward(newFk, Instruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE);
            return;
          }
          if (newValue === null) {
            if (oldFk !== null) forward(oldFk, Instruction.DELETE_KEY_AND_PROPAGATE);
            return;
          }
          const newFk = fkBytes(foreignKeyOf(record.key, newValue));
          if (newFk === null) {
            // No foreign key: nothing to join; the old result, if any, is retracted.
            if (oldFk !== null) forward(oldFk, Instruction.DELETE_KEY_AND_PROPAGATE);
          } else if (oldFk === null) {
            forward(newFk, Instruction.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE);
          } else if (!sameBytes(oldFk, newFk)) {
            forward(oldFk, Instruction.DELETE_KEY_NO_PROPAGATE);
            forward(newFk, Instruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE);
          } else {
            forward(newFk, Instruction.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE);
          }
        };
      },
      process(record) {
        if (record.key === null || record.key === undefined) return;
        send(record);
      },
    };
  };
}
