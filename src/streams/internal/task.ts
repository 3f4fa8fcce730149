import type { Clock } from '../../clock.ts';
import { SerializationError, TopologyError, TributaryError } from '../../errors.ts';
import type { LogHeader, LogRecord } from '../../log/index.ts';
import { defaultPartition, toPositive } from '../../protocol/index.ts';
import { murmur2Prefix } from '../../protocol/murmur2.ts';
import type { Serde } from '../../serde/index.ts';
import type {
  Cancellable,
  Processor,
  ProcessorContext,
  PunctuationType,
  RecordMetadata,
  StreamRecord,
  TimestampExtractor,
} from '../processor.ts';
import { FailOnInvalidTimestamp } from '../timestamp-extractors.ts';
import type { CacheBudget } from '../state/caching-store.ts';
import type { BuiltStore } from '../state/stores.ts';
import { isWindowedSerde } from '../state/windowed-serdes.ts';
import { Latency, type TaskCounters, type TaskMetricSource } from '../streams-metrics.ts';
import type { Windowed } from '../windows.ts';
import { changeSerde } from './change.ts';
import {
  decodePartitionMetadata,
  encodePartitionMetadata,
  ProcessorMetadata,
  UNKNOWN_TIME,
} from './commit-metadata.ts';
import {
  decodedExactly,
  fastSerde,
  isFastString,
  type MemoEntry,
  memoHash,
  memoOfSerialized,
  takeMemoized,
} from './fast-serde.ts';
import type { SinkNode, SourceNode, Subtopology, TopologyNode } from '../topology.ts';
import type { TopologyGraph } from './topology-graph.ts';

/** What a deserialization-exception handler is told: the bad record's place and the error. */
export interface DeserializationErrorContext {
  topic: string;
  partition: number;
  offset: number;
  error: unknown;
}

/** Kafka's `DeserializationExceptionHandler`: skip the record, or stop. */
export type DeserializationExceptionHandler = (context: DeserializationErrorContext) => 'CONTINUE' | 'FAIL';

/**
 * Where a processor failed (Kafka's `ErrorHandlerContext`): the input record being processed
 * (topic, partition and offset undefined inside a punctuator), the node and the task.
 */
export interface ProcessingErrorContext {
  topic: string | undefined;
  partition: number;
  offset: number;
  headers: readonly LogHeader[];
  timestamp: number;
  processorNodeId: string;
  taskId: string;
}

/**
 * Kafka's `ProcessingExceptionHandler` (KIP-1033): an error thrown by a processor (or a punctuator,
 * with `record` null) either drops that record at that node and processing goes on (`CONTINUE`),
 * or stops the task (`FAIL`, the default), the error going to the uncaught exception handler.
 */
export type ProcessingExceptionHandler = (
  context: ProcessingErrorContext,
  record: StreamRecord<unknown, unknown> | null,
  error: unknown,
) => 'CONTINUE' | 'FAIL';

/**
 * Kafka's `ProductionExceptionHandler.handleSerializationException` (KIP-399): a sink's key or value
 * that its serde could not serialize either drops the record (`CONTINUE`) or stops the task
 * (`FAIL`, the default). `record` is the one the sink was sending, with its topic; `origin` says
 * which part failed.
 */
export type SerializationExceptionHandler = (
  context: ProcessingErrorContext,
  record: StreamRecord<unknown, unknown> & { topic: string },
  error: unknown,
  origin: 'KEY' | 'VALUE',
) => 'CONTINUE' | 'FAIL';

/**
 * Kafka's `ProductionExceptionHandler.handle` (`handleError` since Kafka 4.1): a record a sink's
 * topic refuses, already serialized (`MESSAGE_TOO_LARGE`, `INVALID_RECORD`, `INVALID_TIMESTAMP`:
 * see `error.code`), is dropped (`CONTINUE`) or stops the task (`FAIL`, the default). `RETRY`, for
 * Kafka's retriable errors, is taken as `FAIL` as Kafka takes it for the others: no refusal here is
 * retriable.
 */
export type SendExceptionHandler = (
  context: ProcessingErrorContext,
  record: {
    topic: string;
    partition: number;
    key: Uint8Array | null;
    value: Uint8Array | null;
    timestamp: number;
    headers: readonly LogHeader[];
  },
  error: unknown,
) => 'CONTINUE' | 'FAIL' | 'RETRY';

/**
 * Kafka's `production.exception.handler`: what to do with a record a sink could not serialize
 * (`handleSerializationException`) or its topic refuses (`handle`). Either may be left out: its
 * errors then stop the task, as Kafka's `DefaultProductionExceptionHandler` answers FAIL.
 */
export interface ProductionExceptionHandler {
  handle?: SendExceptionHandler;
  handleSerializationException?: SerializationExceptionHandler;
}

/** Errors a processing exception handler has answered already: the nodes above rethrow them as they are. */
const answered = new WeakSet<object>();

/** What the task needs from whoever runs it (the KafkaStreams runtime or the test driver). */
export interface TaskEnv {
  applicationId: string;
  clock: Clock;
  stateDir?: string;
  cacheBudget: CacheBudget | null;
  defaultKeySerde?: Serde<unknown>;
  defaultValueSerde?: Serde<unknown>;
  /** Logical topic name (as in the topology) → the topic in the log (internal ones prefixed). */
  physicalTopic(logical: string): string;
  /** Topics a pattern source reads. */
  topicsMatching(pattern: RegExp): string[];
  partitionCount(topic: string): number;
  /** Buffers an output record (sink or changelog) until the next commit. */
  send(
    topic: string,
    partition: number,
    key: Uint8Array | null,
    value: Uint8Array | null,
    timestamp: number,
    headers: readonly LogHeader[],
    /**
     * The String serde's memo entry of `key` (a sink's record keyed by a memoized string): kept
     * with the record, so a local task handed the record takes its key from it.
     */
    keyMemo?: MemoEntry,
  ): void;
  globalStore(name: string): unknown;
  onDeserializationError: DeserializationExceptionHandler;
  /** Kafka's `default.timestamp.extractor` for sources that name none; absent: `FailOnInvalidTimestamp`. */
  defaultTimestampExtractor?: TimestampExtractor;
  /** Kafka's `processing.exception.handler`; absent: every processing error stops the task. */
  onProcessingError?: ProcessingExceptionHandler;
  /** Kafka's production exception handler, for serialization at sinks; absent: such an error stops the task. */
  onSerializationError?: SerializationExceptionHandler;
  /** The same, for records a sink's topic refuses (`send` throws them); absent: they stop the task. */
  onSendError?: SendExceptionHandler;
  /**
   * Kafka's internal `__emit.interval.ms.kstreams.outer.join.spurious.results.fix__`: how often (in
   * clock ms) left/outer stream-stream joins look for unmatched records whose window closed.
   */
  outerJoinEmitIntervalMs?: number;
  /**
   * Kafka's internal `__emit.interval.ms.kstreams.windowed.aggregation__`: how often (in clock ms)
   * a windowed aggregation emitting on window close looks for windows that have closed.
   */
  windowedAggregationEmitIntervalMs?: number;
}

/** The key of {@link TaskEnv.outerJoinEmitIntervalMs} in `appConfigs()`, as Kafka spells it. */
export const OUTER_JOIN_EMIT_INTERVAL_CONFIG = '__emit.interval.ms.kstreams.outer.join.spurious.results.fix__';

/** The key of {@link TaskEnv.windowedAggregationEmitIntervalMs} in `appConfigs()`, as Kafka spells it. */
export const WINDOWED_AGGREGATION_EMIT_INTERVAL_CONFIG = '__emit.interval.ms.kstreams.windowed.aggregation__';

/**
 * The context a task gives the DSL's own processors (Kafka's InternalProcessorContext): the
 * public one, plus the processor metadata committed with the task's offsets.
 */
export interface InternalProcessorContext extends ProcessorContext {
  processorMetadataForKey(key: string): number | undefined;
  /** Kept under `key` and committed with every input offset of the task from the next commit on. */
  addProcessorMetadataKeyValue(key: string, value: number): void;
}

/** An input's partition time, kept in an object so that the last topic's can be held on to. */
interface PartitionTime {
  time: number;
}

interface Schedule {
  interval: number;
  type: PunctuationType;
  next: number;
  fn: (timestamp: number) => void;
  node: RuntimeNode;
  cancelled: boolean;
}

interface RuntimeNode {
  def: TopologyNode;
  children: RuntimeNode[];
  byName: Map<string, RuntimeNode>;
  processor: Processor<unknown, unknown, unknown, unknown> | undefined;
  /** A source's or sink's resolved serdes, once known. */
  serdes?: [Serde<unknown>, Serde<unknown>];
  /** A source's key serde is the fast String serde (records handed over may carry its memo entry). */
  fastStringKey?: boolean;
  /** A source's or terminal node's end-to-end latencies (Kafka's record-e2e-latency). */
  e2e: Latency | undefined;
  process(record: StreamRecord<unknown, unknown>): void;
}

let roundRobin = 0;
/** What records without headers carry: one shared empty list rather than a new one per record. */
const NO_HEADERS: readonly LogHeader[] = Object.freeze([]);

/**
 * One task: one sub-topology's nodes and stores for one input partition. Records go through it
 * depth first and synchronously; what its sinks and stores write goes to `env.send`.
 */
export class StreamTask {
  readonly id: string;
  readonly subtopology: Subtopology;
  readonly partition: number;
  readonly stores = new Map<string, BuiltStore>();
  /** Records taken from the inputs, and records dropped on the way (handlers' CONTINUE, invalid timestamps). */
  readonly metrics: TaskCounters = { processed: 0, dropped: 0 };
  /** Punctuators run, on stream time and on wall-clock time (the thread's punctuate metrics). */
  punctuations = 0;
  /**
   * The wall-clock time of the thread's current turn, set by the thread before it processes: what
   * the end-to-end latencies of records are measured against, as Kafka measures them against its
   * thread's time of the iteration.
   */
  wallClockMs = 0;
  /** Physical source topic → its source node. */
  readonly sourceTopics = new Map<string, RuntimeNode>();
  readonly #env: TaskEnv;
  /** `env.onProcessingError`, read on every delivery. */
  readonly #onProcessingError: ProcessingExceptionHandler | undefined;
  /** `env.defaultTimestampExtractor`, read for every record of a source that names none. */
  readonly #defaultExtractor: TimestampExtractor | undefined;
  readonly #nodes = new Map<string, RuntimeNode>();
  readonly #schedules: Schedule[] = [];
  /** Where the record being processed came from (topic undefined inside a punctuator). */
  #metaTopic: string | undefined;
  #metaOffset = -1;
  #timestamp = 0;
  #streamTime = -1;
  #initialised = false;
  #lastTopic: string | undefined;
  #lastSource: RuntimeNode | undefined;
  #lastTime: PartitionTime | undefined;
  /** Each input topic's partition time: the largest timestamp processed from it (Kafka's RecordQueue). */
  readonly #partitionTimes = new Map<string, PartitionTime>();
  /**
   * Longs processors keep across restarts (Kafka's ProcessorMetadata): committed with every input
   * offset, read back before the processors' `init` (see {@link initializeCommitted}).
   */
  processorMetadata = new ProcessorMetadata();
  /**
   * The String key of the last record a source read, with the bytes it came from, when they are
   * exactly its encoding (see decodedExactly): a sink writing that key again (a pass-through, a
   * filter, a mapValues) takes the bytes as they are instead of serializing the string. They are a
   * view into a fetched batch, which is never written to; the record collector copies them.
   */
  #sourceKey: string | undefined;
  #sourceKeyBytes: Uint8Array | undefined;

  constructor(topology: TopologyGraph, subtopology: Subtopology, partition: number, env: TaskEnv) {
    this.id = `${subtopology.id}_${partition}`;
    this.subtopology = subtopology;
    this.partition = partition;
    this.#env = env;
    this.#onProcessingError = env.onProcessingError;
    this.#defaultExtractor = env.defaultTimestampExtractor;
    for (const name of subtopology.stores) {
      const builder = topology.storeBuilders.get(name)!;
      const built = builder.build({
        applicationId: env.applicationId,
        taskId: this.id,
        partition,
        ...(env.stateDir !== undefined ? { stateDir: env.stateDir } : {}),
        cacheBudget: env.cacheBudget,
        changelog: (topic, key, value, ts) => env.send(topic, partition, key, value, ts, NO_HEADERS),
        timestamp: () => this.#timestamp,
        ...(env.defaultKeySerde !== undefined ? { defaultKeySerde: env.defaultKeySerde } : {}),
        ...(env.defaultValueSerde !== undefined ? { defaultValueSerde: env.defaultValueSerde } : {}),
      });
      const source = topology.sourceChangelogs.get(name);
      if (source !== undefined) {
        built.changelogTopic = env.physicalTopic(source);
        built.sourceChangelog = true;
      }
      this.stores.set(name, built);
    }
    // Children before parents, so each node links to runtime children that exist.
    for (const def of [...subtopology.nodes].reverse()) this.#nodes.set(def.name, this.#makeNode(def));
    for (const def of subtopology.nodes) {
      if (def.kind !== 'source') continue;
      const topics =
        def.pattern !== undefined ? env.topicsMatching(def.pattern) : def.topics.map((t) => env.physicalTopic(t));
      for (const topic of topics) this.sourceTopics.set(topic, this.#nodes.get(def.name)!);
    }
  }

  /** Calls every processor's `init`, parents first. Stores must be restored before. */
  init(): void {
    if (this.#initialised) return;
    this.#initialised = true;
    for (const def of this.subtopology.nodes) {
      const node = this.#nodes.get(def.name)!;
      node.processor?.init?.(this.#context(node));
    }
  }

  get streamTime(): number {
    return this.#streamTime;
  }

  /**
   * Kafka's `StreamTask.initializeTaskTimeAndProcessorMetadata`: each input's committed metadata
   * (undefined: no committed offset) sets its partition time, the stream time becomes the largest
   * of them, and the processor metadata is the merge of all (the larger value per key).
   */
  initializeCommitted(committed: [topic: string, metadata: string | null | undefined][]): void {
    const merged = new ProcessorMetadata();
    for (const [topic, encoded] of committed) {
      if (encoded === undefined) continue;
      const { partitionTime, processorMetadata } = decodePartitionMetadata(encoded);
      this.#partitionTime(topic).time = partitionTime;
      if (partitionTime > this.#streamTime) this.#streamTime = partitionTime;
      merged.update(processorMetadata);
    }
    this.processorMetadata = merged;
  }

  /** The metadata to commit beside `topic`'s offset: its partition time and the processor metadata. */
  commitMetadata(topic: string): string {
    return encodePartitionMetadata(this.#partitionTime(topic).time, this.processorMetadata);
  }

  #partitionTime(topic: string): PartitionTime {
    let time = this.#partitionTimes.get(topic);
    if (time === undefined) this.#partitionTimes.set(topic, (time = { time: UNKNOWN_TIME }));
    return time;
  }

  /**
   * Deserializes one record read from `topic` and pushes it through. `offset` overrides the
   * record's own (records handed over straight from a commit carry none).
   */
  process(
    topic: string,
    record: Pick<LogRecord, 'key' | 'value'> & { timestamp?: number; headers?: readonly LogHeader[]; offset?: number },
    offset = record.offset ?? -1,
  ): void {
    // The last topic's source is remembered: records mostly come in runs from one partition.
    let source = this.#lastTopic === topic ? this.#lastSource : undefined;
    let partitionTime = this.#lastTime!;
    if (source === undefined) {
      source = this.sourceTopics.get(topic) ?? this.#matchPattern(topic);
      if (source === undefined) throw new TopologyError(`task ${this.id} does not read topic ${topic}`, { topic });
      this.#lastTopic = topic;
      this.#lastSource = source;
      this.#lastTime = partitionTime = this.#partitionTime(topic);
    }
    const def = source.def as SourceNode;
    this.metrics.processed++;
    let key: unknown;
    let value: unknown;
    try {
      const serdes = (source.serdes ??= this.#serdesOf(def));
      // A record a commit handed over from a local sink may carry its key's memo entry (see
      // TaskEnv.send): the same string the bytes deserialize to, without looking them up.
      const keyMemo = (record as { keyMemo?: MemoEntry }).keyMemo;
      const fastStringKey = (source.fastStringKey ??= isFastString(serdes[0]));
      // Only the record being processed lends its key's bytes to a sink (no buffer kept for later ones).
      this.#sourceKey = undefined;
      this.#sourceKeyBytes = undefined;
      if (record.key === null) key = null;
      else if (fastStringKey) {
        key =
          keyMemo !== undefined && keyMemo.bytes === record.key
            ? takeMemoized(keyMemo)
            : serdes[0].deserialize(topic, record.key);
        if (decodedExactly()) {
          this.#sourceKey = key as string;
          this.#sourceKeyBytes = record.key;
        }
      } else key = serdes[0].deserialize(topic, record.key);
      value = record.value === null ? null : serdes[1].deserialize(topic, record.value);
    } catch (error) {
      if (error instanceof TopologyError) throw error;
      const verdict = this.#env.onDeserializationError({ topic, partition: this.partition, offset, error });
      if (verdict === 'CONTINUE') {
        this.metrics.dropped++;
        return;
      }
      throw new SerializationError(
        `could not deserialize the record at ${topic}-${this.partition}@${offset}; the deserialization handler said FAIL`,
        {
          topic,
          partition: this.partition,
          offset,
          cause: error,
        },
      );
    }
    let timestamp = record.timestamp ?? -1;
    const extractor = def.timestampExtractor ?? this.#defaultExtractor;
    if (extractor !== undefined) {
      timestamp = extractor(
        { topic, partition: this.partition, offset, key, value, timestamp },
        partitionTime.time,
        this.#env.clock,
      );
    } else if (timestamp < 0) {
      // Kafka's default extractor (FailOnInvalidTimestamp), without a call per record.
      FailOnInvalidTimestamp(
        { topic, partition: this.partition, offset, key, value, timestamp },
        partitionTime.time,
        this.#env.clock,
      );
    }
    // An extractor's negative (invalid) timestamp drops the record, as Kafka's record queue does.
    if (!(timestamp >= 0)) {
      this.metrics.dropped++;
      return;
    }
    this.#metaTopic = topic;
    this.#metaOffset = offset;
    if (timestamp > partitionTime.time) partitionTime.time = timestamp;
    if (timestamp > this.#streamTime) this.#streamTime = timestamp;
    source.e2e!.record(this.wallClockMs - timestamp);
    source.process({ key, value, timestamp, headers: record.headers ?? NO_HEADERS });
    this.#metaTopic = undefined;
    this.#punctuate('STREAM_TIME', this.#streamTime);
  }

  #matchPattern(topic: string): RuntimeNode | undefined {
    for (const def of this.subtopology.nodes) {
      if (def.kind === 'source' && def.pattern?.test(topic)) {
        const node = this.#nodes.get(def.name)!;
        this.sourceTopics.set(topic, node);
        return node;
      }
    }
    return undefined;
  }

  /** When the next wall-clock punctuator is due, or undefined when none is scheduled. */
  nextWallClockDue(): number | undefined {
    let next: number | undefined;
    for (const s of this.#schedules)
      if (!s.cancelled && s.type === 'WALL_CLOCK_TIME' && (next === undefined || s.next < next)) next = s.next;
    return next;
  }

  /** Fires stream-time punctuators due at the task's stream time; returns how many ran. */
  punctuateStreamTime(): number {
    return this.#punctuate('STREAM_TIME', this.#streamTime);
  }

  /** Fires wall-clock punctuators that are due at `now`; returns how many ran. */
  punctuateWallClock(now: number): number {
    return this.#punctuate('WALL_CLOCK_TIME', now);
  }

  /** Flushes every store: caches write through (forwarding downstream), change-logging sends. */
  flush(): void {
    for (const { store } of this.stores.values()) store.inner.flush();
  }

  /** Closes processors and stores; uncommitted store writes are dropped. */
  async close(): Promise<void> {
    for (const def of this.subtopology.nodes) this.#nodes.get(def.name)!.processor?.close?.();
    await Promise.all([...this.stores.values()].map(({ store }) => store.inner.close()));
  }

  #serde(which: 'key' | 'value', node: string): Serde<unknown> {
    const serde = which === 'key' ? this.#env.defaultKeySerde : this.#env.defaultValueSerde;
    if (serde === undefined) {
      throw new TopologyError(
        `node ${node} has no ${which} serde: pass one, or set default${which === 'key' ? 'Key' : 'Value'}Serde`,
        { node },
      );
    }
    return serde;
  }

  #recordMetadata(): RecordMetadata | undefined {
    return this.#metaTopic === undefined
      ? undefined
      : { topic: this.#metaTopic, partition: this.partition, offset: this.#metaOffset };
  }

  readonly #serdes = new Map<string, [Serde<unknown>, Serde<unknown>]>();

  /** The node's key and value serdes, resolved once (defaults, change wrapping, fast paths). */
  #serdesOf(def: SourceNode | SinkNode): [Serde<unknown>, Serde<unknown>] {
    let pair = this.#serdes.get(def.name);
    if (pair === undefined) {
      const key = fastSerde(def.keySerde ?? this.#serde('key', def.name));
      const value = fastSerde(def.valueSerde ?? this.#serde('value', def.name));
      pair = [key, def.changeValues === true ? (changeSerde(value) as Serde<unknown>) : value];
      this.#serdes.set(def.name, pair);
    }
    return pair;
  }

  /** Runs the punctuators of `type` due at `time`; returns how many ran. */
  #punctuate(type: PunctuationType, time: number): number {
    let ran = 0;
    for (const s of this.#schedules) {
      if (s.cancelled || s.type !== type) continue;
      if (time < s.next) continue;
      s.next += s.interval * (Math.floor((time - s.next) / s.interval) + 1);
      this.#timestamp = time;
      this.punctuations++;
      ran++;
      if (this.#onProcessingError === undefined) s.fn(time);
      else {
        try {
          s.fn(time);
        } catch (error) {
          this.#processingFailed(s.node, null, error);
        }
      }
    }
    return ran;
  }

  #makeNode(def: TopologyNode): RuntimeNode {
    const children = def.kind === 'sink' ? [] : def.children.map((c) => this.#nodes.get(c)!);
    const byName = new Map(children.map((c) => [c.def.name, c]));
    // Every node has the same fields in the same order (one shape where records are delivered).
    if (def.kind === 'sink') {
      const e2e = new Latency();
      const send = this.#sink(def);
      return {
        def,
        children,
        byName,
        processor: undefined,
        e2e,
        process: (record) => {
          e2e.record(this.wallClockMs - record.timestamp);
          send(record);
        },
      };
    }
    if (def.kind === 'source') {
      const node: RuntimeNode = {
        def,
        children,
        byName,
        processor: undefined,
        e2e: new Latency(),
        process: (record) => {
          for (let i = 0; i < children.length; i++) this.#deliver(children[i]!, record);
        },
      };
      return node;
    }
    const processor = def.supplier();
    const node: RuntimeNode = {
      def,
      children,
      byName,
      processor,
      // A terminal node (no children): where a record's path ends, so its latency is measured.
      e2e: children.length === 0 ? new Latency() : undefined,
      process: (record) => this.#deliver(node, record),
    };
    return node;
  }

  /**
   * Hands a record to a node: to a processor's `process` directly, the record's time becoming the
   * task's (what stores stamp their writes with). One call less per hop than going through the
   * node, which showed in WordCount's per-word cost.
   */
  #deliver(node: RuntimeNode, record: StreamRecord<unknown, unknown>): void {
    const processor = node.processor;
    if (processor === undefined) {
      node.process(record);
      return;
    }
    this.#timestamp = record.timestamp;
    if (this.#onProcessingError === undefined) processor.process(record);
    else {
      try {
        processor.process(record);
      } catch (error) {
        this.#processingFailed(node, record, error);
        return;
      }
    }
    node.e2e?.record(this.wallClockMs - record.timestamp);
  }

  /**
   * What the task's metrics read: its counters, the late records its stores dropped (windowed
   * aggregations count them in their store), and its source and terminal nodes' end-to-end latencies.
   */
  metricSource(): TaskMetricSource {
    let lateDrops = 0;
    for (const { store } of this.stores.values())
      lateDrops += (store as { metrics?: { droppedRecords?: number } }).metrics?.droppedRecords ?? 0;
    const nodes = new Map<string, Latency>();
    for (const [name, node] of this.#nodes) if (node.e2e !== undefined) nodes.set(name, node.e2e);
    return { id: this.id, counters: this.metrics, lateDrops, nodes };
  }

  /**
   * Asks the production exception handler about a sink's key or value that did not serialize
   * (Kafka's `handleSerializationException`): returns to drop the record (CONTINUE); otherwise
   * (FAIL, or no handler) throws the error marked answered, so no processing exception handler
   * above is asked about it (Kafka sends serialization errors to this handler alone).
   */
  #serializationFailed(
    def: SinkNode,
    topic: string,
    record: StreamRecord<unknown, unknown>,
    error: unknown,
    origin: 'KEY' | 'VALUE',
  ): void {
    const handler = this.#env.onSerializationError;
    this.#dropOrFail(
      handler && (() => handler(this.#errorContext(def.name, record), { ...record, topic }, error, origin)),
      error,
    );
  }

  /**
   * Asks the production exception handler about a record the sink's topic refuses (Kafka's
   * `handle`, from the producer's send callback): returns to drop it (CONTINUE); otherwise throws
   * the error marked answered, as for serialization (a refusal never reaches the processing
   * exception handler). Errors other than a refusal are thrown as they are.
   */
  #sendFailed(
    def: SinkNode,
    record: StreamRecord<unknown, unknown>,
    sent: Parameters<SendExceptionHandler>[1],
    error: unknown,
  ): void {
    if (!isRefusal(error)) throw error;
    const handler = this.#env.onSendError;
    this.#dropOrFail(handler && (() => handler(this.#errorContext(def.name, record), sent, error)), error);
  }

  /**
   * Asks an exception handler (`ask` calls it; undefined: no handler): returns when it answers
   * CONTINUE, counting the record dropped (`counted`); otherwise throws `error` marked answered, or
   * what the handler threw, so no handler above asks again.
   */
  #dropOrFail(ask: (() => 'CONTINUE' | 'FAIL' | 'RETRY') | undefined, error: unknown, counted = true): void {
    if (ask !== undefined) {
      let response: 'CONTINUE' | 'FAIL' | 'RETRY';
      try {
        response = ask();
      } catch (fatal) {
        throw answer(fatal);
      }
      if (response === 'CONTINUE') {
        if (counted) this.metrics.dropped++;
        return;
      }
    }
    throw answer(error);
  }

  /** Where the record being processed came from, for the exception handlers. */
  #errorContext(processorNodeId: string, record: StreamRecord<unknown, unknown> | null): ProcessingErrorContext {
    return {
      topic: this.#metaTopic,
      partition: this.partition,
      offset: this.#metaTopic === undefined ? -1 : this.#metaOffset,
      headers: record?.headers ?? NO_HEADERS,
      timestamp: record?.timestamp ?? this.#timestamp,
      processorNodeId,
      taskId: this.id,
    };
  }

  /**
   * Asks the processing exception handler about an error a node threw (Kafka's ProcessorNode does
   * so for each node): CONTINUE drops the record there, FAIL rethrows it, marked as answered so the
   * nodes above do not ask again. A handler that throws stops the task with what it threw.
   */
  #processingFailed(node: RuntimeNode, record: StreamRecord<unknown, unknown> | null, error: unknown): void {
    if (typeof error === 'object' && error !== null && answered.has(error)) throw error;
    // A punctuator's error drops no record.
    this.#dropOrFail(
      () => this.#onProcessingError!(this.#errorContext(node.def.name, record), record, error),
      error,
      record !== null,
    );
  }

  #sink(def: SinkNode): (record: StreamRecord<unknown, unknown>) => void {
    const env = this.#env;
    const fixedTopic = typeof def.topic === 'string' ? env.physicalTopic(def.topic) : undefined;
    let serdes: [Serde<unknown>, Serde<unknown>] | undefined;
    let fastStringKey: boolean | undefined;
    // A fixed topic's partition count is looked up once per task, as a producer caches metadata.
    let fixedCount: number | undefined;
    const dropNullKeys = def.dropNullKeys === true;
    return (record) => {
      // A null key cannot be partitioned for a join or aggregation: repartition topics drop it.
      if (dropNullKeys && (record.key === null || record.key === undefined)) return;
      const topic =
        fixedTopic ??
        (def.topic as (k: unknown, v: unknown, c: object) => string)(
          record.key,
          record.value,
          this.#recordMetadata() ?? {},
        );
      serdes ??= this.#serdesOf(def);
      fastStringKey ??= isFastString(serdes[0]);
      let key: Uint8Array | null | undefined;
      let value: Uint8Array | null;
      try {
        key =
          record.key === null || record.key === undefined
            ? null
            : fastStringKey && record.key === this.#sourceKey
              ? this.#sourceKeyBytes!
              : serdes[0].serialize(topic, record.key);
        value = record.value === null || record.value === undefined ? null : serdes[1].serialize(topic, record.value);
      } catch (error) {
        // Returns only when the handler drops the record.
        this.#serializationFailed(def, topic, record, error, key === undefined ? 'KEY' : 'VALUE');
        return;
      }
      // A String key's memo entry: its partitioning hash is kept there (a repeated key hashes once),
      // and it goes along with the record to the task that reads it next (see StreamTask.process).
      const keyMemo = key !== null ? memoOfSerialized(key) : undefined;
      const n = fixedTopic !== undefined ? (fixedCount ??= env.partitionCount(topic)) : env.partitionCount(topic);
      let partition = def.partitioner?.(topic, record.key, record.value, n);
      if (partition === undefined) {
        if (key === null) partition = roundRobin++ % n;
        else if (keyMemo !== undefined) partition = memoHash(keyMemo) % n;
        else if (isWindowedSerde(serdes[0])) {
          // A windowed key goes by its key alone (Kafka's WindowedStreamPartitioner): every window
          // of a key in the key's partition. Ours begin with the key's bytes: hashed in place.
          const windowBytes = serdes[0].windowBytes;
          if (windowBytes !== undefined && key.length >= windowBytes)
            partition = toPositive(murmur2Prefix(key, key.length - windowBytes)) % n;
          else {
            const base = serdes[0].serializeBaseKey(topic, record.key as Windowed<unknown>);
            partition = base !== null ? defaultPartition(base, n) : roundRobin++ % n;
          }
        } else partition = defaultPartition(key, n);
      }
      if (!(partition >= 0 && partition < n)) {
        throw new TributaryError(
          'UNKNOWN_TOPIC_OR_PARTITION',
          `partitioner of ${def.name} chose partition ${partition} of ${topic}, which has ${n}`,
          { topic, partition },
        );
      }
      const headers = record.headers ?? NO_HEADERS;
      try {
        env.send(topic, partition, key, value, record.timestamp, headers, keyMemo);
      } catch (error) {
        // Returns only when the handler drops the record.
        this.#sendFailed(def, record, { topic, partition, key, value, timestamp: record.timestamp, headers }, error);
      }
    };
  }

  #context(node: RuntimeNode): InternalProcessorContext {
    const task = this;
    const def = node.def as { stores?: string[]; name: string };
    return {
      applicationId: this.#env.applicationId,
      taskId: this.id,
      forward(record, childName) {
        if (childName === undefined) {
          const children = node.children;
          for (let i = 0; i < children.length; i++) task.#deliver(children[i]!, record);
          return;
        }
        const child = node.byName.get(childName);
        if (child === undefined) throw new TopologyError(`${def.name} has no child named ${childName}`);
        task.#deliver(child, record);
      },
      getStateStore<S>(name: string): S {
        const local = task.stores.get(name);
        if (local !== undefined) {
          if (!def.stores?.includes(name))
            throw new TopologyError(`processor ${def.name} has no access to state store ${name}; connect it`, {
              store: name,
            });
          return local.store as S;
        }
        const global = task.#env.globalStore(name);
        if (global !== undefined) return global as S;
        throw new TopologyError(
          `processor ${def.name} has no access to state store ${name}: no such store in its sub-topology`,
          { store: name },
        );
      },
      schedule(intervalMs, type, fn): Cancellable {
        if (!(intervalMs >= 1)) throw new TypeError(`punctuation interval must be ≥ 1 ms, got ${intervalMs}`);
        // As Kafka's StreamTask: stream-time punctuation is aligned to 0 (the first record fires it),
        // wall-clock punctuation to now plus the interval.
        const next = type === 'STREAM_TIME' ? 0 : task.#env.clock.now() + intervalMs;
        const schedule: Schedule = { interval: intervalMs, type, next, fn, node, cancelled: false };
        task.#schedules.push(schedule);
        return {
          cancel() {
            schedule.cancelled = true;
          },
        };
      },
      recordMetadata: () => task.#recordMetadata(),
      currentStreamTimeMs: () => task.#streamTime,
      processorMetadataForKey: (key) => task.processorMetadata.get(key),
      addProcessorMetadataKeyValue: (key, value) => task.processorMetadata.put(key, value),
      currentSystemTimeMs: () => task.#env.clock.now(),
      keySerde: () => task.#env.defaultKeySerde,
      valueSerde: () => task.#env.defaultValueSerde,
      appConfigs: () => ({
        'application.id': task.#env.applicationId,
        [OUTER_JOIN_EMIT_INTERVAL_CONFIG]: task.#env.outerJoinEmitIntervalMs ?? 1000,
        [WINDOWED_AGGREGATION_EMIT_INTERVAL_CONFIG]: task.#env.windowedAggregationEmitIntervalMs ?? 1000,
      }),
    };
  }
}

/** The codes of the refusals a sink's send throws (see runtime/record-checks.ts). */
const REFUSALS = new Set(['MESSAGE_TOO_LARGE', 'INVALID_RECORD', 'INVALID_TIMESTAMP']);

function isRefusal(error: unknown): boolean {
  return error instanceof TributaryError && REFUSALS.has(error.code);
}

/** `error` (made an Error if it is not an object) marked as answered by an exception handler. */
function answer(error: unknown): object {
  const out = typeof error === 'object' && error !== null ? error : new Error(String(error));
  answered.add(out);
  return out;
}
