import type { KeyValue, ReadOnlyKeyValueStore } from '../state/key-value-store.ts';

/**
 * One read-only view over the same store in several tasks (Kafka's CompositeReadOnlyKeyValueStore):
 * a key lives in one partition's store, so `get` asks each until one has it; `range` and `all`
 * concatenate the stores' sorted results.
 */
export class CompositeReadOnlyStore<K, V> implements ReadOnlyKeyValueStore<K, V> {
  readonly #stores: ReadOnlyKeyValueStore<K, V>[];

  constructor(stores: ReadOnlyKeyValueStore<K, V>[]) {
    this.#stores = stores;
  }

  get(key: K): V | null {
    for (const store of this.#stores) {
      const value = store.get(key);
      if (value !== null) return value;
    }
    return null;
  }

  range(from: K | null, to: K | null): KeyValue<K, V>[] {
    return this.#stores.flatMap((s) => s.range(from, to));
  }

  all(): KeyValue<K, V>[] {
    return this.#stores.flatMap((s) => s.all());
  }

  approximateNumEntries(): number {
    return this.#stores.reduce((n, s) => n + s.approximateNumEntries(), 0);
  }
}
