import { TributaryError } from '../errors.ts';
import type { LogBackend, ProducerStamp } from '../log/index.ts';
import { parseOffset } from './convert.ts';
import { clientError } from './errors.ts';
import type { GroupCoordinator } from '../cluster/group-coordinator.ts';
import type { OffsetCommit } from '../cluster/offset-store.ts';
import { type Producer, producerFlushPending, producerSendWith } from './producer.ts';
import type { Offsets, ProducerBatch, ProducerRecord, RecordMetadata } from './types.ts';
import type { WireTransactions } from './wire/transactions.ts';

/** Hands out producer stamps: the producer id and epoch, and the next sequence per partition. */
export interface ProducerStampSource {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly transactional: boolean;
  stamp(topic: string, partition: number, count: number): ProducerStamp;
  /** Gives back the sequence numbers of a stamped write that failed (and so appended nothing). */
  unstamp(topic: string, partition: number, stamp: ProducerStamp, count: number): void;
}

/**
 * An open transaction, as kafkajs's. Its sends are in the log at once but hidden from
 * read_committed consumers until `commit()` writes the commit markers of every partition it
 * touched, in one atomic write; `abort()` writes abort markers and the records stay hidden.
 * `sendOffsets` makes a consumer group's progress part of the same transaction.
 *
 * @example
 * const txn = await producer.transaction();
 * try {
 *   await txn.send({ topic: 'out', messages: [{ key: 'k', value: 'v' }] });
 *   await txn.sendOffsets({ consumerGroupId: 'g', topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '11' }] }] });
 *   await txn.commit();
 * } catch (err) {
 *   if (txn.isActive()) await txn.abort();
 *   throw err;
 * }
 */
export class Transaction {
  readonly #log: LogBackend;
  readonly #producer: Producer;
  readonly #stamps: ProducerStampSource;
  readonly #coordinator: GroupCoordinator | undefined;
  /** Over the wire: the transaction coordinator's calls (the log and group coordinator are the broker's). */
  readonly #wire: WireTransactions | undefined;
  readonly #partitions = new Map<string, { topic: string; partition: number }>();
  readonly #offsets: { group: string; commits: OffsetCommit[] }[] = [];
  #active = true;
  #failure: unknown;

  /** @internal Use {@link Producer.transaction}. */
  constructor(
    log: LogBackend,
    producer: Producer,
    stamps: ProducerStampSource,
    coordinator: GroupCoordinator | undefined,
    wire?: WireTransactions,
  ) {
    this.#log = log;
    this.#producer = producer;
    this.#stamps = stamps;
    this.#coordinator = coordinator;
    this.#wire = wire;
  }

  /** True until the transaction is committed or aborted. */
  isActive(): boolean {
    return this.#active;
  }

  #check(): void {
    if (!this.#active) throw clientError('INVALID_TXN_STATE', 'The transaction has ended');
  }

  #track = (partitions: { topic: string; partition: number }[]) => {
    for (const tp of partitions) this.#partitions.set(`${tp.topic}\u0000${tp.partition}`, tp);
  };

  /** Sends within the transaction: `read_committed` consumers see the records once it commits, never if it aborts. */
  async send(record: ProducerRecord): Promise<RecordMetadata[]> {
    this.#check();
    return this.#remember(
      producerSendWith(
        this.#producer,
        [{ topic: record.topic, messages: record.messages }],
        record.acks,
        record.compression,
        {
          stamp: this.#stamps,
          onPartitions: this.#track,
        },
      ),
    );
  }

  /** Sends to several topics within the transaction. */
  async sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    this.#check();
    return this.#remember(
      producerSendWith(this.#producer, batch.topicMessages ?? [], batch.acks, batch.compression, {
        stamp: this.#stamps,
        onPartitions: this.#track,
      }),
    );
  }

  /** A failed send makes the transaction abort-only, as in Kafka. */
  async #remember<T>(sent: Promise<T>): Promise<T> {
    try {
      return await sent;
    } catch (err) {
      this.#failure ??= err;
      throw err;
    }
  }

  /**
   * Commits a group's offsets as part of the transaction: they count once it commits. Offsets are
   * the next offsets to consume, as with `commitOffsets`.
   */
  async sendOffsets(offsets: Offsets & { consumerGroupId: string }): Promise<void> {
    this.#check();
    if (typeof offsets?.consumerGroupId !== 'string' || !Array.isArray(offsets.topics)) {
      throw new TypeError(
        'sendOffsets takes { consumerGroupId, topics: [{ topic, partitions: [{ partition, offset }] }] }',
      );
    }
    const commits: OffsetCommit[] = offsets.topics.flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: parseOffset(p.offset) })),
    );
    if (commits.length === 0) return;
    if (this.#wire !== undefined) {
      await this.#remember(this.#wire.sendOffsets(offsets.consumerGroupId, commits));
      return;
    }
    const store = this.#coordinator!.offsets;
    await store.ready();
    const append = store.append(offsets.consumerGroupId, commits);
    append.producer = this.#stamps.stamp(append.topic, append.partition, append.records.length);
    await this.#log.write([append], { sync: false });
    this.#track([{ topic: append.topic, partition: append.partition }]);
    this.#offsets.push({ group: offsets.consumerGroupId, commits });
  }

  /** Makes everything the transaction wrote visible at once. Fails (and aborts) if one of its sends failed. */
  async commit(): Promise<void> {
    if (this.#failure !== undefined && this.#active) {
      await this.#end(false);
      throw new TributaryError(
        'INVALID_TXN_STATE',
        'A send of the transaction failed, so it was aborted instead of committed',
        {
          cause: this.#failure,
        },
      );
    }
    await this.#end(true);
  }

  /** Ends the transaction with ABORT markers: its records and offsets never count. */
  async abort(): Promise<void> {
    await this.#end(false);
  }

  async #end(commit: boolean): Promise<void> {
    this.#check();
    this.#active = false;
    await producerFlushPending(this.#producer);
    if (this.#wire !== undefined) {
      await this.#wire.end(commit);
      return;
    }
    if (this.#partitions.size > 0) {
      await this.#log.endTransaction(
        { producerId: this.#stamps.producerId, producerEpoch: this.#stamps.producerEpoch, commit },
        { sync: true },
      );
    }
    if (commit) for (const { group, commits } of this.#offsets) this.#coordinator!.offsets.apply(group, commits);
  }
}
