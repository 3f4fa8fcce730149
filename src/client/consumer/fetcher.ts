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
import type { IsolationLevel, LogBackend, ReadResult, WaitInterrupt } from '../../log/index.ts';
import { toKafkaMessage } from '../convert.ts';
import { hasCode } from '../errors.ts';
import { type AbortedTransaction, FetchedMessages } from './messages.ts';

/**
 * Where a fetcher reads from: the embedded log, or (the wire client) a broker. A source with
 * `readBatches` and `abortedTransactions` (the embedded log) is read as stored batches, decoded
 * once into kafkajs messages; another is read record by record with `read`.
 */
export type PartitionSource = Pick<LogBackend, 'offsets' | 'read' | 'waitForData'> & {
  readBatches?: LogBackend['readBatches'];
  abortedTransactions?: (topic: string, partition: number, from: number, to: number) => AbortedTransaction[];
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

export class Fetcher {
  readonly #source: PartitionSource;
  readonly #isolation: IsolationLevel;
  readonly #maxBytes: number;

  constructor(source: PartitionSource, options: { isolation: IsolationLevel; maxBytes: number }) {
    this.#source = source;
    this.#isolation = options.isolation;
    this.#maxBytes = options.maxBytes;
  }

  /**
   * Fetches from `position`. `onFetch` is called just before a read goes out (for FETCH_START);
   * `wait` ends a wait early (stop, revoke, seek).
   */
  async fetch(
    topic: string,
    partition: number,
    position: number,
    wait: WaitInterrupt,
    onFetch?: () => void,
  ): Promise<Fetched> {
    const source = this.#source;
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
      batch =
        source.readBatches !== undefined && source.abortedTransactions !== undefined
          ? await this.#readBatches(topic, partition, position, end)
          : toMessages(
              position,
              await source.read(topic, partition, position, { maxBytes: this.#maxBytes, isolation: this.#isolation }),
            );
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
   * Reads stored batches and decodes them into messages (see messages.ts). The aborted
   * transactions are asked for in the same tick as the read takes its bound (the last stable
   * offset), so every transaction the read can return was decided, and listed, by then.
   */
  async #readBatches(topic: string, partition: number, position: number, end: number): Promise<FetchedMessages> {
    const source = this.#source;
    const committed = this.#isolation === 'read_committed';
    const aborted = committed ? source.abortedTransactions!(topic, partition, position, end) : [];
    const stored = await source.readBatches!(topic, partition, position, {
      maxBytes: this.#maxBytes,
      isolation: this.#isolation,
    });
    const batch = new FetchedMessages(position, aborted);
    const context = { topic, partition };
    for (const b of stored) batch.add(b.bytes, position, context);
    // Nothing stored between the position and the bound (compacted or retained away): skip the gap.
    if (stored.length === 0) batch.nextOffset = end;
    batch.highWatermark = source.offsets(topic, partition).highWatermark;
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
