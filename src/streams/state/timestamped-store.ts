import type { KeyValue, KeyValueStore } from './key-value-store.ts';
import type { MeteredKeyValueStore } from './metered-store.ts';
import type { ValueAndTimestamp } from './value-and-timestamp.ts';

/**
 * A key-value store whose values carry their timestamps (Kafka's `TimestampedKeyValueStore`): the
 * view of a KTable's store that shows when each value was set.
 *
 * @example
 * const counts = driver.getTimestampedKeyValueStore<string, number>('counts');
 * counts.get('k');                                   // { value: 2, timestamp: 10 }
 * counts.put('k', { value: 3, timestamp: 12 });
 */
export type TimestampedKeyValueStore<K, V> = KeyValueStore<K, ValueAndTimestamp<V>>;

/** The timestamped view of a store: reads and writes go through its `...WithTimestamp` methods. */
export function timestampedView<K, V>(store: MeteredKeyValueStore<K, V>): TimestampedKeyValueStore<K, V> {
  const put = (key: K, value: ValueAndTimestamp<V> | null) => {
    store.putWithTimestamp(key, value === null ? null : value.value, value === null ? 0 : value.timestamp);
  };
  return {
    get name() {
      return store.name;
    },
    get persistent() {
      return store.persistent;
    },
    get: (key) => store.getWithTimestamp(key),
    range: (from, to) => store.rangeWithTimestamp(from, to),
    all: () => store.rangeWithTimestamp(null, null),
    approximateNumEntries: () => store.approximateNumEntries(),
    put,
    putIfAbsent(key, value) {
      const existing = store.getWithTimestamp(key);
      if (existing === null) put(key, value);
      return existing;
    },
    putAll(entries: readonly KeyValue<K, ValueAndTimestamp<V> | null>[]) {
      for (const { key, value } of entries) put(key, value);
    },
    delete(key) {
      const old = store.getWithTimestamp(key);
      put(key, null);
      return old;
    },
  };
}
