import type { ProcessorContext, ProcessorSupplier, StreamRecord } from '../processor.ts';
import { MeteredKeyValueStore } from '../state/metered-store.ts';
import type { ValueAndTimestamp } from '../state/value-and-timestamp.ts';
import type { MeteredVersionedKeyValueStore } from '../state/versioned-store.ts';
import type { MeteredWindowStore } from '../state/window-store.ts';
import type { Window, Windowed } from '../windows.ts';
import type { Change } from './change.ts';

/**
 * How a table node reads a key's current value without a store of its own (Kafka's
 * `KTableValueGetterSupplier`): a materialized table reads its store, a filter or mapValues asks
 * its parent's getter and applies itself.
 */
export interface ValueGetterSupplier<K, V> {
  /** Stores the getter reads: connected to every processor that uses it. */
  readonly storeNames: string[];
  /**
   * The key's current value and the timestamp it carries, or null; a versioned table's getter
   * answers as of `asOfTimestamp` when given one (Kafka's `VersionedKeyValueStore.get(key, asOf)`).
   */
  init(ctx: ProcessorContext): (key: K, asOfTimestamp?: number) => ValueAndTimestamp<V> | null;
  /** The getter reads a versioned store, so lookups as of a time are meaningful. */
  readonly versioned?: boolean;
}

/** A getter over a store (a versioned one answers lookups as of a time). */
export function storeGetter<K, V>(storeName: string, versioned = false): ValueGetterSupplier<K, V> {
  return {
    storeNames: [storeName],
    versioned,
    init(ctx) {
      const store = ctx.getStateStore<MeteredKeyValueStore<K, V> & Partial<MeteredVersionedKeyValueStore<K, V>>>(
        storeName,
      );
      const getAsOf = store.getAsOf?.bind(store);
      if (getAsOf === undefined) return (key) => store.getWithTimestamp(key);
      return (key, asOf) => (asOf === undefined ? store.getWithTimestamp(key) : getAsOf(key, asOf));
    },
  };
}

/**
 * The store of a table that is not queryable, added only once something needs it, as Kafka
 * materializes such a table: `getter` adds it when a join reads it, `materialize` when an operator
 * needs the table's old values (groupBy, suppress). `add` adds the store and connects it to the
 * table's node; `store.name` is set from then on (see `ktableSourceOnDemand`).
 */
export function storeOnDemand<K, V>(
  storeName: string,
  add: () => void,
  versioned = false,
): { store: { name: string | undefined }; materialize: () => void; getter: ValueGetterSupplier<K, V> } {
  const store: { name: string | undefined } = { name: undefined };
  const materialize = () => {
    if (store.name !== undefined) return;
    store.name = storeName;
    add();
  };
  const reader = storeGetter<K, V>(storeName, versioned);
  const getter: ValueGetterSupplier<K, V> = {
    get storeNames() {
      materialize();
      return [storeName];
    },
    versioned,
    init: (ctx) => reader.init(ctx),
  };
  return { store, materialize, getter };
}

/**
 * Forwards a table node's changes: when its store caches, the cache forwards at flush (so
 * downstream sees one change per key per commit); otherwise each change is forwarded at once.
 * Kafka's `TimestampedTupleForwarder`.
 */
export function tableForwarder<K, V>(
  ctx: ProcessorContext,
  store: MeteredKeyValueStore<K, V>,
): (record: StreamRecord<K, unknown>, newValue: V | null, oldValue: V | null, timestamp?: number) => void {
  const cached = store.setFlushListener((key, newValue, oldValue, timestamp) => {
    ctx.forward<K, Change<V>>({ key, value: { newValue, oldValue }, timestamp });
  });
  return (record, newValue, oldValue, timestamp = record.timestamp) => {
    if (!cached)
      ctx.forward<K, Change<V>>({ key: record.key, value: { newValue, oldValue }, timestamp, headers: record.headers });
  };
}

/**
 * {@link tableForwarder} for a windowed table: when the window store caches, its flushes forward
 * the windows' changes and this returns undefined (nothing to forward per update, nothing to
 * allocate for it); otherwise the function that forwards each change at once.
 */
export function windowedTableForwarder<K, V>(
  ctx: ProcessorContext,
  store: MeteredWindowStore<K, V>,
): ((key: K, window: Window, newValue: V, oldValue: V | null, timestamp: number) => void) | undefined {
  const cached = store.setFlushListener((key, newValue, oldValue, timestamp) => {
    ctx.forward<Windowed<K>, Change<V>>({ key, value: { newValue, oldValue }, timestamp });
  });
  if (cached) return undefined;
  return (key, window, newValue, oldValue, timestamp) =>
    ctx.forward<Windowed<K>, Change<V>>({ key: { key, window }, value: { newValue, oldValue }, timestamp });
}

/**
 * A processor that keeps a table in `storeName` (table sources and aggregations are all this): for
 * a record with a key, `update` makes the key's new value from the record and the old value (null
 * deletes, undefined leaves the key alone), which is stored and forwarded as a change. Records with
 * a null key are dropped.
 *
 * The new value's timestamp is the record's, or with `aggregating` the larger of the record's and
 * the old value's (Kafka's aggregations: a late record does not move an aggregate back in time).
 */
export function materializing<K, VIn, V>(
  storeName: string,
  update: (key: K, value: VIn, old: V | null) => V | null | undefined,
  aggregating = false,
): ProcessorSupplier<K, VIn, K, Change<V>> {
  return () => {
    let store: MeteredKeyValueStore<K, V>;
    /** The same store when it is a key-value one, read without a ValueAndTimestamp per record. */
    let plain: MeteredKeyValueStore<K, V> | undefined;
    let forward: ReturnType<typeof tableForwarder<K, V>>;
    return {
      init(ctx) {
        store = ctx.getStateStore(storeName);
        plain = store instanceof MeteredKeyValueStore ? store : undefined;
        forward = tableForwarder(ctx, store);
      },
      process(record) {
        if (record.key === null || record.key === undefined) return;
        let old: V | null;
        let oldTimestamp: number;
        if (plain !== undefined) {
          old = plain.getStamped(record.key);
          oldTimestamp = plain.stampedAt;
        } else {
          const stamped = store.getWithTimestamp(record.key);
          old = stamped === null ? null : stamped.value;
          oldTimestamp = stamped === null ? -1 : stamped.timestamp;
        }
        const next = update(record.key, record.value, old);
        if (next === undefined) return;
        const timestamp = aggregating && old !== null ? Math.max(record.timestamp, oldTimestamp) : record.timestamp;
        // A versioned store answers where the put went: an update older than the key's latest
        // only fills in history and is not forwarded (KIP-914); one past the history is dropped.
        const placed = store.putWithTimestamp(record.key, next, timestamp) as unknown;
        if (placed !== undefined && placed !== -1) return;
        forward(record, next, old, timestamp);
      },
    };
  };
}
