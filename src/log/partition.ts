import type { RawBatch } from './backend.ts';
import type { TopicConfig } from './config.ts';
import { partitionStateKey, type StoredPartitionState } from './keys.ts';
import type { AbortedTxn, ProducerEntry } from './producers.ts';
import { WaitInterrupt } from './wait-interrupt.ts';

/** A topic as the engine holds it in memory. */
export interface TopicState {
  name: string;
  topicId: number;
  overrides: Partial<TopicConfig>;
  config: TopicConfig;
  partitions: PartitionState[];
  deleted: boolean;
}

/**
 * A reader waiting for data. One object serves as the wait's record, its resolver and the
 * listener of its signal (`handleEvent` for an `AbortSignal`, `interrupted` for a
 * {@link WaitInterrupt}): consumers wait after almost every batch, and closures per wait add up.
 */
class Waiter {
  constructor(
    readonly partition: PartitionState,
    readonly offset: number,
    /** read_committed readers wait for the last stable offset, not the high watermark. */
    readonly committed: boolean,
    readonly signal: AbortSignal | WaitInterrupt | undefined,
    readonly done: () => void,
  ) {}

  /** Data came (or the partition is going away): the signal's listener goes, and the wait ends. */
  resolve(): void {
    if (this.signal instanceof WaitInterrupt) this.signal.unlisten(this);
    else this.signal?.removeEventListener('abort', this);
    this.done();
  }

  /** The signal ended the wait first. */
  interrupted(): void {
    this.partition.forget(this);
    this.done();
  }

  handleEvent(): void {
    this.interrupted();
  }
}

/** What the bookkeeping maps of a partition read as before their first write. */
const NONE: ReadonlyMap<unknown, unknown> = new Map();

/**
 * One partition's offsets and bookkeeping. Offsets are handed out when a write is queued
 * (`nextOffset`) and become visible to readers when it is on disk (`highWatermark`); between the
 * two, readers never see a batch that could still vanish in a crash.
 */
export class PartitionState implements StoredPartitionState {
  readonly topic: TopicState;
  readonly partition: number;
  logStartOffset: number;
  nextOffset: number;
  highWatermark: number;
  sizeBytes: number;
  cleanedUpTo: number;
  dirtyBytes: number;
  /** The largest record timestamp appended so far: the time index grows only when it rises. */
  maxTimestamp: number;
  /** Where the partition's state is stored; written with every group commit that touches it. */
  readonly stateKey: Uint8Array;
  // The three maps below are made at their first write: most partitions never see an idempotent
  // or transactional producer, and three empty Maps were half of a partition's memory (a topic of
  // 10,000 partitions: about 5 MB, and the collections that copied them while it was created).
  #producers: Map<number, ProducerEntry> | undefined;
  #openTransactions: Map<number, number> | undefined;
  #aborted: Map<number, AbortedTxn[]> | undefined;
  #waiters: Waiter[] = [];
  /**
   * The newest stored batches, contiguous and ending at the high watermark, so that readers at
   * the tail (most of them) are served from memory instead of LevelDB. Starts at `#tailHead`.
   */
  #tail: RawBatch[] = [];
  #tailHead = 0;
  #tailBytes = 0;
  /**
   * Where the compaction running now ends (0 when none runs): it deletes emptied batches below it
   * before `cleanedUpTo` catches up, and readers must not take those gaps for damage.
   */
  compactingUpTo = 0;
  /** Serialises retention, compaction and deletion of this partition. */
  #maintenance: Promise<unknown> = Promise.resolve();
  /** The write queue's number of the last write that appended here: readers of the store wait for it. */
  lastWrite = 0;
  /** The size of the last batch appended or read from the store: how many a read asks the store for at once. */
  batchBytesHint = 0;

  constructor(topic: TopicState, partition: number, stored: StoredPartitionState, maxTimestamp: number) {
    this.topic = topic;
    this.partition = partition;
    this.stateKey = partitionStateKey(topic.topicId, partition);
    this.logStartOffset = stored.logStartOffset;
    this.nextOffset = stored.nextOffset;
    this.highWatermark = stored.nextOffset;
    this.sizeBytes = stored.sizeBytes;
    this.cleanedUpTo = stored.cleanedUpTo;
    this.dirtyBytes = stored.dirtyBytes;
    this.maxTimestamp = maxTimestamp;
  }

  /** Idempotent and transactional producers that wrote here, by producer id. */
  get producers(): ReadonlyMap<number, ProducerEntry> {
    return this.#producers ?? (NONE as ReadonlyMap<number, ProducerEntry>);
  }

  /** {@link producers}, to change. */
  producersToWrite(): Map<number, ProducerEntry> {
    this.#producers ??= new Map();
    return this.#producers;
  }

  /** Open transactions: producer id → offset of the transaction's first record here. */
  get openTransactions(): ReadonlyMap<number, number> {
    return this.#openTransactions ?? (NONE as ReadonlyMap<number, number>);
  }

  /** {@link openTransactions}, to change. */
  openTransactionsToWrite(): Map<number, number> {
    this.#openTransactions ??= new Map();
    return this.#openTransactions;
  }

  /** Aborted transactions by producer id, sorted by marker offset. */
  get aborted(): ReadonlyMap<number, AbortedTxn[]> {
    return this.#aborted ?? (NONE as ReadonlyMap<number, AbortedTxn[]>);
  }

  /** {@link aborted}, to change. */
  abortedToWrite(): Map<number, AbortedTxn[]> {
    this.#aborted ??= new Map();
    return this.#aborted;
  }

  snapshot(): StoredPartitionState {
    return {
      logStartOffset: this.logStartOffset,
      nextOffset: this.nextOffset,
      sizeBytes: this.sizeBytes,
      cleanedUpTo: this.cleanedUpTo,
      dirtyBytes: this.dirtyBytes,
    };
  }

  /**
   * Kafka's last stable offset: below it every transaction is decided. read_committed readers
   * see nothing at or past it.
   */
  get lastStableOffset(): number {
    let lso = this.highWatermark;
    for (const first of this.openTransactions.values()) if (first < lso) lso = first;
    // As Kafka bounds its first unstable offset: what deleteRecords or retention removed is not
    // undecided any more.
    return Math.max(lso, this.logStartOffset);
  }

  /**
   * Whether offsets `[from, to)` may legitimately hold no batch: retention or deleteRecords took
   * them (below the log start), or compaction emptied their batches (below where it cleaned). A
   * gap anywhere else is lost data (a damaged store), never something to skip.
   */
  mayLack(to: number): boolean {
    return to <= this.logStartOffset || to <= this.cleanedUpTo || to <= this.compactingUpTo || this.topic.deleted;
  }

  /** Makes offsets below `highWatermark` visible and wakes the readers waiting for them. */
  advance(highWatermark: number): void {
    if (highWatermark > this.highWatermark) this.highWatermark = highWatermark;
    this.notify();
  }

  /** Wakes the readers whose offset became visible (after an append or a transaction's end). */
  notify(): void {
    if (this.#waiters.length === 0) return;
    const hw = this.highWatermark;
    const lso = this.lastStableOffset;
    const still: Waiter[] = [];
    for (const w of this.#waiters) {
      if (w.offset < (w.committed ? lso : hw)) w.resolve();
      else still.push(w);
    }
    this.#waiters = still;
  }

  waitFor(offset: number, signal?: AbortSignal | WaitInterrupt, committed = false): Promise<void> {
    const bound = committed ? this.lastStableOffset : this.highWatermark;
    if (offset < bound || this.topic.deleted || (signal instanceof AbortSignal && signal.aborted))
      return Promise.resolve();
    return new Promise<void>((done) => {
      const waiter = new Waiter(this, offset, committed, signal, done);
      this.#waiters.push(waiter);
      if (signal instanceof WaitInterrupt) signal.listen(waiter);
      else signal?.addEventListener('abort', waiter, { once: true });
    });
  }

  /** Drops a waiter whose signal ended its wait. */
  forget(waiter: Waiter): void {
    this.#waiters = this.#waiters.filter((w) => w !== waiter);
  }

  /** Remembers a batch just made visible; keeps at most about `capBytes` of them. */
  pushTail(batch: RawBatch, capBytes: number): void {
    const last = this.#tail[this.#tail.length - 1];
    if (last !== undefined && last.lastOffset + 1 !== batch.baseOffset) this.dropTail();
    this.#tail.push(batch);
    this.#tailBytes += batch.bytes.length;
    while (this.#tailBytes > capBytes && this.#tail.length - this.#tailHead > 1) {
      this.#tailBytes -= this.#tail[this.#tailHead]!.bytes.length;
      this.#tail[this.#tailHead++] = undefined as unknown as RawBatch;
    }
    // Compacts the array now and then instead of shifting it on every eviction.
    if (this.#tailHead > 1024 && this.#tailHead * 2 > this.#tail.length) {
      this.#tail = this.#tail.slice(this.#tailHead);
      this.#tailHead = 0;
    }
  }

  /** Forgets the remembered batches: retention or compaction changed what is stored. */
  dropTail(): void {
    this.#tail = [];
    this.#tailHead = 0;
    this.#tailBytes = 0;
  }

  /**
   * The remembered batches from the one holding `offset` on, or undefined when `offset` lies
   * before them (the store must be read).
   */
  tailFrom(offset: number): { batches: RawBatch[]; from: number } | undefined {
    const tail = this.#tail;
    const first = tail[this.#tailHead];
    if (first === undefined || offset < first.baseOffset) return undefined;
    let lo = this.#tailHead;
    let hi = tail.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (tail[mid]!.lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return { batches: tail, from: lo };
  }

  /** Wakes every waiter: the topic is gone or the log is closing. */
  wakeAll(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.resolve();
  }

  /** Runs `task` after every earlier maintenance task of this partition has finished. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#maintenance.then(task, task);
    this.#maintenance = run.catch(() => undefined);
    return run;
  }
}
