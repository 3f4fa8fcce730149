import { TopologyError } from '../errors.ts';
import { Serdes } from '../serde/index.ts';
import type { Serde } from '../serde/index.ts';
import type { ValueGetterSupplier } from './internal/table.ts';
import type { AggregateOptions, KGroupedStream } from './kgrouped-stream.ts';
import { KTable, tableDef } from './ktable.ts';
import { EmitStrategy } from './emit-strategy.ts';
import { kstreamSessionAggregate } from './operators/session-aggregate.ts';
import { materializedOptions } from './options.ts';
import type { MeteredSessionStore } from './state/session-store.ts';
import { Stores } from './state/stores.ts';
import { WindowedSerdes } from './state/windowed-serdes.ts';
import type { SessionWindows, Windowed } from './windows.ts';
import { groupedDef } from './kgrouped-stream.ts';

/**
 * A grouped stream cut into sessions (Kafka's `SessionWindowedKStream`), made by
 * `groupByKey().windowedBy(SessionWindows...)`. Its aggregations keep one value per key and session
 * in a session store; when a record joins two sessions their aggregates are merged, the old
 * sessions are forwarded as deletes and the merged one as an update.
 *
 * @example
 * views.groupByKey()
 *   .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(30 * 60_000))
 *   .count({ materialized: 'sessions' })
 *   .toStream()
 *   .to('sessions', { keySerde: WindowedSerdes.sessionWindowedSerdeFrom(Serdes.String()), valueSerde: Serdes.LongNumber() });
 */
export class SessionWindowedKStream<K, V> {
  readonly #grouped: KGroupedStream<K, V>;
  readonly #windows: SessionWindows;
  #emitStrategy = EmitStrategy.onWindowUpdate();

  /** @internal */
  constructor(grouped: KGroupedStream<K, V>, windows: SessionWindows) {
    this.#grouped = grouped;
    this.#windows = windows;
  }

  /**
   * When the aggregations made after this call emit (Kafka's `emitStrategy`): every update of a
   * session (`EmitStrategy.onWindowUpdate()`, the default) or each session once, when it closes
   * (`EmitStrategy.onWindowClose()`: stream time past its end plus gap plus grace). Returns this stream.
   *
   * @example
   * grouped.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(300_000)).emitStrategy(EmitStrategy.onWindowClose()).count();
   */
  emitStrategy(emitStrategy: EmitStrategy): this {
    if (!(emitStrategy instanceof EmitStrategy))
      throw new TypeError('emitStrategy takes EmitStrategy.onWindowClose() or EmitStrategy.onWindowUpdate()');
    this.#emitStrategy = emitStrategy;
    return this;
  }

  /** The number of records per key and session. */
  count(options: AggregateOptions<K, number> = {}): KTable<Windowed<K>, number> {
    // Kafka burns a generated name when count gets a Materialized without a store name (kept
    // for topology compatibility), so the numbering after it matches Kafka's.
    if (options.materialized !== undefined && materializedOptions(options.materialized).storeName === undefined)
      groupedDef(this.#grouped).builder.names.store('KSTREAM-AGGREGATE-');
    return this.#aggregate(
      'KSTREAM-AGGREGATE-',
      options,
      Serdes.LongNumber(),
      () => 0,
      (_k, _v, agg) => agg + 1,
      (_k, a, b) => a + b,
    );
  }

  /** Combines a session's values with `reducer`; merged sessions' values are reduced together too. */
  reduce(reducer: (aggregate: V, value: V) => V, options: AggregateOptions<K, V> = {}): KTable<Windowed<K>, V> {
    const none = Symbol('none');
    return this.#aggregate<V>(
      'KSTREAM-REDUCE-',
      options,
      groupedDef(this.#grouped).serdes.valueSerde,
      () => none as unknown as V,
      (_k, v, agg) => ((agg as unknown) === none ? v : reducer(agg, v)),
      (_k, a, b) => ((a as unknown) === none ? b : (b as unknown) === none ? a : reducer(a, b)),
    );
  }

  /** Folds a session's values into an aggregate that starts as `initializer()`; `merger` joins two sessions' aggregates. */
  aggregate<VA>(
    initializer: () => VA,
    aggregator: (key: K, value: V, aggregate: VA) => VA,
    merger: (key: K, left: VA, right: VA) => VA,
    options: AggregateOptions<K, VA> = {},
  ): KTable<Windowed<K>, VA> {
    return this.#aggregate('KSTREAM-AGGREGATE-', options, undefined, initializer, aggregator, merger);
  }

  #aggregate<VA>(
    prefix: string,
    options: AggregateOptions<K, VA>,
    defaultValueSerde: Serde<VA> | undefined,
    initializer: () => VA,
    aggregator: (key: K, value: V, aggregate: VA) => VA,
    merger: (key: K, left: VA, right: VA) => VA,
  ): KTable<Windowed<K>, VA> {
    const b = groupedDef(this.#grouped).builder;
    const m = materializedOptions(options.materialized);
    const storeName = m.storeName ?? b.names.store(prefix);
    const name = options.name ?? b.names.processor(prefix);
    const parent = groupedDef(this.#grouped).repartitioned(storeName);
    const w = this.#windows;
    const minimum = w.gapMs + w.graceMs;
    const retention = m.retentionMs ?? minimum;
    if (retention < minimum) {
      throw new TopologyError(
        `store ${storeName}: retention (${retention} ms) must be at least inactivity gap + grace (${minimum} ms)`,
        { store: storeName },
      );
    }
    const emitOnClose = this.#emitStrategy.type === 'ON_WINDOW_CLOSE';
    // Emitting on close, Kafka's persistent session store is its time-ordered one.
    const supplier =
      m.storeType === 'in-memory'
        ? Stores.inMemorySessionStore(storeName, retention)
        : { ...Stores.persistentSessionStore(storeName, retention), timeOrdered: emitOnClose };
    const keySerde = m.keySerde ?? groupedDef(this.#grouped).serdes.keySerde;
    const valueSerde = m.valueSerde ?? defaultValueSerde;
    const store = Stores.sessionStoreBuilder(supplier, keySerde, valueSerde);
    if (m.loggingEnabled === false) store.withLoggingDisabled();
    // Cached unless turned off, as Kafka's DSL; not when emitting on close (Kafka's SessionStoreMaterializer).
    if (m.cachingEnabled !== false && !emitOnClose) store.withCachingEnabled();
    b.addStateStore(store);
    b.addProcessor(
      name,
      kstreamSessionAggregate(storeName, w, initializer, aggregator, merger, emitOnClose),
      [parent],
      [storeName],
    );
    const windowedKeySerde = keySerde === undefined ? undefined : WindowedSerdes.sessionWindowedSerdeFrom(keySerde);
    const table = new KTable<Windowed<K>, VA>(
      b,
      name,
      windowedKeySerde,
      valueSerde,
      sessionGetter<K, VA>(storeName),
      storeName,
    );
    tableDef(table).windowCloseMs = w.gapMs + w.graceMs;
    return table;
  }
}

/** A table getter over a session store: a session key's value is that exact session's. */
/** @internal */
export function sessionGetter<K, V>(storeName: string): ValueGetterSupplier<Windowed<K>, V> {
  return {
    storeNames: [storeName],
    init(ctx) {
      const store = ctx.getStateStore<MeteredSessionStore<K, V>>(storeName);
      return (w) => {
        const value = store.fetchSession(w.key, w.window.start, w.window.end);
        return value === null ? null : { value, timestamp: w.window.end };
      };
    },
  };
}
