import { type Clock, systemClock, type TimerHandle } from '../clock.ts';
import { encodeU64, JOURNAL_APPLIED_KEY } from './keys.ts';
import { Journal } from './storage/journal.ts';
import type { KvOp, KvStore } from './storage/kv.ts';

interface Pending<D> {
  ops: KvOp[];
  sync: boolean;
  dirty: readonly D[] | undefined;
  /** The journal frame holding this write; -1 when it was not journaled. */
  seq: number;
  /** The frame's ops: the write's and the partition states after it, which a group of this write alone commits too. */
  frame?: KvOp[];
  /** The frame's size in the journal. */
  frameBytes: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Writes larger than this skip the journal: their cost is the copy, not the wait. */
const JOURNAL_MAX_BYTES = 64 * 1024;
/**
 * The most journal bytes LevelDB may lag behind. Why a bound: while LevelDB was slow the journal
 * grew until it filled the disk, and recovering it needed as much again. Past the bound, writes go
 * through the store and wait for it, which slows producers instead.
 */
export const JOURNAL_MAX_LAG_BYTES = 32 * 1024 * 1024;
/**
 * How long (clock milliseconds) a journaled write waits before LevelDB is given it with whatever
 * was journaled meanwhile. Why wait: the write is durable once journaled, and handing it to LevelDB
 * at once put LevelDB's batch copy and a worker thread's wake-up before the producer's answer, for
 * every small produce (10,000 LevelDB writes a second for 10,000 one-record produces, where one
 * write a millisecond carries the same).
 */
export const JOURNAL_GROUP_MS = 1;
const ignore = () => undefined;

/**
 * The log's single writer. Writes reach the store in the order they were queued, which is what
 * keeps offsets contiguous after a crash: a later batch is never on disk without an earlier one.
 *
 * While one store write is in flight, the writes queued behind it are merged into the next one
 * (group commit), so many small appends share one LevelDB batch and, with `sync`, one fsync.
 */
export class WriteQueue<D = never> {
  readonly #store: KvStore;
  readonly #finish: ((dirty: Iterable<D>) => KvOp[]) | undefined;
  #pending: Pending<D>[] = [];
  #running = false;
  #failure: unknown;
  #journal: Journal | undefined;
  /** Writes queued or in flight that are not in the journal. */
  #unjournaled = 0;
  /** Writes ever queued, and ever written to the store: what {@link WriteQueue.flush} waits on. */
  #queued = 0;
  #written = 0;
  #flushes: { upTo: number; resolve: () => void; reject: (err: unknown) => void }[] = [];
  /** Bytes of journal frames LevelDB has not applied yet. */
  #journalLag = 0;
  readonly #clock: Clock;
  /** Set while journaled writes wait {@link JOURNAL_GROUP_MS} for LevelDB. */
  #groupTimer: TimerHandle | undefined;
  /** The last write queued that marked nothing dirty (a delete, a marker, a config): see {@link WriteQueue.flushFor}. */
  #barrier = 0;

  /**
   * `finish` turns the things a group of writes marked dirty into the ops that close the group.
   * The log uses it to write each touched partition's state once per group, not once per append:
   * in-memory state changes when a write is queued, so when a group is taken it holds exactly the
   * changes of the writes in it and those before. `clock` times the wait of journaled writes.
   */
  constructor(store: KvStore, finish?: (dirty: Iterable<D>) => KvOp[], clock: Clock = systemClock) {
    this.#store = store;
    this.#finish = finish;
    this.#clock = clock;
  }

  /** The error that stopped the queue, if one did; every later write fails with it. */
  get failure(): unknown {
    return this.#failure;
  }

  /** Journals the writes queued from now on that {@link WriteQueue.journal} takes. */
  attachJournal(journal: Journal): void {
    this.#journal = journal;
  }

  /** Closes the journal and deletes its files; call once everything is written. */
  closeJournal(): void {
    this.#journal?.close();
    this.#journal = undefined;
  }

  /** Bytes of journaled writes the store has not applied yet (at most {@link JOURNAL_MAX_LAG_BYTES} and one frame). */
  get journalLag(): number {
    return this.#journalLag;
  }

  /** True while queued writes have not reached the store: reads of the store must wait. */
  get unapplied(): boolean {
    return this.#written < this.#queued;
  }

  /** How many writes were ever queued: the number of the last one, for {@link WriteQueue.flushFor}. */
  get queued(): number {
    return this.#queued;
  }

  /** Queues a write; resolves once the store has it (with `sync`, on disk). */
  enqueue(ops: KvOp[], sync: boolean, dirty?: readonly D[]): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise<void>((resolve, reject) => {
      this.#unjournaled++;
      this.#queued++;
      if (dirty === undefined || dirty.length === 0) this.#barrier = this.#queued;
      this.#pending.push({ ops, sync, dirty, seq: -1, frameBytes: 0, resolve, reject });
      this.#drainNow();
    });
  }

  /**
   * Queues a write after putting it in the journal, and returns true: the write is then as
   * durable as a store write without `sync`, and the caller may treat it as written. Returns
   * false, with nothing queued, when the write must go through {@link WriteQueue.enqueue}: there
   * is no journal, the write is large, or an earlier write that is not in the journal is still
   * on its way (a journaled write must never survive a crash that loses one queued before it).
   * Throws when the journal cannot be written; the queue then stops, as for a store failure.
   */
  journal(ops: KvOp[], dirty: readonly D[]): boolean {
    const journal = this.#journal;
    if (journal === undefined || this.#unjournaled > 0) return false;
    if (this.#failure !== undefined) throw this.#failure;
    // One partition per append is the common case; the group's commit writes each one once anyway.
    const frame =
      dirty.length > 0 && this.#finish !== undefined
        ? ops.concat(this.#finish(dirty.length === 1 ? dirty : new Set(dirty)))
        : ops;
    const size = Journal.frameBytes(frame);
    if (size > JOURNAL_MAX_BYTES || this.#journalLag + size > JOURNAL_MAX_LAG_BYTES) return false;
    let seq: number;
    try {
      seq = journal.append(frame, size);
    } catch (err) {
      this.#fail(err);
      throw err;
    }
    this.#queued++;
    if (dirty.length === 0) this.#barrier = this.#queued;
    this.#journalLag += size;
    this.#pending.push({ ops, sync: false, dirty, seq, frame, frameBytes: size, resolve: ignore, reject: ignore });
    // Written by the store after the caller has answered, with the writes journaled meanwhile.
    if (!this.#running && this.#groupTimer === undefined)
      this.#groupTimer = this.#clock.setTimeout(this.#groupDue, JOURNAL_GROUP_MS);
    return true;
  }

  /**
   * Resolves once everything queued so far is written; journaled writes waiting for their group
   * go to the store at once. It queues nothing itself: a write behind a flush may still go through
   * the journal.
   */
  flush(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#written === this.#queued) return Promise.resolve();
    const flushed = new Promise<void>((resolve, reject) => this.#flushes.push({ upTo: this.#queued, resolve, reject }));
    this.#drainNow();
    return flushed;
  }

  readonly #groupDue = (): void => {
    this.#groupTimer = undefined;
    if (!this.#running) void this.#drain();
  };

  /** Starts writing what is queued, journaled writes waiting for their group included. */
  #drainNow(): void {
    if (this.#groupTimer !== undefined) {
      this.#clock.clearTimeout(this.#groupTimer);
      this.#groupTimer = undefined;
    }
    if (!this.#running) void this.#drain();
  }

  /**
   * Undefined when write number `upTo` (see {@link WriteQueue.queued}), the writes before it and
   * every write queued so far that marked nothing dirty are in the store; else resolves once they
   * are. Why: a reader of one partition waits for that partition's last write, not for the writes
   * of others (a consumer's offset commits, another partition's appends) queued after it. Writes
   * that mark nothing dirty may touch any partition's keys, so every reader waits for them.
   */
  flushFor(upTo: number): Promise<void> | undefined {
    if (this.#failure !== undefined) return undefined;
    const due = Math.max(upTo, this.#barrier);
    if (this.#written >= due) return undefined;
    const flushed = new Promise<void>((resolve, reject) => this.#flushes.push({ upTo: due, resolve, reject }));
    this.#drainNow();
    return flushed;
  }

  async #drain(): Promise<void> {
    this.#running = true;
    while (this.#pending.length > 0) {
      const group = this.#pending;
      this.#pending = [];
      const { ops, sync, seq } = this.#commitOps(group);
      let unjournaled = 0;
      for (const p of group) if (p.seq < 0) unjournaled++;
      try {
        if (ops.length > 0) await this.#store.write(ops, sync);
        if (seq >= 0) this.#journal?.applied(seq);
      } catch (err) {
        this.#fail(err, group);
        break;
      }
      this.#unjournaled -= unjournaled;
      this.#written += group.length;
      for (const p of group) this.#journalLag -= p.frameBytes;
      for (const p of group) p.resolve();
      if (this.#flushes.length > 0) {
        const due = this.#flushes.filter((f) => f.upTo <= this.#written);
        if (due.length > 0) {
          this.#flushes = this.#flushes.filter((f) => f.upTo > this.#written);
          for (const f of due) f.resolve();
        }
      }
    }
    this.#running = false;
  }

  /**
   * The ops of one group commit: its writes' ops, the partition states they changed (as they are
   * now, which is after the last of them), and the last journal frame it applies.
   */
  #commitOps(group: Pending<D>[]): { ops: KvOp[]; sync: boolean; seq: number } {
    const only = group.length === 1 ? group[0]! : undefined;
    if (only?.frame !== undefined) {
      // One journaled write, nothing queued after it: its frame holds exactly these ops.
      const ops = only.frame === only.ops ? [...only.ops] : only.frame;
      ops.push({ type: 'put', key: JOURNAL_APPLIED_KEY, value: encodeU64(only.seq) });
      return { ops, sync: false, seq: only.seq };
    }
    let ops: KvOp[] = only !== undefined ? only.ops : [];
    let sync = false;
    let seq = -1;
    const dirty = new Set<D>();
    for (const p of group) {
      if (only === undefined) for (const op of p.ops) ops.push(op);
      sync ||= p.sync;
      if (p.seq > seq) seq = p.seq;
      for (const d of p.dirty ?? []) dirty.add(d);
    }
    const finish = dirty.size > 0 ? this.#finish : undefined;
    if (finish !== undefined || seq >= 0) {
      if (only !== undefined) ops = [...ops];
      if (finish !== undefined) for (const op of finish(dirty)) ops.push(op);
      // Recovery applies the journal frames after this one, and only those.
      if (seq >= 0) ops.push({ type: 'put', key: JOURNAL_APPLIED_KEY, value: encodeU64(seq) });
    }
    return { ops, sync, seq };
  }

  /**
   * Offsets were handed out for the queued writes already; going on would leave a gap. The log
   * stops taking writes, as Kafka takes a failed log directory offline. Journaled writes stay in
   * the journal, and the next open applies them.
   */
  #fail(err: unknown, group: Pending<D>[] = []): void {
    this.#failure = err;
    if (this.#groupTimer !== undefined) {
      this.#clock.clearTimeout(this.#groupTimer);
      this.#groupTimer = undefined;
    }
    for (const p of group) p.reject(err);
    for (const p of this.#pending) p.reject(err);
    this.#pending = [];
    this.#unjournaled = 0;
    for (const f of this.#flushes) f.reject(err);
    this.#flushes = [];
  }
}
