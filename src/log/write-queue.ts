import type { KvOp, KvStore } from './storage/kv.ts';

interface Pending<D> {
  ops: KvOp[];
  sync: boolean;
  dirty: readonly D[] | undefined;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * The log's single writer. Writes reach the store in the order they were queued, which is what
 * keeps offsets contiguous after a crash: a later batch is never on disk without an earlier one.
 *
 * While one store write is in flight, the writes queued behind it are merged into the next one
 * (group commit), so many small appends share one LevelDB batch and, with `sync`, one fsync.
 */
export class WriteQueue<D = never> {
  readonly #store: KvStore;
  readonly #finish: ((dirty: Set<D>) => KvOp[]) | undefined;
  #pending: Pending<D>[] = [];
  #running = false;
  #failure: unknown;

  /**
   * `finish` turns the things a group of writes marked dirty into the ops that close the group.
   * The log uses it to write each touched partition's state once per group, not once per append:
   * in-memory state changes when a write is queued, so when a group is taken it holds exactly the
   * changes of the writes in it and those before.
   */
  constructor(store: KvStore, finish?: (dirty: Set<D>) => KvOp[]) {
    this.#store = store;
    this.#finish = finish;
  }

  /** The error that stopped the queue, if one did; every later write fails with it. */
  get failure(): unknown {
    return this.#failure;
  }

  enqueue(ops: KvOp[], sync: boolean, dirty?: readonly D[]): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ ops, sync, dirty, resolve, reject });
      if (!this.#running) void this.#drain();
    });
  }

  /** Resolves once everything queued so far is written. */
  async flush(): Promise<void> {
    await this.enqueue([], false);
  }

  async #drain(): Promise<void> {
    this.#running = true;
    while (this.#pending.length > 0) {
      const group = this.#pending;
      this.#pending = [];
      let ops: KvOp[];
      let sync = false;
      const dirty = new Set<D>();
      if (group.length === 1) {
        ops = group[0]!.ops;
        sync = group[0]!.sync;
        for (const d of group[0]!.dirty ?? []) dirty.add(d);
      } else {
        ops = [];
        for (const p of group) {
          for (const op of p.ops) ops.push(op);
          sync ||= p.sync;
          for (const d of p.dirty ?? []) dirty.add(d);
        }
      }
      if (dirty.size > 0 && this.#finish !== undefined) {
        if (group.length === 1) ops = [...ops];
        for (const op of this.#finish(dirty)) ops.push(op);
      }
      try {
        if (ops.length > 0) await this.#store.write(ops, sync);
      } catch (err) {
        // Offsets were handed out for these writes already; going on would leave a gap. The log
        // stops taking writes, as Kafka takes a failed log directory offline.
        this.#failure = err;
        for (const p of group) p.reject(err);
        for (const p of this.#pending) p.reject(err);
        this.#pending = [];
        break;
      }
      for (const p of group) p.resolve();
    }
    this.#running = false;
  }
}
