/**
 * What the broker keeps of each transactional producer between the requests of a transaction:
 * which partitions it added (a transactional batch to any other gets INVALID_TXN_STATE, as on
 * Kafka), the offsets it sent with TxnOffsetCommit (applied to the group's committed offsets when
 * its COMMIT marker is written, dropped on ABORT) and the sequence numbers of its writes to
 * `__consumer_offsets`. The transaction itself (markers, the last stable offset, aborted spans,
 * epoch fencing and timeouts) lives in the log; this is only the coordinator's view of the
 * requests. It is rebuilt by InitProducerId, which every transactional producer sends first.
 */
import type { OffsetCommit } from '../cluster/offset-store.ts';
import { KafkaCode } from './errors.ts';

export interface TxnProducer {
  transactionalId: string;
  producerId: number;
  epoch: number;
  /** "topic\0partition" of every partition added to the open transaction. */
  partitions: Set<string>;
  /** Groups added with AddOffsetsToTxn. */
  groups: Set<string>;
  /** Offsets sent in the open transaction, applied on commit. */
  offsets: { group: string; commits: OffsetCommit[] }[];
  /** The next sequence number of this epoch's writes to `__consumer_offsets`. */
  offsetsSequence: number;
  /** The transaction timeout InitProducerId asked for. */
  timeoutMs: number;
  /** Kafka's transaction state names, as ListTransactions and DescribeTransactions show them. */
  state: 'Empty' | 'Ongoing' | 'CompleteCommit' | 'CompleteAbort';
  /** When the open transaction added its first partition; -1 when none is open. */
  startedAt: number;
}

export class TxnRegistry {
  readonly #byId = new Map<string, TxnProducer>();
  readonly #byProducer = new Map<number, TxnProducer>();

  /** A producer (re)initialised with this epoch: a fresh, empty transaction state. */
  initialised(transactionalId: string, producerId: number, epoch: number, timeoutMs: number): void {
    const producer: TxnProducer = {
      timeoutMs,
      state: 'Empty',
      startedAt: -1,
      transactionalId,
      producerId,
      epoch,
      partitions: new Set(),
      groups: new Set(),
      offsets: [],
      offsetsSequence: 0,
    };
    this.#byId.set(transactionalId, producer);
    this.#byProducer.set(producerId, producer);
  }

  /**
   * The producer, if the ids and epoch name the current holder of the transactional id; otherwise
   * Kafka's error: INVALID_PRODUCER_ID_MAPPING for ids that do not match, INVALID_PRODUCER_EPOCH for
   * an older epoch (a newer holder fenced it).
   */
  verify(transactionalId: string, producerId: number, epoch: number): TxnProducer | number {
    const producer = this.#byId.get(transactionalId);
    if (producer === undefined || producer.producerId !== producerId) return KafkaCode.INVALID_PRODUCER_ID_MAPPING;
    if (epoch !== producer.epoch) return KafkaCode.INVALID_PRODUCER_EPOCH;
    return producer;
  }

  /** Every transactional producer the broker knows. */
  all(): IterableIterator<TxnProducer> {
    return this.#byId.values();
  }

  /** The transactional producer of a transactional id, if the broker knows one. */
  ofTransactionalId(transactionalId: string): TxnProducer | undefined {
    return this.#byId.get(transactionalId);
  }

  /** The transactional producer of this producer id, if the broker knows one. */
  ofProducer(producerId: number): TxnProducer | undefined {
    return this.#byProducer.get(producerId);
  }

  /**
   * True while an open transaction holds offsets for the group's partition (sent with
   * TxnOffsetCommit, not yet ended by EndTxn): Kafka answers an OffsetFetch that asks for stable
   * offsets with UNSTABLE_OFFSET_COMMIT then. A transaction past its timeout no longer counts: the
   * log aborts it (and its offsets are never applied).
   */
  holdsOffsets(group: string, topic: string, partition: number, now: number): boolean {
    for (const producer of this.#byId.values()) {
      if (producer.state !== 'Ongoing' || now - producer.startedAt > producer.timeoutMs) continue;
      for (const sent of producer.offsets)
        if (sent.group === group && sent.commits.some((c) => c.topic === topic && c.partition === partition))
          return true;
    }
    return false;
  }

  /** A partition or a group joined the open transaction. */
  began(producer: TxnProducer, now: number): void {
    if (producer.state === 'Ongoing') return;
    producer.state = 'Ongoing';
    producer.startedAt = now;
  }

  /** The transaction ended (either way): the next one starts empty. */
  ended(producer: TxnProducer, committed: boolean): void {
    producer.state = committed ? 'CompleteCommit' : 'CompleteAbort';
    producer.startedAt = -1;
    producer.partitions.clear();
    producer.groups.clear();
    producer.offsets = [];
  }
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
