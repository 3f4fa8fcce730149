/**
 * The state store contract, as Kafka's `ReadOnlyKeyValueStore` / `KeyValueStore`. Iteration order
 * is the order of the serialized key bytes.
 */

/** A key and its value. */
export interface KeyValue<K, V> {
  key: K;
  value: V;
}

/**
 * What interactive queries (`streams.store(name)`) and `getStateStore` readers may do.
 *
 * @example
 * const counts = streams.store<string, number>('counts-store');
 * counts.get('the');                          // 4127
 * for (const { key, value } of counts.range('a', 'b')) console.log(key, value);
 */
export interface ReadOnlyKeyValueStore<K, V> {
  /** The value for `key`, or null. */
  get(key: K): V | null;
  /** Entries with `from` ≤ key ≤ `to` (by serialized bytes); null bounds are open. */
  range(from: K | null, to: K | null): KeyValue<K, V>[];
  /** Every entry. */
  all(): KeyValue<K, V>[];
  /** The number of entries, or an estimate of it. */
  approximateNumEntries(): number;
}

/** Any state store. */
export interface StateStore {
  readonly name: string;
  readonly persistent: boolean;
}

/**
 * A key-value store a processor writes to. A `null` value deletes the key.
 *
 * @example
 * const store = context.getStateStore<KeyValueStore<string, number>>('totals');
 * store.put(record.key, (store.get(record.key) ?? 0) + record.value);
 */
export interface KeyValueStore<K, V> extends ReadOnlyKeyValueStore<K, V>, StateStore {
  /** Stores `value` under `key`; `null` deletes it (and writes a tombstone to the changelog). */
  put(key: K, value: V | null): void;
  /** Puts only when the key has no value; returns the value there was. */
  putIfAbsent(key: K, value: V): V | null;
  /** Puts each entry, in order. */
  putAll(entries: readonly KeyValue<K, V | null>[]): void;
  /** Deletes the key and returns its old value. */
  delete(key: K): V | null;
}
