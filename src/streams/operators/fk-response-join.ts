import { SerializationError } from '../../errors.ts';
import {
  type ForeignKeyJoinSerdes,
  type ForeignKeyJoinTopics,
  pseudoTopics,
  resolveSerde,
  serializeOrFail,
} from '../internal/foreign-key/serdes.ts';
import { RESPONSE_VERSION, type SubscriptionResponse, sameBytes } from '../internal/foreign-key/wrappers.ts';
import { murmur3Hash128 } from '../internal/murmur3.ts';
import type { ValueGetterSupplier } from '../internal/table.ts';
import type { ProcessorSupplier } from '../processor.ts';

/**
 * Kafka's ResponseJoinProcessorSupplier, back on the primary table's side: a response whose hash
 * is not the hash of the primary row's current value answers a value that has since changed and
 * is dropped (its successor's response is on its way); otherwise the joiner makes the result, or
 * a tombstone where an inner join has no foreign value.
 */
export function fkResponseJoin<K, V, VO, VR>(
  primary: ValueGetterSupplier<K, V>,
  serdes: ForeignKeyJoinSerdes<K, V, unknown, VO>,
  topics: ForeignKeyJoinTopics,
  joiner: (value: V | null, foreignValue: VO | null) => VR,
  leftJoin: boolean,
): ProcessorSupplier<Uint8Array, SubscriptionResponse, K, VR | null> {
  return () => {
    let resolve: (key: Uint8Array, response: SubscriptionResponse, timestamp: number) => void;
    return {
      init(ctx) {
        const names = pseudoTopics(ctx, topics);
        const get = primary.init(ctx);
        const pk = resolveSerde(serdes.primaryKey, ctx, 'key', 'primary key');
        const pv = resolveSerde(serdes.primaryValue, ctx, 'value', 'primary value');
        const fv = resolveSerde(serdes.foreignValue, ctx, 'value', 'foreign value');
        resolve = (keyBytes, response, timestamp) => {
          const key = pk.deserialize(names.pk, keyBytes) as K;
          const current = get(key);
          const currentHash =
            current === null ? null : murmur3Hash128(serializeOrFail(pv, names.vh, current.value, 'primary value'));
          if (!sameBytes(response.hash, currentHash)) return;
          const foreign = response.foreignValue === null ? null : fv.deserialize(names.response, response.foreignValue);
          const result =
            foreign === null && (!leftJoin || current === null)
              ? null
              : joiner(current === null ? null : current.value, foreign);
          ctx.forward({ key, value: result, timestamp });
        };
      },
      process(record) {
        if (record.key === null || record.key === undefined || record.value === null) return;
        if (record.value.version !== RESPONSE_VERSION)
          throw new SerializationError(
            `subscription response of version ${record.value.version}, not ${RESPONSE_VERSION}`,
          );
        resolve(record.key, record.value, record.timestamp);
      },
    };
  };
}
