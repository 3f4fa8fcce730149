import { TopologyError } from '../../../errors.ts';
import type { Serde } from '../../../serde/index.ts';
import type { ProcessorContext } from '../../processor.ts';

/**
 * The serdes a foreign-key join needs, as the tables know them; a missing one falls back to the
 * app's default at init (Kafka's `setIfUnset`).
 */
export interface ForeignKeyJoinSerdes<K, V, KO, VO> {
  primaryKey: Serde<K> | undefined;
  primaryValue: Serde<V> | undefined;
  foreignKey: Serde<KO> | undefined;
  foreignValue: Serde<VO> | undefined;
}

/** The join's internal topic names, before the application id prefixes them. */
export interface ForeignKeyJoinTopics {
  subscription: string;
  response: string;
}

/**
 * Kafka's pseudo topics, which the join's serdes are called with: the subscription topic's name
 * suffixed `-pk`, `-fk` (keys) and `-vh` (the value hashed), prefixed with the application id.
 */
export function pseudoTopics(
  ctx: ProcessorContext,
  topics: ForeignKeyJoinTopics,
): { pk: string; fk: string; vh: string; response: string } {
  const base = `${ctx.applicationId}-${topics.subscription}`;
  return { pk: `${base}-pk`, fk: `${base}-fk`, vh: `${base}-vh`, response: `${ctx.applicationId}-${topics.response}` };
}

export function resolveSerde<T>(
  given: Serde<T> | undefined,
  ctx: ProcessorContext,
  which: 'key' | 'value',
  what: string,
): Serde<T> {
  const serde = given ?? ((which === 'key' ? ctx.keySerde() : ctx.valueSerde()) as Serde<T> | undefined);
  if (serde === undefined) {
    throw new TopologyError(
      `the foreign-key join needs the ${what} serde: give the table one, or set default${which === 'key' ? 'Key' : 'Value'}Serde`,
    );
  }
  return serde;
}

export function serializeOrFail<T>(serde: Serde<T>, topic: string, value: T, what: string): Uint8Array {
  const bytes = serde.serialize(topic, value);
  if (bytes === null) throw new TopologyError(`the foreign-key join's ${what} serialized to null`);
  return bytes;
}
