/**
 * The transaction coordinator, as Kafka's `TransactionCoordinator` and `ProducerIdManager`: it hands
 * out producer ids, keeps each transactional id's producer id and epoch (bumping the epoch fences
 * the previous holder, KIP-360 retries included), knows which partitions each open transaction
 * wrote, ends transactions and aborts those open past their timeout.
 *
 * Why it reaches the engine only through {@link TransactionLog}: its state is written in the same
 * atomic store writes as the markers it asks for, so it hands its writes to the engine as ops, and
 * the engine writes markers, moves last stable offsets and wakes readers. The partition side of
 * transactions (sequence numbers, first offsets, aborted spans) stays with the partition's producer
 * state (`producers.ts`). Nothing here reads the engine's class, so the coordinator moves to
 * `src/cluster` once the log it serves is composed above `src/log` (docs/decisions.md).
 */
import type { Clock } from '../clock.ts';
import { TributaryError } from '../errors.ts';
import type {
  EndTransactionOptions,
  InitProducerOptions,
  ProducerIdentity,
  ProducerStamp,
  WriteOptions,
} from './backend.ts';
import type { KvOp } from './storage/kv.ts';

/** A transactional id's producer, as stored. */
export interface TransactionalProducer {
  producerId: number;
  epoch: number;
  timeoutMs: number;
  /**
   * The epoch before the last bump, and the producer id before the last rotation (Kafka's
   * lastProducerEpoch / lastProducerId): a KIP-360 re-initialisation naming them is a retry of a
   * bump the producer never heard back from. Absent in state written before they existed.
   */
  lastEpoch?: number;
  lastProducerId?: number;
}

/** An open transaction, as stored: which partitions it wrote, and since when. */
export interface OpenTxn {
  transactionalId: string;
  epoch: number;
  startedAt: number;
  timeoutMs: number;
  partitions: [topicId: number, partition: number][];
}

/**
 * What the coordinator reaches of the log: its clock, the writes that store the coordinator's
 * state (as ops of the caller's atomic write), the markers that end a transaction, and the write
 * queue. Implemented by the engine.
 */
export interface TransactionLog {
  readonly clock: Clock;
  /** Adds to `ops` the write that stores the next producer id to hand out. */
  putNextProducerId(next: number, ops: KvOp[]): void;
  /** Adds to `ops` the write that stores a transactional id's producer. */
  putTransactionalId(transactionalId: string, producer: TransactionalProducer, ops: KvOp[]): void;
  /** Adds to `ops` the write that stores an open transaction, or (undefined) deletes it. */
  putOpenTxn(producerId: number, txn: OpenTxn | undefined, ops: KvOp[]): void;
  /**
   * Adds to `ops` COMMIT or ABORT markers on every partition named (those of deleted topics are
   * skipped). Returns what to do once `ops` are on disk: only then may read_committed readers move
   * past the transaction.
   */
  writeMarkers(
    producerId: number,
    epoch: number,
    partitions: readonly [topicId: number, partition: number][],
    commit: boolean,
    ops: KvOp[],
  ): (() => void)[];
  /** Queues `ops` as one atomic write; resolves once it is on the store (fsynced with `sync`). */
  enqueue(ops: KvOp[], sync: boolean): Promise<void>;
}

/** Kafka's epoch exhaustion: at Short.MAX_VALUE - 1 a transactional id moves to a new producer id. */
const MAX_PRODUCER_EPOCH = 32_766;

export class TransactionCoordinator {
  readonly #log: TransactionLog;
  #nextProducerId = 1;
  /** Transactional id → its producer. */
  readonly #transactionalIds = new Map<string, TransactionalProducer>();
  /** Producer id → its transactional id, for producers that have one. */
  readonly #transactionalProducers = new Map<number, string>();
  /** Producer id → its open transaction. */
  readonly #openTxns = new Map<number, OpenTxn>();

  constructor(log: TransactionLog) {
    this.#log = log;
  }

  // ---------------------------------------------------------------- loading what was stored

  /** The next producer id, as stored. */
  restoreNextProducerId(next: number): void {
    this.#nextProducerId = next;
  }

  /** A transactional id's producer, as stored. */
  restoreTransactionalId(transactionalId: string, producer: TransactionalProducer): void {
    this.#transactionalIds.set(transactionalId, producer);
    this.#transactionalProducers.set(producer.producerId, transactionalId);
  }

  /** An open transaction, as stored. */
  restoreOpenTxn(producerId: number, txn: OpenTxn): void {
    this.#openTxns.set(producerId, txn);
  }

  // ---------------------------------------------------------------- requests

  /** {@link LogBackend.initProducerId}, its arguments checked by the log's front (`front.ts`). */
  async initProducerId(options: InitProducerOptions = {}): Promise<ProducerIdentity> {
    const { transactionalId, transactionTimeoutMs = 60_000 } = options;
    const ops: KvOp[] = [];
    if (transactionalId === undefined) {
      const producerId = this.#nextProducerId++;
      this.#log.putNextProducerId(this.#nextProducerId, ops);
      await this.#log.enqueue(ops, true);
      return { producerId, producerEpoch: 0 };
    }
    let producer = this.#transactionalIds.get(transactionalId);
    const touched: (() => void)[] = [];
    const { expected } = options;
    if (producer === undefined) {
      producer = { producerId: this.#nextProducerId++, epoch: 0, timeoutMs: transactionTimeoutMs };
      this.#log.putNextProducerId(this.#nextProducerId, ops);
    } else {
      const current = producer;
      // KIP-360: a producer naming its id and epoch re-initialises only if it is the current holder
      // (or retries the bump it never heard back from); anyone else is fenced, as by Kafka.
      const fenced = () =>
        new TributaryError(
          'PRODUCER_FENCED',
          `Producer ${expected!.producerId} epoch ${expected!.producerEpoch} of transactional id "${transactionalId}" is fenced by ` +
            `producer ${current.producerId} epoch ${current.epoch}`,
          { producerId: expected!.producerId, transactionalId },
        );
      if (expected !== undefined) {
        const rotatedRetry =
          expected.producerId === current.lastProducerId && expected.producerEpoch >= MAX_PRODUCER_EPOCH;
        if (expected.producerId !== current.producerId && !rotatedRetry) throw fenced();
        if (
          rotatedRetry ||
          (expected.producerEpoch !== current.epoch && expected.producerEpoch === current.lastEpoch)
        ) {
          // A retry of a bump (or rotation) that happened: the same answer again, with no new bump.
          return { producerId: current.producerId, producerEpoch: current.epoch };
        }
        if (expected.producerEpoch !== current.epoch) throw fenced();
      }
      // A new epoch fences the previous holder, whose open transaction is aborted with it.
      touched.push(...this.#endTransactionOps(current.producerId, false, ops));
      if (current.epoch >= MAX_PRODUCER_EPOCH) {
        // Epochs are 16 bits on the wire: an exhausted producer id gives way to a fresh one.
        producer = {
          producerId: this.#nextProducerId++,
          epoch: 0,
          timeoutMs: transactionTimeoutMs,
          lastProducerId: current.producerId,
        };
        this.#log.putNextProducerId(this.#nextProducerId, ops);
        this.#transactionalProducers.delete(current.producerId);
      } else {
        producer = {
          producerId: current.producerId,
          epoch: current.epoch + 1,
          timeoutMs: transactionTimeoutMs,
          lastEpoch: current.epoch,
        };
      }
    }
    this.#transactionalIds.set(transactionalId, producer);
    this.#transactionalProducers.set(producer.producerId, transactionalId);
    this.#log.putTransactionalId(transactionalId, producer, ops);
    await this.#log.enqueue(ops, true);
    for (const apply of touched) apply();
    return { producerId: producer.producerId, producerEpoch: producer.epoch };
  }

  /** {@link LogBackend.endTransaction}, once the log's front has checked that it takes writes. */
  async endTransaction(options: EndTransactionOptions, writeOptions: WriteOptions = { sync: true }): Promise<void> {
    const { producerId, producerEpoch, commit } = options;
    const transactionalId = this.#transactionalProducers.get(producerId);
    if (transactionalId === undefined) {
      throw new TributaryError('INVALID_TXN_STATE', `Producer ${producerId} has no transactional id`, { producerId });
    }
    const current = this.#transactionalIds.get(transactionalId)!;
    if (producerEpoch !== current.epoch) {
      throw new TributaryError(
        'PRODUCER_FENCED',
        `Producer ${producerId} epoch ${producerEpoch} of transactional id "${transactionalId}" is fenced by epoch ${current.epoch}`,
        { producerId, transactionalId },
      );
    }
    const ops: KvOp[] = [];
    const touched = this.#endTransactionOps(producerId, commit, ops);
    if (ops.length === 0) return;
    await this.#log.enqueue(ops, writeOptions.sync !== false);
    for (const apply of touched) apply();
  }

  /** Aborts transactions open longer than their timeout, fencing their producers as Kafka does. */
  async abortTimedOutTransactions(): Promise<number> {
    const now = this.#log.clock.now();
    let aborted = 0;
    for (const [producerId, txn] of [...this.#openTxns]) {
      if (now - txn.startedAt <= txn.timeoutMs) continue;
      const ops: KvOp[] = [];
      const touched = this.#endTransactionOps(producerId, false, ops);
      const producer = this.#transactionalIds.get(txn.transactionalId);
      if (producer !== undefined && producer.producerId === producerId) {
        const bumped = { ...producer, epoch: producer.epoch + 1, lastEpoch: producer.epoch };
        this.#transactionalIds.set(txn.transactionalId, bumped);
        this.#log.putTransactionalId(txn.transactionalId, bumped, ops);
      }
      await this.#log.enqueue(ops, true);
      for (const apply of touched) apply();
      aborted++;
    }
    return aborted;
  }

  // ---------------------------------------------------------------- the produce path

  /**
   * Checks a stamped batch against its producer's transactional id: an epoch older than the
   * current one is fenced, a transactional batch needs a producer that has a transactional id.
   */
  checkProducer(producer: ProducerStamp, context: { topic: string; partition: number; producerId: number }): void {
    const transactionalId = this.#transactionalProducers.get(producer.producerId);
    if (transactionalId !== undefined) {
      const current = this.#transactionalIds.get(transactionalId)!;
      if (producer.producerEpoch < current.epoch) {
        throw new TributaryError(
          'PRODUCER_FENCED',
          `Producer ${producer.producerId} epoch ${producer.producerEpoch} of transactional id "${transactionalId}" is fenced by epoch ${current.epoch}`,
          { ...context, transactionalId },
        );
      }
    } else if (producer.isTransactional) {
      throw new TributaryError(
        'INVALID_TXN_STATE',
        `Producer ${producer.producerId} has no transactional id; call initProducerId({ transactionalId }) first`,
        context,
      );
    }
  }

  /**
   * Adds a partition to the producer's open transaction, opening one if none is, with its write in
   * `ops` (the same atomic write as the transactional batch). Called after {@link checkProducer}.
   */
  joinTransaction(producerId: number, topicId: number, partition: number, now: number, ops: KvOp[]): void {
    const transactionalId = this.#transactionalProducers.get(producerId)!;
    const producer = this.#transactionalIds.get(transactionalId)!;
    let txn = this.#openTxns.get(producerId);
    if (txn === undefined) {
      txn = { transactionalId, epoch: producer.epoch, startedAt: now, timeoutMs: producer.timeoutMs, partitions: [] };
      this.#openTxns.set(producerId, txn);
    }
    if (txn.partitions.some(([t, p]) => t === topicId && p === partition)) return;
    txn.partitions.push([topicId, partition]);
    this.#log.putOpenTxn(producerId, txn, ops);
  }

  /**
   * Ends `producerId`'s open transaction in `ops`: its stored record goes, the log's markers come.
   * Returns what to do once they are on disk.
   */
  #endTransactionOps(producerId: number, commit: boolean, ops: KvOp[]): (() => void)[] {
    const txn = this.#openTxns.get(producerId);
    if (txn === undefined) return [];
    this.#openTxns.delete(producerId);
    this.#log.putOpenTxn(producerId, undefined, ops);
    return this.#log.writeMarkers(producerId, txn.epoch, txn.partitions, commit, ops);
  }
}
