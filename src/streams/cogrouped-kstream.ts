/**
 * Kafka's cogroup (KIP-150): grouped streams of different value types, each with its own
 * aggregator, aggregated into one table through one store, without a join of intermediate
 * tables. Wired as Kafka's `CogroupedStreamAggregateBuilder`: one aggregating processor per
 * stream, all on the same store, merged by a pass-through node that is the result table.
 */
import { TopologyError } from '../errors.ts';
import type { Serde } from '../serde/index.ts';
import { storeBuilder } from './builder.ts';
import type { DslBuilder } from './internal/dsl.ts';
import { storeGetter } from './internal/table.ts';
import type { AggregateOptions, KGroupedStream } from './kgrouped-stream.ts';
import { KTable, tableDef } from './ktable.ts';
import { materializedOptions } from './options.ts';
import { passThrough } from './operators/passthrough.ts';
import { kstreamSessionAggregate } from './operators/session-aggregate.ts';
import { kstreamAggregate } from './operators/stream-aggregate.ts';
import type { ProcessorSupplier } from './processor.ts';
import { sessionGetter } from './session-windowed-kstream.ts';
import { Stores } from './state/stores.ts';
import { WindowedSerdes } from './state/windowed-serdes.ts';
import { windowedAggregate, windowedAggregateStore, windowGetter } from './time-windowed-kstream.ts';
import { SessionWindows, type SlidingWindows, type TimeWindows, type Windowed } from './windows.ts';
import { groupedDef } from './kgrouped-stream.ts';

type Aggregator<K, VOut> = (key: K, value: unknown, aggregate: VOut) => VOut;

// What the windowed cogroups below reach inside a CogroupedKStream; set by its static block.
let cogroupBuilder: <K, VOut>(cogrouped: CogroupedKStream<K, VOut>) => DslBuilder;
let cogroupKeySerde: <K, VOut>(cogrouped: CogroupedKStream<K, VOut>) => Serde<K> | undefined;
let cogroupWire: <K, VOut>(
  cogrouped: CogroupedKStream<K, VOut>,
  storeName: string,
  named: string | undefined,
  supplier: (aggregator: Aggregator<K, VOut>) => unknown,
) => string;

/**
 * Grouped streams being co-grouped (Kafka's `CogroupedKStream`).
 *
 * @example
 * purchases.groupByKey()
 *   .cogroup((_c, p: Purchase, agg: Summary) => ({ ...agg, spent: agg.spent + p.amount }))
 *   .cogroup(returns.groupByKey(), (_c, r: Return, agg) => ({ ...agg, refunded: agg.refunded + r.amount }))
 *   .windowedBy(TimeWindows.ofSizeWithNoGrace(86_400_000))
 *   .aggregate(() => ({ spent: 0, refunded: 0 }));
 */
export class CogroupedKStream<K, VOut> {
  readonly #groups: { grouped: KGroupedStream<K, unknown>; aggregator: Aggregator<K, VOut> }[] = [];

  /** @internal */
  constructor(grouped: KGroupedStream<K, unknown>, aggregator: Aggregator<K, VOut>) {
    this.#groups.push({ grouped, aggregator });
  }

  /** Adds another grouped stream with its aggregator; each grouped stream may be added once. */
  cogroup<V>(grouped: KGroupedStream<K, V>, aggregator: (key: K, value: V, aggregate: VOut) => VOut): this {
    if (this.#groups.some((g) => g.grouped === (grouped as KGroupedStream<K, unknown>)))
      throw new TopologyError('this grouped stream is already part of the cogroup');
    this.#groups.push({
      grouped: grouped as KGroupedStream<K, unknown>,
      aggregator: aggregator as Aggregator<K, VOut>,
    });
    return this;
  }

  /** Aggregates per key: `initializer()` starts a key's aggregate, each stream's aggregator folds its records in. */
  aggregate(initializer: () => VOut, options: AggregateOptions<K, VOut> = {}): KTable<K, VOut> {
    const b = this.#builder();
    const m = materializedOptions(options.materialized);
    const storeName = m.storeName ?? b.names.store('COGROUPKSTREAM-AGGREGATE-');
    const keySerde = m.keySerde ?? this.#keySerde();
    b.topology.addStore(storeBuilder(storeName, m, keySerde, m.valueSerde));
    const name = this.#wire(storeName, options.name, (aggregator) =>
      kstreamAggregate<K, unknown, VOut>(storeName, initializer, (k, v, agg) => aggregator(k, v, agg as VOut)),
    );
    return new KTable<K, VOut>(b, name, keySerde, m.valueSerde, storeGetter(storeName), storeName);
  }

  /** Co-groups per window: time windows (tumbling or hopping), sliding windows or session windows. */
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedCogroupedKStream<K, VOut>;
  windowedBy(windows: SessionWindows): SessionWindowedCogroupedKStream<K, VOut>;
  windowedBy(
    windows: TimeWindows | SlidingWindows | SessionWindows,
  ): TimeWindowedCogroupedKStream<K, VOut> | SessionWindowedCogroupedKStream<K, VOut> {
    return windows instanceof SessionWindows
      ? new SessionWindowedCogroupedKStream<K, VOut>(this, windows)
      : new TimeWindowedCogroupedKStream<K, VOut>(this, windows);
  }

  /** The first grouped stream's builder. */
  #builder(): DslBuilder {
    return groupedDef(this.#groups[0]!.grouped).builder;
  }

  /** The first grouped stream's key serde, as Kafka takes it. */
  #keySerde(): Serde<K> | undefined {
    return groupedDef(this.#groups[0]!.grouped).serdes.keySerde;
  }

  static {
    cogroupBuilder = (cogrouped) => cogrouped.#builder();
    cogroupKeySerde = (cogrouped) => cogrouped.#keySerde();
    cogroupWire = (cogrouped, storeName, named, supplier) => cogrouped.#wire(storeName, named, supplier);
  }

  /**
   * Repartitions the groups that need it, adds one aggregating processor per group (all connected
   * to `storeName`) and the merge node; returns the merge node's name.
   */
  #wire(storeName: string, named: string | undefined, supplier: (aggregator: Aggregator<K, VOut>) => unknown): string {
    const b = this.#builder();
    let unnamedRepartitions = 0;
    const parents = this.#groups.map(({ grouped }) =>
      // Two unnamed repartitions would share a topic name: the later ones get a number.
      groupedDef(grouped).repartitionRequired
        ? groupedDef(grouped).repartitioned(
            storeName,
            unnamedRepartitions++ === 0 ? storeName : `${storeName}-${unnamedRepartitions - 1}`,
            true,
          )
        : groupedDef(grouped).repartitioned(storeName),
    );
    const names = this.#groups.map(({ aggregator }, i) => {
      const name = named !== undefined ? `${named}-cogroup-agg-${i}` : b.names.processor('COGROUPKSTREAM-AGGREGATE-');
      b.addProcessor(name, supplier(aggregator) as ProcessorSupplier<unknown, unknown>, [parents[i]!], [storeName]);
      return name;
    });
    const merge = named !== undefined ? `${named}-cogroup-merge` : b.names.processor('COGROUPKSTREAM-MERGE-');
    b.addProcessor(merge, passThrough(), names);
    return merge;
  }
}

/** A cogroup per time or sliding window (Kafka's `TimeWindowedCogroupedKStream`). */
export class TimeWindowedCogroupedKStream<K, VOut> {
  readonly #cogrouped: CogroupedKStream<K, VOut>;
  readonly #windows: TimeWindows | SlidingWindows;

  /** @internal */
  constructor(cogrouped: CogroupedKStream<K, VOut>, windows: TimeWindows | SlidingWindows) {
    this.#cogrouped = cogrouped;
    this.#windows = windows;
  }

  /** Aggregates per key and window; records later than the window's grace are dropped. */
  aggregate(initializer: () => VOut, options: AggregateOptions<K, VOut> = {}): KTable<Windowed<K>, VOut> {
    const b = cogroupBuilder(this.#cogrouped);
    const w = this.#windows;
    const m = materializedOptions(options.materialized);
    const storeName = m.storeName ?? b.names.store('COGROUPKSTREAM-AGGREGATE-');
    const keySerde = m.keySerde ?? cogroupKeySerde(this.#cogrouped);
    const { store, sizeMs, closeMs } = windowedAggregateStore(storeName, w, m, keySerde, m.valueSerde, false);
    b.addStateStore(store);
    const name = cogroupWire(this.#cogrouped, storeName, options.name, (aggregator) =>
      windowedAggregate<K, unknown, VOut>(storeName, w, initializer, (k, v, agg) => aggregator(k, v, agg as VOut)),
    );
    const table = new KTable<Windowed<K>, VOut>(
      b,
      name,
      keySerde === undefined ? undefined : WindowedSerdes.timeWindowedSerdeFrom(keySerde, sizeMs),
      m.valueSerde,
      windowGetter<K, VOut>(storeName),
      storeName,
    );
    tableDef(table).windowCloseMs = closeMs;
    return table;
  }
}

/** A cogroup per session (Kafka's `SessionWindowedCogroupedKStream`). */
export class SessionWindowedCogroupedKStream<K, VOut> {
  readonly #cogrouped: CogroupedKStream<K, VOut>;
  readonly #windows: SessionWindows;

  /** @internal */
  constructor(cogrouped: CogroupedKStream<K, VOut>, windows: SessionWindows) {
    this.#cogrouped = cogrouped;
    this.#windows = windows;
  }

  /** Aggregates per key and session; `merger` combines two sessions that a record brings together. */
  aggregate(
    initializer: () => VOut,
    merger: (key: K, left: VOut, right: VOut) => VOut,
    options: AggregateOptions<K, VOut> = {},
  ): KTable<Windowed<K>, VOut> {
    const b = cogroupBuilder(this.#cogrouped);
    const w = this.#windows;
    const m = materializedOptions(options.materialized);
    const storeName = m.storeName ?? b.names.store('COGROUPKSTREAM-AGGREGATE-');
    const minimum = w.gapMs + w.graceMs;
    const retention = m.retentionMs ?? minimum;
    if (retention < minimum)
      throw new TopologyError(
        `store ${storeName}: retention (${retention} ms) must be at least inactivity gap + grace (${minimum} ms)`,
        { store: storeName },
      );
    const keySerde = m.keySerde ?? cogroupKeySerde(this.#cogrouped);
    const supplier =
      m.storeType === 'in-memory'
        ? Stores.inMemorySessionStore(storeName, retention)
        : Stores.persistentSessionStore(storeName, retention);
    const store = Stores.sessionStoreBuilder(supplier, keySerde, m.valueSerde);
    if (m.loggingEnabled === false) store.withLoggingDisabled();
    b.addStateStore(store);
    const name = cogroupWire(this.#cogrouped, storeName, options.name, (aggregator) =>
      kstreamSessionAggregate<K, unknown, VOut>(
        storeName,
        w,
        initializer,
        (k, v, agg) => aggregator(k, v, agg),
        merger,
      ),
    );
    const table = new KTable<Windowed<K>, VOut>(
      b,
      name,
      keySerde === undefined ? undefined : WindowedSerdes.sessionWindowedSerdeFrom(keySerde),
      m.valueSerde,
      sessionGetter<K, VOut>(storeName),
      storeName,
    );
    tableDef(table).windowCloseMs = w.gapMs + w.graceMs;
    return table;
  }
}
