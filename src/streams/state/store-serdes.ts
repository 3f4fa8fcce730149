import { TopologyError } from '../../errors.ts';
import type { Serde } from '../../serde/index.ts';
import type { StoreEnv } from './stores.ts';

/**
 * A store builder's key and value serdes: its own, else the application's defaults
 * (`defaultKeySerde`/`defaultValueSerde`); a store left with neither is a topology error, as in
 * Kafka Streams, where a store without a serde fails when the topology is built.
 *
 * @example
 * const [keySerde, valueSerde] = storeSerdes('counts', this.keySerde, this.valueSerde, env);
 */
export function storeSerdes<K, V>(
  store: string,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
  env: StoreEnv,
): [Serde<K>, Serde<V>] {
  const key = (keySerde ?? env.defaultKeySerde) as Serde<K> | undefined;
  const value = (valueSerde ?? env.defaultValueSerde) as Serde<V> | undefined;
  if (key === undefined || value === undefined) {
    throw new TopologyError(
      `store "${store}" has no ${key === undefined ? 'key' : 'value'} serde: pass one, or set defaultKeySerde/defaultValueSerde`,
      { store },
    );
  }
  return [key, value];
}
