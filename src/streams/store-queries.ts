/**
 * Interactive queries as Kafka Streams names them: `QueryableStoreTypes` says which kind of view a
 * query expects, `StoreQueryParameters` names the store, that kind and optionally one partition,
 * and `KafkaStreams.store` returns the view over this instance's copies of the store (one per task).
 *
 * @example
 * const clicks = streams.store(
 *   StoreQueryParameters.fromNameAndType('clicks-per-minute', QueryableStoreTypes.windowStore<string, number>()),
 * );
 * clicks.fetch('alice', 0, 180_000); // [{ key: 60000, value: 3 }, …]
 */
import { TributaryError } from '../errors.ts';
import {
  CompositeReadOnlySessionStore,
  CompositeReadOnlyStore,
  CompositeReadOnlyWindowStore,
} from './internal/composite-store.ts';
import type { ReadOnlyKeyValueStore } from './state/key-value-store.ts';
import type { MeteredKeyValueStore } from './state/metered-store.ts';
import { type ReadOnlySessionStore, SessionStoreBuilder } from './state/session-store.ts';
import { timestampedView } from './state/timestamped-store.ts';
import type { ValueAndTimestamp } from './state/value-and-timestamp.ts';
import { JoinWindowStoreBuilder } from './state/join-window-store.ts';
import { type ReadOnlyWindowStore, WindowStoreBuilder } from './state/window-store.ts';

/** The kinds of view an interactive query can ask for. */
export type QueryableStoreKind = 'keyValue' | 'timestampedKeyValue' | 'window' | 'session';

/** What a query expects of a store (Kafka's `QueryableStoreType`); `T` is the view it gets. */
export interface QueryableStoreType<T> {
  readonly kind: QueryableStoreKind;
  /** Never set: it carries the view's type. */
  readonly view?: T;
}

/**
 * Kafka's `QueryableStoreTypes`: a key-value view (of a key-value or timestamped key-value store),
 * the same with each value's timestamp, a window store's or a session store's.
 */
export const QueryableStoreTypes = Object.freeze({
  /** A key-value view (of a key-value or timestamped key-value store). */
  keyValueStore: <K, V>(): QueryableStoreType<ReadOnlyKeyValueStore<K, V>> => ({ kind: 'keyValue' }),
  /** A key-value view with each value's timestamp. */
  timestampedKeyValueStore: <K, V>(): QueryableStoreType<ReadOnlyKeyValueStore<K, ValueAndTimestamp<V>>> => ({
    kind: 'timestampedKeyValue',
  }),
  /** A window store's view. */
  windowStore: <K, V>(): QueryableStoreType<ReadOnlyWindowStore<K, V>> => ({ kind: 'window' }),
  /** A session store's view. */
  sessionStore: <K, V>(): QueryableStoreType<ReadOnlySessionStore<K, V>> => ({ kind: 'session' }),
});

/**
 * Kafka's `StoreQueryParameters`: the store to query, the kind of view, and optionally the one
 * partition whose copy to read (`withPartition`). `enableStaleStores` is accepted and changes
 * nothing: Tributary keeps no standby replicas, and a store being restored is not queried apart.
 */
export class StoreQueryParameters<T> {
  readonly storeName: string;
  readonly queryableStoreType: QueryableStoreType<T>;
  readonly partition: number | undefined;
  readonly staleStoresEnabled: boolean;

  private constructor(storeName: string, type: QueryableStoreType<T>, partition: number | undefined, stale: boolean) {
    this.storeName = storeName;
    this.queryableStoreType = type;
    this.partition = partition;
    this.staleStoresEnabled = stale;
  }

  /** The query of store `storeName` with the view `queryableStoreType` names. */
  static fromNameAndType<T>(storeName: string, queryableStoreType: QueryableStoreType<T>): StoreQueryParameters<T> {
    return new StoreQueryParameters(storeName, queryableStoreType, undefined, false);
  }

  /** Reads only the copy of the store of the task for this partition of the app's inputs. */
  withPartition(partition: number): StoreQueryParameters<T> {
    if (!Number.isSafeInteger(partition) || partition < 0)
      throw new TypeError(`partition must be an integer ≥ 0, got ${partition}`);
    return new StoreQueryParameters(this.storeName, this.queryableStoreType, partition, this.staleStoresEnabled);
  }

  /** Accepted for Kafka's code; changes nothing here (no standbys, no separate restoring copies). */
  enableStaleStores(): StoreQueryParameters<T> {
    return new StoreQueryParameters(this.storeName, this.queryableStoreType, this.partition, true);
  }
}

/** The kind of store a builder makes: window, session, or key-value for the rest. */
export function storeKindOf(builder: unknown): 'keyValue' | 'window' | 'session' {
  if (builder instanceof WindowStoreBuilder || builder instanceof JoinWindowStoreBuilder) return 'window';
  if (builder instanceof SessionStoreBuilder) return 'session';
  return 'keyValue';
}

/**
 * The view a query of `kind` gets over the copies `stores()` returns at each call (tasks come and go
 * with rebalances, so the copies are looked up per call). The caller has checked that the store is
 * of a kind the query accepts.
 */
export function storeView(kind: QueryableStoreKind, name: string, stores: () => unknown[]): unknown {
  switch (kind) {
    case 'keyValue': {
      const c = () => new CompositeReadOnlyStore(stores() as ReadOnlyKeyValueStore<unknown, unknown>[]);
      return {
        get: (key: unknown) => c().get(key),
        range: (from: unknown, to: unknown) => c().range(from, to),
        all: () => c().all(),
        approximateNumEntries: () => c().approximateNumEntries(),
      } satisfies ReadOnlyKeyValueStore<unknown, unknown>;
    }
    case 'timestampedKeyValue': {
      const c = () =>
        new CompositeReadOnlyStore(
          (stores() as MeteredKeyValueStore<unknown, unknown>[]).map((s) => {
            if (!s.timestamped)
              throw new TributaryError('INVALID_STATE_STORE', `state store ${name} keeps no timestamps`, {
                store: name,
              });
            return timestampedView(s);
          }),
        );
      return {
        get: (key: unknown) => c().get(key),
        range: (from: unknown, to: unknown) => c().range(from, to),
        all: () => c().all(),
        approximateNumEntries: () => c().approximateNumEntries(),
      } satisfies ReadOnlyKeyValueStore<unknown, ValueAndTimestamp<unknown>>;
    }
    case 'window': {
      const c = () => new CompositeReadOnlyWindowStore(stores() as ReadOnlyWindowStore<unknown, unknown>[]);
      return {
        fetch: ((key: unknown, from: number, to?: number) =>
          to === undefined ? c().fetch(key, from) : c().fetch(key, from, to)) as ReadOnlyWindowStore<
          unknown,
          unknown
        >['fetch'],
        backwardFetch: (key: unknown, from: number, to: number) => c().backwardFetch(key, from, to),
        fetchAll: (from: number, to: number) => c().fetchAll(from, to),
        backwardFetchAll: (from: number, to: number) => c().backwardFetchAll(from, to),
        all: () => c().all(),
      } satisfies ReadOnlyWindowStore<unknown, unknown>;
    }
    case 'session': {
      const c = () => new CompositeReadOnlySessionStore(stores() as ReadOnlySessionStore<unknown, unknown>[]);
      return {
        fetch: (key: unknown) => c().fetch(key),
        backwardFetch: (key: unknown) => c().backwardFetch(key),
        findSessions: (key: unknown, earliestEnd: number, latestStart: number) =>
          c().findSessions(key, earliestEnd, latestStart),
        fetchSession: (key: unknown, start: number, end: number) => c().fetchSession(key, start, end),
      } satisfies ReadOnlySessionStore<unknown, unknown>;
    }
  }
}
