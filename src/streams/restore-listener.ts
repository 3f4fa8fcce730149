/**
 * Kafka Streams' `StateRestoreListener` (`KafkaStreams.setGlobalStateRestoreListener`): told when a
 * store starts restoring a changelog partition, after each batch it restored, and when it is done.
 * A task's store restores from its changelog before the task processes anything; a global store
 * loads its topic when the app starts. A partition with nothing to restore is not reported, as
 * Kafka reports only the changelogs it restores. An error a callback throws fails the restore.
 *
 * @example
 * streams.setGlobalStateRestoreListener({
 *   onRestoreStart: (tp, store, from, to) => console.log(`${store}: restoring ${tp.topic}-${tp.partition} ${from}..${to}`),
 *   onRestoreEnd: (tp, store, total) => console.log(`${store}: ${total} records restored`),
 * });
 */
export interface StateRestoreListener {
  /** Restoring `storeName` from `topicPartition` begins at `startingOffset`, up to `endingOffset` (exclusive). */
  onRestoreStart?(
    topicPartition: { topic: string; partition: number },
    storeName: string,
    startingOffset: number,
    endingOffset: number,
  ): void;
  /** A batch was restored: `numRestored` records, the last at `batchEndOffset`. */
  onBatchRestored?(
    topicPartition: { topic: string; partition: number },
    storeName: string,
    batchEndOffset: number,
    numRestored: number,
  ): void;
  /** The store is restored from this partition: `totalRestored` records in all. */
  onRestoreEnd?(topicPartition: { topic: string; partition: number }, storeName: string, totalRestored: number): void;
}

/**
 * One partition's restore as the listener hears of it: `start` only when there is something to
 * restore, then a `batch` per read, then `end`. Without a listener every call does nothing.
 */
export class RestoreProgress {
  readonly #listener: StateRestoreListener | undefined;
  readonly #topicPartition: { topic: string; partition: number };
  readonly #storeName: string;
  #started = false;
  #total = 0;

  constructor(listener: StateRestoreListener | undefined, topic: string, partition: number, storeName: string) {
    this.#listener = listener;
    this.#topicPartition = { topic, partition };
    this.#storeName = storeName;
  }

  start(from: number, to: number): void {
    if (from >= to) return;
    this.#started = true;
    this.#listener?.onRestoreStart?.(this.#topicPartition, this.#storeName, from, to);
  }

  batch(lastOffset: number, restored: number): void {
    this.#total += restored;
    this.#listener?.onBatchRestored?.(this.#topicPartition, this.#storeName, lastOffset, restored);
  }

  end(): void {
    if (this.#started) this.#listener?.onRestoreEnd?.(this.#topicPartition, this.#storeName, this.#total);
  }
}
