import type { KeyValue, ReadOnlyKeyValueStore } from '../state/key-value-store.ts';
import type { ReadOnlySessionStore } from '../state/session-store.ts';
import type { ReadOnlyWindowStore } from '../state/window-store.ts';
import type { Windowed } from '../windows.ts';

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

/**
 * One read-only view over the same window store in several tasks (Kafka's
 * CompositeReadOnlyWindowStore): a key's windows live in its partition's store, so a fetch by key
 * answers from the first store that has any; `fetchAll` and `all` concatenate the stores' results,
 * each store's in its own order.
 */
export class CompositeReadOnlyWindowStore<K, V> implements ReadOnlyWindowStore<K, V> {
  readonly #stores: ReadOnlyWindowStore<K, V>[];

  constructor(stores: ReadOnlyWindowStore<K, V>[]) {
    this.#stores = stores;
  }

  fetch(key: K, windowStart: number): V | null;
  fetch(key: K, from: number, to: number): KeyValue<number, V>[];
  fetch(key: K, from: number, to?: number): V | null | KeyValue<number, V>[] {
    if (to === undefined) {
      for (const store of this.#stores) {
        const value = store.fetch(key, from);
        if (value !== null) return value;
      }
      return null;
    }
    return firstNonEmpty(this.#stores, (s) => s.fetch(key, from, to));
  }

  backwardFetch(key: K, from: number, to: number): KeyValue<number, V>[] {
    return firstNonEmpty(this.#stores, (s) => s.backwardFetch(key, from, to));
  }

  fetchAll(from: number, to: number): KeyValue<Windowed<K>, V>[] {
    return this.#stores.flatMap((s) => s.fetchAll(from, to));
  }

  backwardFetchAll(from: number, to: number): KeyValue<Windowed<K>, V>[] {
    return this.#stores.flatMap((s) => s.backwardFetchAll(from, to));
  }

  all(): KeyValue<Windowed<K>, V>[] {
    return this.#stores.flatMap((s) => s.all());
  }
}

/**
 * One read-only view over the same session store in several tasks (Kafka's
 * CompositeReadOnlySessionStore): a key's sessions live in its partition's store, so each query by
 * key answers from the first store that has any.
 */
export class CompositeReadOnlySessionStore<K, V> implements ReadOnlySessionStore<K, V> {
  readonly #stores: ReadOnlySessionStore<K, V>[];

  constructor(stores: ReadOnlySessionStore<K, V>[]) {
    this.#stores = stores;
  }

  fetch(key: K): KeyValue<Windowed<K>, V>[] {
    return firstNonEmpty(this.#stores, (s) => s.fetch(key));
  }

  backwardFetch(key: K): KeyValue<Windowed<K>, V>[] {
    return firstNonEmpty(this.#stores, (s) => s.backwardFetch(key));
  }

  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): KeyValue<Windowed<K>, V>[] {
    return firstNonEmpty(this.#stores, (s) => s.findSessions(key, earliestSessionEndTime, latestSessionStartTime));
  }

  fetchSession(key: K, start: number, end: number): V | null {
    for (const store of this.#stores) {
      const value = store.fetchSession(key, start, end);
      if (value !== null) return value;
    }
    return null;
  }
}

/** The first of the stores' answers that is not empty (a key lives in one of them), else empty. */
function firstNonEmpty<S, T>(stores: readonly S[], query: (store: S) => T[]): T[] {
  for (const store of stores) {
    const found = query(store);
    if (found.length > 0) return found;
  }
  return [];
}
