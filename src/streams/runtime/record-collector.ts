/**
 * Kafka Streams' RecordCollector: what the tasks' sinks, repartition sends and change-logging
 * stores write between two commits, per topic and partition, until the commit takes it. Over the
 * wire a partition's records go ahead as soon as they make a batch of `early.bytes` (Kafka's
 * producer sends batches as they fill, within the open transaction): the commit then has only the
 * rest to send, and the broker works on the batches while the tasks process.
 */
import type { Clock } from '../../clock.ts';
import type { AppendRecord, LogHeader, PartitionAppend } from '../../log/index.ts';
import { decodeRecordBatch, RecordBatchBuilder } from '../../protocol/record-batch.ts';
import type { MemoEntry } from '../internal/fast-serde.ts';
import { checkRecord, type RecordChecks } from './record-checks.ts';

/** Where batches go before the commit, and how big they get first. */
export interface EarlySends {
  bytes: number;
  /** Sends a batch into the open transaction; the commit waits for it (and fails with it). */
  send(append: PartitionAppend): void;
  /** Aborts what was sent of the open transaction: its records are dropped. */
  abort(): void;
}

/**
 * How far past `maxUncommitted` records the tasks go on processing while the previous commit is
 * being written. Why not stop at it: over the wire a commit is a Kafka transaction, four round
 * trips and the markers that follow, longer than the tasks take to fill the next one; stopping
 * there left WordCount waiting for the broker half of its time. A partition's batch outgrowing its
 * topic's limit meanwhile is split at the commit (see `drain`).
 */
const OVERFULL = 4;

interface PendingAppend extends PartitionAppend {
  bytes: number;
  limit: number;
  /** The records encoded as they came (see `encode`), until one cannot be. */
  builder: RecordBatchBuilder | undefined;
  /**
   * While `builder` takes every record: the records are in the batch it builds and nowhere else
   * (`records` stays empty), read back from the batch only if someone asks (see
   * {@link recordsOfBatch}). Keeping them as objects, or as columns of keys and values, until the
   * commit held every value a task sent (often a view of the batch its input was read from) past
   * a scavenge or two, and the scavenges were a fifth of a pass-through's time. Not for a topic
   * whose records a local task is handed at the commit: it asks for every one of them.
   */
  encodedOnly: boolean;
  /** Batches sealed before the current one, in order (see `send`). */
  sealed: PartitionAppend[];
  /** What the topic refuses of a record, checked before the record is taken. */
  checks: RecordChecks | undefined;
}

/**
 * The batch a builder holds, as an append (the builder is reset for the next one). Its records are
 * the pending append's when it keeps them (a topic handed over to a local task); otherwise they are
 * made only if asked for: by the log, when it cannot store the batch as it is.
 */
function encodedAppend(pending: PendingAppend, builder: RecordBatchBuilder): PartitionAppend {
  const { topic, partition } = pending;
  const bytes = builder.build();
  const encoded = { bytes, count: builder.count, maxTimestamp: builder.maxTimestamp, hasNullKey: builder.hasNullKey };
  builder.reset();
  if (!pending.encodedOnly) return { topic, partition, encoded, records: pending.records };
  let records: AppendRecord[] | undefined;
  return {
    topic,
    partition,
    encoded,
    get records(): AppendRecord[] {
      records ??= recordsOfBatch(bytes);
      return records;
    },
  };
}

/** The records a builder holds so far (keys and values are views of one copy of its batch). */
function recordsOf(builder: RecordBatchBuilder): AppendRecord[] {
  return builder.count === 0 ? [] : recordsOfBatch(builder.build());
}

/** The records of a batch the collector built: a key, a value and a timestamp each (it takes no headers). */
function recordsOfBatch(bytes: Uint8Array): AppendRecord[] {
  return decodeRecordBatch(bytes).records.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp }));
}

export class RecordCollector {
  readonly #maxUncommitted: number;
  readonly #batchLimit: (topic: string) => number;
  readonly #early: EarlySends | undefined;
  readonly #encode: boolean;
  readonly #handedOver: (topic: string) => boolean;
  readonly #recordChecks: (topic: string) => RecordChecks | undefined;
  readonly #clock: Clock | undefined;
  /** Each partition's batch builder (`topic\0partition`), kept from commit to commit with its buffer. */
  readonly #builders = new Map<string, RecordBatchBuilder>();
  #pending = new Map<string, PendingAppend[]>();
  #records = 0;
  #lastTopic: string | undefined;
  #lastPartitions: PendingAppend[] | undefined;
  /** Set when a batch would outgrow its topic's limit or too much is pending: commit now. */
  full = false;
  /**
   * Set when {@link OVERFULL} times the records that make it full are pending: while the previous
   * commit is still being written, processing goes on past `full` until this.
   */
  overfull = false;

  /**
   * `encode`: each partition's records are also encoded into a RecordBatch as they are sent (Kafka's
   * producer appends records to its batches so), which the commit hands to the log with them
   * (`PartitionAppend.encoded`): the log then stores it instead of encoding the records again.
   * Not with early sends, which take the records as they are. `handedOver`: the topics whose
   * records the commit hands to a local task (repartition topics on the embedded log), kept as
   * records from the start: read back from the batch at the commit, each would cost a decode besides.
   * `recordChecks`: what a topic refuses of a record (see record-checks.ts); `send` throws the
   * log's error for such a record and takes nothing of it. `clock` is the log's, for timestamp bounds.
   */
  constructor(options: {
    maxUncommitted: number;
    batchLimit: (topic: string) => number;
    early?: EarlySends;
    encode?: boolean;
    handedOver?: (topic: string) => boolean;
    recordChecks?: (topic: string) => RecordChecks | undefined;
    clock?: Clock;
  }) {
    this.#maxUncommitted = options.maxUncommitted;
    this.#batchLimit = options.batchLimit;
    this.#early = options.early;
    this.#encode = options.encode === true && options.early === undefined;
    this.#handedOver = options.handedOver ?? (() => false);
    this.#recordChecks = options.recordChecks ?? (() => undefined);
    this.#clock = options.clock;
  }

  /** Records waiting for the next commit (those sent ahead included). */
  get pending(): number {
    return this.#records;
  }

  /**
   * Takes a record for the next commit. A record its topic refuses (see record-checks.ts) throws
   * the log's error, and nothing of it is taken: the task asks its production exception handler.
   */
  send(
    topic: string,
    partition: number,
    key: Uint8Array | null,
    value: Uint8Array | null,
    timestamp: number,
    headers: readonly LogHeader[],
    keyMemo?: MemoEntry,
  ): void {
    // Records come in runs to one topic (a sink's, a store's changelog): its partitions are kept at hand.
    let byPartition = topic === this.#lastTopic ? this.#lastPartitions : this.#pending.get(topic);
    if (byPartition === undefined) this.#pending.set(topic, (byPartition = []));
    this.#lastTopic = topic;
    this.#lastPartitions = byPartition;
    let append = byPartition[partition];
    if (append === undefined) {
      append = byPartition[partition] = {
        topic,
        partition,
        records: [],
        bytes: 0,
        limit: this.#batchLimit(topic),
        builder: this.#encode ? this.#builder(topic, partition) : undefined,
        encodedOnly: this.#encode && !this.#handedOver(topic),
        sealed: [],
        checks: this.#clock !== undefined ? this.#recordChecks(topic) : undefined,
      };
    }
    // A record the topic refuses throws here, before anything of it is taken.
    if (append.checks !== undefined)
      checkRecord(append.checks, partition, key, value, timestamp, headers, this.#clock!);
    const builder = append.builder;
    const size = (key?.length ?? 0) + (value?.length ?? 0) + 24;
    // Processing goes on past `full` while the previous commit is written: a batch that would
    // outgrow what its topic takes is sealed as it stands, and the next records begin another.
    if (builder !== undefined && builder.count > 0 && builder.sizeInBytes + size > append.limit * 0.8) {
      append.sealed.push(encodedAppend(append, builder));
      if (!append.encodedOnly) append.records = [];
    }
    const encoded = builder !== undefined && headers.length === 0 && builder.append(key, value, timestamp);
    if (!encoded || !append.encodedOnly) {
      if (!encoded && builder !== undefined) {
        // A record the builder does not take: this partition's records go as records from now on.
        if (append.encodedOnly) append.records = recordsOf(builder);
        append.encodedOnly = false;
        append.builder = undefined;
      }
      // A key's memo entry stays with the record for a local task handed it at the commit (the log
      // ignores it).
      append.records.push(
        headers.length > 0
          ? { key, value, timestamp, headers: [...headers] }
          : keyMemo !== undefined
            ? ({ key, value, timestamp, keyMemo } as AppendRecord)
            : { key, value, timestamp },
      );
    }
    this.#records++;
    append.bytes += size;
    const early = this.#early;
    if (early !== undefined && append.bytes >= early.bytes && append.bytes <= append.limit * 0.8) {
      early.send({ topic, partition, records: append.records });
      append.records = [];
      append.bytes = 0;
    }
    // Commit sooner than the interval when a batch would outgrow what its topic accepts.
    if (append.bytes > append.limit / 2 || this.#records > this.#maxUncommitted) {
      this.full = true;
      if (this.#records > this.#maxUncommitted * OVERFULL) this.overfull = true;
    }
  }

  /**
   * Takes what is pending, as appends. A partition whose records outgrow its topic's batch limit (a
   * big cache flush into a topic with a small max.message.bytes) goes in several batches, all in the
   * same commit.
   */
  drain(): PartitionAppend[] {
    const outputs: PartitionAppend[] = [];
    for (const byPartition of this.#pending.values()) {
      for (const a of byPartition) {
        if (a === undefined) continue;
        for (const sealed of a.sealed) outputs.push(sealed);
        const builder = a.builder;
        if (builder !== undefined) {
          // Sealed in `send` before it outgrew the topic's limit: one batch, stored as encoded.
          if (builder.count > 0) outputs.push(encodedAppend(a, builder));
          continue;
        }
        const records = a.records;
        if (records.length === 0) continue;
        if (a.bytes > a.limit * 0.9) {
          let size = 0;
          let start = 0;
          for (let i = 0; i < records.length; i++) {
            const r = records[i]!;
            const n = (r.key?.length ?? 0) + (r.value?.length ?? 0) + 24;
            if (size + n > a.limit * 0.8 && i > start) {
              outputs.push({ topic: a.topic, partition: a.partition, records: records.slice(start, i) });
              start = i;
              size = 0;
            }
            size += n;
          }
          outputs.push({ topic: a.topic, partition: a.partition, records: records.slice(start) });
        } else {
          outputs.push({ topic: a.topic, partition: a.partition, records });
        }
      }
    }
    this.#reset();
    return outputs;
  }

  /** The partition's batch builder, emptied. */
  #builder(topic: string, partition: number): RecordBatchBuilder {
    const id = `${topic}\u0000${partition}`;
    let builder = this.#builders.get(id);
    if (builder === undefined) this.#builders.set(id, (builder = new RecordBatchBuilder()));
    else builder.reset();
    return builder;
  }

  /** Forgets what is pending (the tasks' uncommitted work was dropped), and aborts what went ahead. */
  drop(): void {
    if (this.#records > 0) this.#early?.abort();
    this.#reset();
  }

  #reset(): void {
    this.#pending = new Map();
    this.#lastTopic = undefined;
    this.#lastPartitions = undefined;
    this.#records = 0;
    this.full = false;
    this.overfull = false;
  }
}
