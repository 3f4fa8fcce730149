import type { TopicConfig } from './config.ts';
import type { StoredPartitionState } from './keys.ts';

/** A topic as the engine holds it in memory. */
export interface TopicState {
  name: string;
  topicId: number;
  overrides: Partial<TopicConfig>;
  config: TopicConfig;
  partitions: PartitionState[];
  deleted: boolean;
}

interface Waiter {
  offset: number;
  resolve: () => void;
}

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
  #waiters: Waiter[] = [];
  /** Serialises retention, compaction and deletion of this partition. */
  #maintenance: Promise<unknown> = Promise.resolve();

  constructor(topic: TopicState, partition: number, stored: StoredPartitionState, maxTimestamp: number) {
    this.topic = topic;
    this.partition = partition;
    this.logStartOffset = stored.logStartOffset;
    this.nextOffset = stored.nextOffset;
    this.highWatermark = stored.nextOffset;
    this.sizeBytes = stored.sizeBytes;
    this.cleanedUpTo = stored.cleanedUpTo;
    this.dirtyBytes = stored.dirtyBytes;
    this.maxTimestamp = maxTimestamp;
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

  /** Makes offsets below `highWatermark` visible and wakes the readers waiting for them. */
  advance(highWatermark: number): void {
    if (highWatermark <= this.highWatermark) return;
    this.highWatermark = highWatermark;
    if (this.#waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of this.#waiters) {
      if (w.offset < highWatermark) w.resolve();
      else still.push(w);
    }
    this.#waiters = still;
  }

  waitFor(offset: number, signal?: AbortSignal): Promise<void> {
    if (offset < this.highWatermark || this.topic.deleted || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waiter: Waiter = { offset, resolve };
      this.#waiters.push(waiter);
      signal?.addEventListener(
        'abort',
        () => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          resolve();
        },
        { once: true },
      );
    });
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
