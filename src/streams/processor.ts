/**
 * The Processor API: the one primitive every DSL operator is built on, and what
 * `KStream.process()` hands to user code. Shaped like Kafka Streams' `org.apache.kafka.streams.processor.api`.
 */
import type { Clock } from '../clock.ts';
import type { LogHeader } from '../log/index.ts';
import type { Serde } from '../serde/index.ts';

/**
 * A record flowing through a topology, as Kafka's `Record<K, V>`: key, value, timestamp and headers.
 * Immutable by convention: forward a new object (`{ ...record, value }`) instead of editing one.
 */
export interface StreamRecord<K, V> {
  readonly key: K;
  readonly value: V;
  /** Event time in ms, from the source's timestamp extractor or set by the processor that forwards. */
  readonly timestamp: number;
  readonly headers?: readonly LogHeader[];
}

/** Where the record being processed came from; absent inside a punctuator. */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** Kafka's `PunctuationType`: driven by record timestamps, or by the clock. */
export type PunctuationType = 'STREAM_TIME' | 'WALL_CLOCK_TIME';

/** What `schedule` returns: cancel stops further punctuations. */
export interface Cancellable {
  /** Stops the punctuations this schedule would still make. */
  cancel(): void;
}

/**
 * What a processor may do: forward records to its children, reach its state stores, schedule
 * punctuators, and read where the current record came from.
 *
 * @example
 * init(context) {
 *   this.store = context.getStateStore<KeyValueStore<string, number>>('totals');
 *   context.schedule(1_000, 'WALL_CLOCK_TIME', (now) => this.emitAll(now));
 * }
 */
export interface ProcessorContext<KForward = unknown, VForward = unknown> {
  readonly applicationId: string;
  /** `<subtopology>_<partition>`, as Kafka's TaskId. */
  readonly taskId: string;
  /** Passes a record to every child, or to the named child only. Depth first and synchronous. */
  forward<K extends KForward, V extends VForward>(record: StreamRecord<K, V>, childName?: string): void;
  /** A store connected to this processor (by `process(..., storeNames)` or by the DSL). */
  getStateStore<S>(name: string): S;
  /**
   * Calls `punctuator` every `intervalMs` of stream time (advanced by record timestamps) or of
   * wall-clock time (the streams clock), as Kafka's `ProcessorContext.schedule`.
   */
  schedule(intervalMs: number, type: PunctuationType, punctuator: (timestamp: number) => void): Cancellable;
  /** Topic, partition and offset of the record being processed; undefined in a punctuator. */
  recordMetadata(): RecordMetadata | undefined;
  /** The highest record timestamp this task has seen. */
  currentStreamTimeMs(): number;
  /** The streams clock's now. */
  currentSystemTimeMs(): number;
  /** The app's default key serde (Kafka's `keySerde()`), or undefined when none is configured. */
  keySerde(): Serde<unknown> | undefined;
  /** The app's default value serde (Kafka's `valueSerde()`), or undefined when none is configured. */
  valueSerde(): Serde<unknown> | undefined;
  /**
   * The app's configs that processors read (Kafka's `appConfigs()`): `application.id` and Kafka's
   * internal `__emit.interval.ms.kstreams.outer.join.spurious.results.fix__`.
   */
  appConfigs(): Readonly<Record<string, unknown>>;
}

/**
 * A processor: `process` is called once per record, synchronously. Kafka's
 * `org.apache.kafka.streams.processor.api.Processor`.
 *
 * @example
 * const upper: ProcessorSupplier<string, string, string, string> = () => ({
 *   init(ctx) { this.ctx = ctx; },
 *   process(record) { this.ctx.forward({ ...record, value: record.value.toUpperCase() }); },
 * });
 */
export interface Processor<KIn, VIn, KOut = KIn, VOut = VIn> {
  /** Called once before the first record, with the context to forward, schedule and reach stores through. */
  init?(context: ProcessorContext<KOut, VOut>): void;
  /** Called for each record, in offset order per partition. */
  process(record: StreamRecord<KIn, VIn>): void;
  /** Called once when the task closes (a rebalance, or the app stopping). */
  close?(): void;
}

/**
 * Kafka's `ValueTransformerWithKey`, for `KTable.transformValues`: maps a value (null for a
 * deleted row) with read access to the key and, through the context, to connected stores.
 *
 * @example
 * const withRank: ValueTransformerWithKeySupplier<string, number, string> = () => ({
 *   transform: (player, score) => (score === null ? null : `${player}:${score >= 100 ? 'gold' : 'silver'}`),
 * });
 */
export interface ValueTransformerWithKey<K, V, VR> {
  /** Called once before the first value, with the node's context (stores, schedule). */
  init?(context: ProcessorContext<never, never>): void;
  /** The new value for `value` (null for a deleted row); null makes the row a delete. */
  transform(readOnlyKey: K, value: V | null): VR | null;
  /** Called when the task closes. */
  close?(): void;
}

/** Makes a fresh transformer for every task (and for every reader of the table). */
export type ValueTransformerWithKeySupplier<K, V, VR> = () => ValueTransformerWithKey<K, V, VR>;

/** Makes a fresh processor for every task; never return a shared instance. */
export type ProcessorSupplier<KIn, VIn, KOut = KIn, VOut = VIn> = () => Processor<KIn, VIn, KOut, VOut>;

/**
 * A processor that may change the value but not the key (Kafka's `FixedKeyProcessor`), for
 * `processValues`: forwarding a different key is refused.
 */
export type FixedKeyProcessorSupplier<K, VIn, VOut = VIn> = () => Processor<K, VIn, K, VOut>;

/**
 * Picks a record's event time from the record (Kafka's `TimestampExtractor`); `partitionTime` is
 * the highest timestamp the task has seen so far (-1 before the first), `clock` the app's. A
 * negative result drops the record; an error thrown stops the task, as any processing error does.
 * Kafka's built-in ones are in `timestamp-extractors.ts` (`FailOnInvalidTimestamp`, the default…).
 *
 * @example
 * const byField: TimestampExtractor = (record) => (record.value as { at: number }).at;
 */
export type TimestampExtractor = (
  record: { topic: string; partition: number; offset: number; key: unknown; value: unknown; timestamp: number },
  partitionTime: number,
  clock: Clock,
) => number;
