/**
 * Interactive queries v2 (Kafka's KIP-796, `KafkaStreams.query`): a request names a store, one
 * query and the partitions to ask; the answer is a result per partition, each a success or a
 * failure with a reason, and each with the position of the store it came from (the input offsets
 * its task had processed), so a caller can require a store at least as fresh as a write it made.
 *
 * @example
 * const result = streams.query(StateQueryRequest.inStore('counts').withQuery(KeyQuery.withKey<string, number>('alice')));
 * result.getOnlyPartitionResult()?.getResult(); // 3
 */
import { TributaryError } from '../errors.ts';
import type { Running } from './runtime/task-manager.ts';
import type { KeyValue } from './state/key-value-store.ts';
import type { MeteredKeyValueStore } from './state/metered-store.ts';
import type { MeteredSessionStore } from './state/session-store.ts';
import type { ValueAndTimestamp } from './state/value-and-timestamp.ts';
import { MeteredVersionedKeyValueStore, type VersionedRecord } from './state/versioned-store.ts';
import type { MeteredWindowStore } from './state/window-store.ts';
import type { Windowed } from './windows.ts';

/** The value of one key (Kafka's `KeyQuery`), of a key-value store, timestamped or not. */
export class KeyQuery<K, V> {
  readonly kind = 'key';
  declare readonly resultType?: V | null;
  private constructor(readonly key: K) {}
  /** The query of `key`. */
  static withKey<K, V>(key: K): KeyQuery<K, V> {
    return new KeyQuery<K, V>(key);
  }
}

/** The value and timestamp of one key (Kafka's `TimestampedKeyQuery`), of a timestamped store. */
export class TimestampedKeyQuery<K, V> {
  readonly kind = 'timestampedKey';
  declare readonly resultType?: ValueAndTimestamp<V> | null;
  private constructor(readonly key: K) {}
  /** The query of `key`. */
  static withKey<K, V>(key: K): TimestampedKeyQuery<K, V> {
    return new TimestampedKeyQuery<K, V>(key);
  }
}

/** Kafka's `ResultOrder`: the order of a range query's keys. */
export type ResultOrder = 'ANY' | 'ASCENDING' | 'DESCENDING';

/** The entries of a key range, bounds inclusive and optional (Kafka's `RangeQuery`). */
export class RangeQuery<K, V> {
  readonly kind = 'range';
  declare readonly resultType?: KeyValue<K, V>[];
  private constructor(
    readonly lower: K | null,
    readonly upper: K | null,
    readonly order: ResultOrder = 'ANY',
  ) {}
  /** Keys from `lower` to `upper`, inclusive; null leaves that side open. */
  static withRange<K, V>(lower: K | null, upper: K | null): RangeQuery<K, V> {
    return new RangeQuery<K, V>(lower, upper);
  }
  /** Keys from `lower` up. */
  static withLowerBound<K, V>(lower: K): RangeQuery<K, V> {
    return new RangeQuery<K, V>(lower, null);
  }
  /** Keys up to `upper`. */
  static withUpperBound<K, V>(upper: K): RangeQuery<K, V> {
    return new RangeQuery<K, V>(null, upper);
  }
  /** Every key. */
  static withNoBounds<K, V>(): RangeQuery<K, V> {
    return new RangeQuery<K, V>(null, null);
  }
  /** The same range, keys in ascending order. */
  withAscendingKeys(): RangeQuery<K, V> {
    return new RangeQuery<K, V>(this.lower, this.upper, 'ASCENDING');
  }
  /** The same range, keys in descending order. */
  withDescendingKeys(): RangeQuery<K, V> {
    return new RangeQuery<K, V>(this.lower, this.upper, 'DESCENDING');
  }
}

/** {@link RangeQuery} with each value's timestamp (Kafka's `TimestampedRangeQuery`). */
export class TimestampedRangeQuery<K, V> {
  readonly kind = 'timestampedRange';
  declare readonly resultType?: KeyValue<K, ValueAndTimestamp<V>>[];
  private constructor(
    readonly lower: K | null,
    readonly upper: K | null,
    readonly order: ResultOrder = 'ANY',
  ) {}
  /** Keys from `lower` to `upper`, inclusive; null leaves that side open. */
  static withRange<K, V>(lower: K | null, upper: K | null): TimestampedRangeQuery<K, V> {
    return new TimestampedRangeQuery<K, V>(lower, upper);
  }
  /** Keys from `lower` up. */
  static withLowerBound<K, V>(lower: K): TimestampedRangeQuery<K, V> {
    return new TimestampedRangeQuery<K, V>(lower, null);
  }
  /** Keys up to `upper`. */
  static withUpperBound<K, V>(upper: K): TimestampedRangeQuery<K, V> {
    return new TimestampedRangeQuery<K, V>(null, upper);
  }
  /** Every key. */
  static withNoBounds<K, V>(): TimestampedRangeQuery<K, V> {
    return new TimestampedRangeQuery<K, V>(null, null);
  }
  /** The same range, keys in ascending order. */
  withAscendingKeys(): TimestampedRangeQuery<K, V> {
    return new TimestampedRangeQuery<K, V>(this.lower, this.upper, 'ASCENDING');
  }
  /** The same range, keys in descending order. */
  withDescendingKeys(): TimestampedRangeQuery<K, V> {
    return new TimestampedRangeQuery<K, V>(this.lower, this.upper, 'DESCENDING');
  }
}

/** One key's windows starting in a time range, keyed by start (Kafka's `WindowKeyQuery`). */
export class WindowKeyQuery<K, V> {
  readonly kind = 'windowKey';
  declare readonly resultType?: KeyValue<number, V>[];
  private constructor(
    readonly key: K,
    readonly timeFrom: number,
    readonly timeTo: number,
  ) {}
  /** The windows of `key` starting from `timeFrom` to `timeTo`, inclusive. */
  static withKeyAndWindowStartRange<K, V>(key: K, timeFrom: number, timeTo: number): WindowKeyQuery<K, V> {
    return new WindowKeyQuery<K, V>(key, timeFrom, timeTo);
  }
}

/**
 * A session store's sessions of one key, or a window store's windows of every key starting in a
 * time range (Kafka's `WindowRangeQuery`; its stores take it so, and answer the other two
 * combinations UNKNOWN_QUERY_TYPE).
 */
export class WindowRangeQuery<K, V> {
  readonly kind = 'windowRange';
  declare readonly resultType?: KeyValue<Windowed<K>, V>[];
  private constructor(
    readonly key: K | undefined,
    readonly timeFrom: number | undefined,
    readonly timeTo: number | undefined,
  ) {}
  /** The sessions of `key` (a session store's query). */
  static withKey<K, V>(key: K): WindowRangeQuery<K, V> {
    return new WindowRangeQuery<K, V>(key, undefined, undefined);
  }
  /** Every key's windows starting from `timeFrom` to `timeTo`, inclusive (a window store's query). */
  static withWindowStartRange<K, V>(timeFrom: number, timeTo: number): WindowRangeQuery<K, V> {
    return new WindowRangeQuery<K, V>(undefined, timeFrom, timeTo);
  }
}

/** A key's latest version, or the version valid at a time (Kafka's `VersionedKeyQuery`), of a versioned store. */
export class VersionedKeyQuery<K, V> {
  readonly kind = 'versionedKey';
  declare readonly resultType?: VersionedRecord<V> | null;
  private constructor(
    readonly key: K,
    readonly asOfTimestamp: number | undefined,
  ) {}
  /** The latest version of `key`; an `INVALID_REQUEST` error for a null key, as Kafka refuses one. */
  static withKey<K, V>(key: K): VersionedKeyQuery<K, V> {
    return new VersionedKeyQuery<K, V>(nonNullKey(key), undefined);
  }
  /** The version of the key valid at `timestamp` instead. */
  asOf(timestamp: number): VersionedKeyQuery<K, V> {
    return new VersionedKeyQuery<K, V>(this.key, timestamp);
  }
}

/**
 * The versions of one key over a time range (Kafka's `MultiVersionedKeyQuery`, KIP-968), of a
 * versioned store: every version valid at some time from `fromTime` to `toTime` (each inclusive,
 * open when not set), each with its `validTo` unless it is the latest; newest first unless
 * `withAscendingTimestamps()`. Kafka answers an iterator; here a list, as the window queries do.
 *
 * @example
 * const history = MultiVersionedKeyQuery.withKey<string, number>('apple').fromTime(1_000).withAscendingTimestamps();
 * streams.query(StateQueryRequest.inStore('prices').withQuery(history)).getPartitionResults();
 */
export class MultiVersionedKeyQuery<K, V> {
  readonly kind = 'multiVersionedKey';
  declare readonly resultType?: VersionedRecord<V>[];
  private constructor(
    readonly key: K,
    readonly fromTimestamp: number | null,
    readonly toTimestamp: number | null,
    readonly order: ResultOrder,
  ) {}
  /** Every version of `key` the store keeps; an `INVALID_REQUEST` error for a null key, as Kafka refuses one. */
  static withKey<K, V>(key: K): MultiVersionedKeyQuery<K, V> {
    return new MultiVersionedKeyQuery<K, V>(nonNullKey(key), null, null, 'ANY');
  }
  /** Only versions still valid at or after `timestamp` (null: no lower bound). */
  fromTime(timestamp: number | null): MultiVersionedKeyQuery<K, V> {
    return new MultiVersionedKeyQuery<K, V>(this.key, timestamp, this.toTimestamp, this.order);
  }
  /** Only versions that began at or before `timestamp` (null: no upper bound). */
  toTime(timestamp: number | null): MultiVersionedKeyQuery<K, V> {
    return new MultiVersionedKeyQuery<K, V>(this.key, this.fromTimestamp, timestamp, this.order);
  }
  /** Oldest first. */
  withAscendingTimestamps(): MultiVersionedKeyQuery<K, V> {
    return new MultiVersionedKeyQuery<K, V>(this.key, this.fromTimestamp, this.toTimestamp, 'ASCENDING');
  }
  /** Newest first (what an unordered query answers too). */
  withDescendingTimestamps(): MultiVersionedKeyQuery<K, V> {
    return new MultiVersionedKeyQuery<K, V>(this.key, this.fromTimestamp, this.toTimestamp, 'DESCENDING');
  }
}

function nonNullKey<K>(key: K): K {
  if (key === null || key === undefined) throw new TributaryError('INVALID_REQUEST', 'key cannot be null.');
  return key;
}

/** Every query `KafkaStreams.query` runs; `R` is what a partition answers. */
export type Query<R> = { readonly kind: string; readonly resultType?: R };

/**
 * Offsets of input partitions (Kafka's `Position`): topic → partition → offset. A store's position
 * says which input records it reflects; a bound says which it must.
 */
export class Position {
  readonly #offsets = new Map<string, Map<number, number>>();

  /** A position with no component. */
  static emptyPosition(): Position {
    return new Position();
  }

  /** Sets (or raises) one component and returns this position, as Kafka's does. */
  withComponent(topic: string, partition: number, offset: number): Position {
    let partitions = this.#offsets.get(topic);
    if (partitions === undefined) this.#offsets.set(topic, (partitions = new Map()));
    partitions.set(partition, Math.max(offset, partitions.get(partition) ?? -1));
    return this;
  }

  /** The topics it has components for. */
  getTopics(): string[] {
    return [...this.#offsets.keys()];
  }

  /** Partition → offset for `topic`. */
  getPartitionPositions(topic: string): ReadonlyMap<number, number> {
    return this.#offsets.get(topic) ?? new Map();
  }

  /** A new position with the higher offset of the two for every component. */
  merge(other: Position): Position {
    const out = new Position();
    for (const p of [this, other])
      for (const topic of p.getTopics())
        for (const [partition, offset] of p.getPartitionPositions(topic)) out.withComponent(topic, partition, offset);
    return out;
  }

  /** Whether this position has reached every component of `bound`. */
  dominates(bound: Position): boolean {
    for (const topic of bound.getTopics())
      for (const [partition, offset] of bound.getPartitionPositions(topic))
        if ((this.#offsets.get(topic)?.get(partition) ?? -1) < offset) return false;
    return true;
  }
}

/** How fresh a store must be to answer (Kafka's `PositionBound`): any, or at least a position. */
export class PositionBound {
  private constructor(readonly position: Position | undefined) {}
  /** Any store answers, however far behind. */
  static unbounded(): PositionBound {
    return new PositionBound(undefined);
  }
  /** Only a store at or past `position` answers. */
  static at(position: Position): PositionBound {
    return new PositionBound(position);
  }
  /** Whether any store answers. */
  isUnbounded(): boolean {
    return this.position === undefined;
  }
}

/**
 * Kafka's `StateQueryRequest`: the store, the query, the partitions (all this instance has, by
 * default), the bound, and whether to say how each partition answered (`executionInfo`).
 * `requireActive` is accepted and changes nothing: every store here is an active task's.
 */
export class StateQueryRequest<R> {
  private constructor(
    readonly storeName: string,
    readonly query: Query<R>,
    readonly partitions: readonly number[] | undefined,
    readonly positionBound: PositionBound,
    readonly executionInfoEnabled: boolean,
    readonly activeRequired: boolean,
  ) {}

  /** A request to the store named `storeName`; `withQuery` completes it. */
  static inStore(storeName: string): {
    /** The request of `query` in that store. */
    withQuery<R>(query: Query<R>): StateQueryRequest<R>;
  } {
    return {
      withQuery: <R>(query: Query<R>) =>
        new StateQueryRequest<R>(storeName, query, undefined, PositionBound.unbounded(), false, false),
    };
  }

  /** Asks only these partitions' copies. */
  withPartitions(partitions: Iterable<number>): StateQueryRequest<R> {
    return this.#with({ partitions: [...partitions] });
  }

  /** Asks every copy this instance holds (the default). */
  withAllPartitions(): StateQueryRequest<R> {
    return this.#with({ partitions: undefined });
  }

  /** Asks copies at least as fresh as the bound. */
  withPositionBound(positionBound: PositionBound): StateQueryRequest<R> {
    return this.#with({ positionBound });
  }

  /** Has each result say where and how fast it was answered. */
  enableExecutionInfo(): StateQueryRequest<R> {
    return this.#with({ executionInfoEnabled: true });
  }

  /** Asks active tasks' copies only (every copy here is one). */
  requireActive(): StateQueryRequest<R> {
    return this.#with({ activeRequired: true });
  }

  #with(
    change: Partial<
      Pick<StateQueryRequest<R>, 'partitions' | 'positionBound' | 'executionInfoEnabled' | 'activeRequired'>
    >,
  ): StateQueryRequest<R> {
    const next = { ...this.#fields(), ...change };
    return new StateQueryRequest<R>(
      this.storeName,
      this.query,
      next.partitions,
      next.positionBound,
      next.executionInfoEnabled,
      next.activeRequired,
    );
  }

  #fields() {
    return {
      partitions: this.partitions,
      positionBound: this.positionBound,
      executionInfoEnabled: this.executionInfoEnabled,
      activeRequired: this.activeRequired,
    };
  }
}

/** Why a partition did not answer (Kafka's `FailureReason`). */
export type FailureReason = 'NOT_PRESENT' | 'NOT_ACTIVE' | 'NOT_UP_TO_BOUND' | 'UNKNOWN_QUERY_TYPE' | 'STORE_EXCEPTION';

/** One partition's answer (Kafka's `QueryResult`). */
export class QueryResult<R> {
  private constructor(
    readonly success: boolean,
    readonly result: R | undefined,
    readonly failureReason: FailureReason | undefined,
    readonly failureMessage: string | undefined,
    readonly position: Position | undefined,
    readonly executionInfo: readonly string[],
  ) {}

  /** A success with its answer. */
  static forResult<R>(result: R, position: Position, executionInfo: readonly string[] = []): QueryResult<R> {
    return new QueryResult<R>(true, result, undefined, undefined, position, executionInfo);
  }

  /** A failure with its reason. */
  static forFailure<R>(
    reason: FailureReason,
    message: string,
    position?: Position,
    executionInfo: readonly string[] = [],
  ): QueryResult<R> {
    return new QueryResult<R>(false, undefined, reason, message, position, executionInfo);
  }

  /** Whether the partition answered. */
  isSuccess(): boolean {
    return this.success;
  }

  /** Whether it did not. */
  isFailure(): boolean {
    return !this.success;
  }

  /** The answer; an `ILLEGAL_STATE` error for a failure, as Kafka's throws. */
  getResult(): R {
    if (!this.success)
      throw new TributaryError(
        'ILLEGAL_STATE',
        `Cannot get the result of a failed query: ${this.failureReason}: ${this.failureMessage}`,
      );
    return this.result as R;
  }

  /** Why it did not answer. */
  getFailureReason(): FailureReason | undefined {
    return this.failureReason;
  }

  /** The failure, in words. */
  getFailureMessage(): string | undefined {
    return this.failureMessage;
  }

  /** The position of the store that answered. */
  getPosition(): Position | undefined {
    return this.position;
  }

  /** How it was answered, when the request enabled execution info. */
  getExecutionInfo(): readonly string[] {
    return this.executionInfo;
  }
}

/** The answers of every partition asked (Kafka's `StateQueryResult`). */
export class StateQueryResult<R> {
  constructor(readonly partitionResults: ReadonlyMap<number, QueryResult<R>>) {}

  /** Each partition's result. */
  getPartitionResults(): ReadonlyMap<number, QueryResult<R>> {
    return this.partitionResults;
  }

  /**
   * The one successful answer that is not null (a key lives in one partition): null when none is,
   * an `ILLEGAL_STATE` error when several are, as Kafka's throws.
   */
  getOnlyPartitionResult(): QueryResult<R> | null {
    const found = [...this.partitionResults.values()].filter(
      (r) => r.isSuccess() && r.result !== null && r.result !== undefined,
    );
    if (found.length > 1)
      throw new TributaryError('ILLEGAL_STATE', `The query has answers from ${found.length} partitions, not one`);
    return found[0] ?? null;
  }

  /** Global stores are not queried this way (nor in Kafka): always null. */
  getGlobalResult(): QueryResult<R> | null {
    return null;
  }

  /** The merged position of every partition that answered. */
  getPosition(): Position {
    let out = Position.emptyPosition();
    for (const r of this.partitionResults.values())
      if (r.isSuccess() && r.position !== undefined) out = out.merge(r.position);
    return out;
  }
}

/**
 * Runs a request on the stores of the running tasks that hold its store (those of the partitions
 * it names, or all): each task's answer, or its failure; NOT_PRESENT for a partition named that no
 * task here holds.
 */
export function queryTasks<R>(request: StateQueryRequest<R>, running: Iterable<Running>): StateQueryResult<R> {
  const name = request.storeName;
  const results = new Map<number, QueryResult<R>>();
  const bound = request.positionBound.position;
  for (const { task, inputs } of running) {
    const built = task.stores.get(name);
    if (built === undefined || (request.partitions !== undefined && !request.partitions.includes(task.partition)))
      continue;
    const position = Position.emptyPosition();
    for (const i of inputs) if (i.consumed > 0) position.withComponent(i.topic, i.partition, i.consumed - 1);
    if (bound !== undefined && !position.dominates(bound)) {
      results.set(
        task.partition,
        QueryResult.forFailure('NOT_UP_TO_BOUND', `task ${task.id} has not processed up to the bound yet`, position),
      );
      continue;
    }
    const started = performance.now();
    const info: string[] = [];
    const result = runQuery(request.query, built.store, position, info);
    if (request.executionInfoEnabled)
      info.push(`Handled in ${name} of task ${task.id} in ${Math.round((performance.now() - started) * 1000)} µs`);
    results.set(task.partition, result);
  }
  for (const p of request.partitions ?? [])
    if (!results.has(p))
      results.set(p, QueryResult.forFailure('NOT_PRESENT', `partition ${p} of ${name} is not held by this instance`));
  return new StateQueryResult(results);
}

/** Runs `query` on one task's copy of a store; an UNKNOWN_QUERY_TYPE failure for a query the store does not take. */
function runQuery<R>(query: Query<R>, store: unknown, position: Position, info: string[]): QueryResult<R> {
  const ok = (result: unknown) => QueryResult.forResult<R>(result as R, position, info);
  const kv = store as MeteredKeyValueStore<unknown, unknown>;
  const isWindow = typeof (store as Partial<MeteredWindowStore<unknown, unknown>>).fetchAll === 'function';
  const isSession = typeof (store as Partial<MeteredSessionStore<unknown, unknown>>).findSessions === 'function';
  const isVersioned = store instanceof MeteredVersionedKeyValueStore;
  const isKeyValue = !isWindow && !isSession && !isVersioned && typeof kv.range === 'function';
  const ordered = <T extends KeyValue<unknown, unknown>>(entries: T[], order: ResultOrder) =>
    order === 'DESCENDING' ? entries.reverse() : entries;
  try {
    if (query instanceof KeyQuery && isKeyValue) return ok(kv.get(query.key));
    if (query instanceof TimestampedKeyQuery && isKeyValue && kv.timestamped) return ok(kv.getWithTimestamp(query.key));
    if (query instanceof RangeQuery && isKeyValue) return ok(ordered(kv.range(query.lower, query.upper), query.order));
    if (query instanceof TimestampedRangeQuery && isKeyValue && kv.timestamped)
      return ok(ordered(kv.rangeWithTimestamp(query.lower, query.upper), query.order));
    if (query instanceof WindowKeyQuery && isWindow)
      return ok((store as MeteredWindowStore<unknown, unknown>).fetch(query.key, query.timeFrom, query.timeTo));
    // As Kafka's stores take them: a window store by start range, a session store by key.
    if (query instanceof WindowRangeQuery && isWindow && query.key === undefined)
      return ok((store as MeteredWindowStore<unknown, unknown>).fetchAll(query.timeFrom!, query.timeTo!));
    if (query instanceof WindowRangeQuery && isSession && query.key !== undefined)
      return ok((store as MeteredSessionStore<unknown, unknown>).fetch(query.key));
    if (query instanceof VersionedKeyQuery && isVersioned) {
      const versioned = store as MeteredVersionedKeyValueStore<unknown, unknown>;
      return ok(
        query.asOfTimestamp === undefined ? versioned.get(query.key) : versioned.get(query.key, query.asOfTimestamp),
      );
    }
    if (query instanceof MultiVersionedKeyQuery && isVersioned)
      return ok(
        (store as MeteredVersionedKeyValueStore<unknown, unknown>).versions(
          query.key,
          query.fromTimestamp,
          query.toTimestamp,
          query.order === 'ASCENDING',
        ),
      );
  } catch (error) {
    return QueryResult.forFailure<R>('STORE_EXCEPTION', (error as Error).message ?? String(error), position, info);
  }
  return QueryResult.forFailure<R>(
    'UNKNOWN_QUERY_TYPE',
    `This store (${(store as { name?: string }).name}) does not handle ${query.constructor.name}`,
    position,
    info,
  );
}
