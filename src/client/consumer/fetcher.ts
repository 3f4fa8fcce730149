/**
 * The consumer's fetcher (kafkajs's fetch of a partition): given a partition and the position to
 * read from, it waits for data, reads one batch of records through the log, and says what came of
 * it. It is the one place the consumer reads records, so a transport that fetches from a broker
 * replaces this file's {@link PartitionSource} and nothing else of the consumer.
 *
 * Records are read through the log only (never from a copy kept elsewhere): what retention,
 * compaction or deleteRecords removed is never served.
 *
 * @example
 * const fetcher = new Fetcher(log, { isolation: 'read_committed', maxBytes: 1 << 20 });
 * const fetched = await fetcher.fetch('orders', 0, 42, wait);
 * if (fetched.kind === 'records') handle(fetched.result.records);
 */
import type { IsolationLevel, LogBackend, RawBatch, ReadResult, WaitInterrupt } from '../../log/index.ts';
import { toKafkaMessage } from '../convert.ts';
import { hasCode } from '../errors.ts';
import { type AbortedTransaction, FetchedMessages } from './messages.ts';

/**
 * Where a fetcher reads from: the embedded log, or (the wire client) a broker. A source with
 * `readBatches` and `abortedTransactions` (the embedded log) is read as stored batches, decoded
 * once into kafkajs messages; one with `readMessages` (the wire client, from its Fetch answers)
 * decodes into them itself; another is read record by record with `read`.
 */
export type PartitionSource = Pick<LogBackend, 'offsets' | 'read' | 'waitForData'> & {
  readBatches?: LogBackend['readBatches'];
  abortedTransactions?: (topic: string, partition: number, from: number, to: number) => AbortedTransaction[];
  readMessages?: (
    topic: string,
    partition: number,
    offset: number,
    options: { maxBytes: number; isolation: IsolationLevel },
  ) => Promise<FetchedMessages>;
};

/** What one fetch came to. */
export type Fetched =
  /** Messages to process; `batch.nextOffset` is where the next fetch starts once they are. */
  | { kind: 'records'; batch: FetchedMessages }
  /** Nothing to hand out up to `to` (control records, aborted records, compacted gaps): step over it. */
  | { kind: 'skip'; to: number }
  /** Nothing new: the fetcher waited for an append (or was interrupted); fetch again. */
  | { kind: 'waited' }
  /** The position is outside the partition: these are its offsets now. */
  | { kind: 'out-of-range'; logStartOffset: number; highWatermark: number }
  /** The partition is gone (topic deleted, log closed). */
  | { kind: 'gone' };

/** Stored batches read ahead, while the program handles the messages of the previous fetch. */
interface Ahead {
  topic: string;
  partition: number;
  position: number;
  read: Promise<RawRead | { error: unknown }>;
  /** Once read: where the read after it starts (undefined while reading, or when it read nothing). */
  next?: number;
  /** What it holds of the {@link FetchBudget}: the read's size while reading, then what it read. */
  reserved: number;
  /** Taken by a fetch or dropped: its bytes are back in the budget. */
  released: boolean;
}

/**
 * What one consumer's fetchers may read, together: kafkajs's `maxBytes` (10 MiB by default), which
 * bounds one fetch answer across partitions. Each partition's read asks for its share of it (at
 * most its own `maxBytesPerPartition`, at least one stored batch, as a Kafka fetch returns), and
 * the reads ahead of all partitions hold at most `limit` bytes at once. A fetch itself always
 * reads; only reading ahead waits for room. So a consumer of many partitions holds about twice
 * `limit` in fetched bytes (what each partition's handler has, and what is read ahead), where
 * 1 MiB a partition would grow with the partitions.
 *
 * @example
 * const budget = new FetchBudget(10 << 20, () => assigned.size);
 * const fetcher = new Fetcher(log, { isolation: 'read_committed', maxBytes: 1 << 20, budget });
 */
export class FetchBudget {
  readonly limit: number;
  /** Bytes held by reads ahead now. */
  used = 0;
  readonly #partitions: () => number;

  /** `partitions`: how many partitions share it now (the consumer's assignment). */
  constructor(limit: number, partitions: () => number = () => 1) {
    this.limit = limit;
    this.#partitions = partitions;
  }

  /** How much one partition's read asks for: its share of the limit, at most `maxBytesPerPartition`. */
  share(maxBytesPerPartition: number): number {
    return Math.max(1, Math.min(maxBytesPerPartition, Math.floor(this.limit / Math.max(1, this.#partitions()))));
  }
}

/**
 * How many reads go ahead of the fetch being handled. Why two: a read is one call to the store,
 * but its landing waits for this thread, and where the read after it starts is known only then;
 * so one read started as a fetch is decoded lands after the decoding, and the fetch after it
 * waited for the store; with a second one, the store is reading the next while this thread
 * decodes and the one after that has landed.
 */
const READS_AHEAD = 2;

/** Stored batches as read, with what decoding them needs. */
interface RawRead {
  stored: RawBatch[];
  aborted: AbortedTransaction[];
  /** The read's bound (high watermark or last stable offset), taken when it started. */
  end: number;
}

export class Fetcher {
  readonly #source: PartitionSource;
  readonly #isolation: IsolationLevel;
  readonly #maxBytes: number;
  readonly #budget: FetchBudget;
  /** Reads ahead, in order: each starts where the one before it ends. */
  #ahead: Ahead[] = [];

  /** `budget`: shared by the consumer's fetchers; without one, this fetcher's reads ahead have their own. */
  constructor(source: PartitionSource, options: { isolation: IsolationLevel; maxBytes: number; budget?: FetchBudget }) {
    this.#source = source;
    this.#isolation = options.isolation;
    this.#maxBytes = options.maxBytes;
    this.#budget = options.budget ?? new FetchBudget(READS_AHEAD * options.maxBytes);
  }

  /**
   * Fetches from `position`. `onFetch` is called just before a read goes out (for FETCH_START);
   * `wait` ends a wait early (stop, revoke, seek).
   *
   * From the embedded log, a fetch that read batches starts reading the batches after them before
   * it decodes its own (only reading: they are decoded when handed out), {@link READS_AHEAD} reads
   * ahead. The next fetch uses the first when it asks for the same position and the partition
   * still holds it (retention or deleteRecords did not move its start past the position
   * meanwhile); otherwise (a seek, a redelivery from the last resolved offset, a pause that
   * outlived the records) the reads are dropped and the log read again.
   */
  async fetch(
    topic: string,
    partition: number,
    position: number,
    wait: WaitInterrupt,
    onFetch?: () => void,
  ): Promise<Fetched> {
    const source = this.#source;
    const ahead = this.#ahead.shift();
    if (ahead !== undefined) this.#release(ahead);
    // Wait for data first: it resolves at once when there is some, and saves a read that would
    // come back empty at the end of the partition.
    let offsets: ReturnType<PartitionSource['offsets']>;
    try {
      offsets = source.offsets(topic, partition);
    } catch (err) {
      if (hasCode(err, 'UNKNOWN_TOPIC_OR_PARTITION') || hasCode(err, 'LOG_CLOSED')) return { kind: 'gone' };
      throw err;
    }
    const end = this.#isolation === 'read_committed' ? offsets.lastStableOffset : offsets.highWatermark;
    if (position >= end) {
      await source.waitForData(topic, partition, position, wait, this.#isolation);
      return { kind: 'waited' };
    }
    onFetch?.();
    let batch: FetchedMessages;
    try {
      if (source.readBatches !== undefined && source.abortedTransactions !== undefined) {
        let raw: RawRead | undefined;
        if (
          ahead !== undefined &&
          ahead.position === position &&
          ahead.topic === topic &&
          ahead.partition === partition
        ) {
          const read = await ahead.read;
          // Read before a retention run or deleteRecords that took the position: never handed out.
          if (!('error' in read) && source.offsets(topic, partition).logStartOffset <= position) raw = read;
        }
        if (raw === undefined) {
          this.forget();
          raw = await this.#readRaw(topic, partition, position, end, this.#budget.share(this.#maxBytes));
        }
        // The next reads go out before these batches are decoded, so that the store reads them
        // while this thread decodes. They start where the next fetch will, past the last batch
        // read (a fetch that hands out nothing steps there too).
        const last = raw.stored[raw.stored.length - 1];
        if (last !== undefined) this.#readAhead(topic, partition, last.lastOffset + 1);
        batch = this.#decode(topic, partition, position, raw);
      } else if (source.readMessages !== undefined) {
        batch = await source.readMessages(topic, partition, position, {
          maxBytes: this.#maxBytes,
          isolation: this.#isolation,
        });
      } else {
        batch = toMessages(
          position,
          await source.read(topic, partition, position, { maxBytes: this.#maxBytes, isolation: this.#isolation }),
        );
      }
    } catch (err) {
      if (hasCode(err, 'OFFSET_OUT_OF_RANGE')) {
        try {
          const now = source.offsets(topic, partition);
          return { kind: 'out-of-range', logStartOffset: now.logStartOffset, highWatermark: now.highWatermark };
        } catch {
          return { kind: 'gone' };
        }
      }
      if (hasCode(err, 'UNKNOWN_TOPIC_OR_PARTITION') || hasCode(err, 'LOG_CLOSED')) return { kind: 'gone' };
      throw err;
    }
    if (batch.messages.length > 0) return { kind: 'records', batch };
    if (batch.nextOffset > position) return { kind: 'skip', to: batch.nextOffset };
    // Wait for an append (read_committed: for the last stable offset to pass the position).
    await source.waitForData(topic, partition, position, wait, this.#isolation);
    return { kind: 'waited' };
  }

  /**
   * Drops the reads ahead, if any (a pause, a partition given up): the next fetch reads the log
   * again, and their bytes go back to the budget.
   */
  forget(): void {
    for (const ahead of this.#ahead) this.#release(ahead);
    this.#ahead = [];
  }

  #release(ahead: Ahead): void {
    if (ahead.released) return;
    ahead.released = true;
    this.#budget.used -= ahead.reserved;
  }

  /**
   * Tops the reads ahead up to {@link READS_AHEAD}, the first (when none is queued) at `position`,
   * as far as the budget has room for `maxBytes` more. A read still on its way tops them up when
   * it lands, since where the next starts is known then.
   */
  #readAhead(topic: string, partition: number, position: number): void {
    const source = this.#source;
    const budget = this.#budget;
    const size = budget.share(this.#maxBytes);
    while (this.#ahead.length < READS_AHEAD && budget.used + size <= budget.limit) {
      const tail = this.#ahead[this.#ahead.length - 1];
      const from = tail === undefined ? position : tail.next;
      if (from === undefined) return;
      let offsets: ReturnType<PartitionSource['offsets']>;
      try {
        offsets = source.offsets(topic, partition);
      } catch {
        return;
      }
      const end = this.#isolation === 'read_committed' ? offsets.lastStableOffset : offsets.highWatermark;
      if (from >= end || from < offsets.logStartOffset) return;
      const ahead: Ahead = {
        topic,
        partition,
        position: from,
        read: undefined as unknown as Ahead['read'],
        reserved: size,
        released: false,
      };
      budget.used += ahead.reserved;
      ahead.read = this.#readRaw(topic, partition, from, end, size).then(
        (raw) => {
          if (!ahead.released) {
            let read = 0;
            for (const b of raw.stored) read += b.bytes.length;
            budget.used += read - ahead.reserved;
            ahead.reserved = read;
          }
          const last = raw.stored[raw.stored.length - 1];
          if (last !== undefined) {
            ahead.next = last.lastOffset + 1;
            if (this.#ahead.includes(ahead)) this.#readAhead(topic, partition, ahead.next);
          }
          return raw;
        },
        (error: unknown) => ({ error }),
      );
      this.#ahead.push(ahead);
    }
  }

  /**
   * Reads up to `maxBytes` of stored batches from `position` (at least one). The aborted
   * transactions are asked for in the same tick as the read takes its bound (the last stable
   * offset), so every transaction the read can return was decided, and listed, by then.
   */
  async #readRaw(topic: string, partition: number, position: number, end: number, maxBytes: number): Promise<RawRead> {
    const source = this.#source;
    const aborted =
      this.#isolation === 'read_committed' ? source.abortedTransactions!(topic, partition, position, end) : [];
    const stored = await source.readBatches!(topic, partition, position, {
      maxBytes,
      isolation: this.#isolation,
    });
    return { stored, aborted, end };
  }

  /** Decodes what {@link #readRaw} read into messages (see messages.ts). */
  #decode(topic: string, partition: number, position: number, raw: RawRead): FetchedMessages {
    const batch = new FetchedMessages(position, raw.aborted);
    const context = { topic, partition };
    for (const b of raw.stored) batch.add(b.bytes, position, context);
    // Nothing stored between the position and the bound (compacted or retained away): skip the gap.
    if (raw.stored.length === 0) batch.nextOffset = raw.end;
    batch.highWatermark = this.#source.offsets(topic, partition).highWatermark;
    return batch;
  }
}

/** A source's `read` as messages. */
function toMessages(position: number, result: ReadResult): FetchedMessages {
  const batch = new FetchedMessages(position);
  for (const record of result.records) {
    batch.messages.push(toKafkaMessage(record));
    batch.offsets.push(record.offset);
  }
  batch.nextOffset = result.nextOffset;
  batch.highWatermark = result.highWatermark;
  return batch;
}
