/**
 * Fetch's read-ahead: once a Fetch is answered with records and the partition holds more past
 * them, the next range is read from the log at once, while the answer travels and the client
 * works through it. A consumer that is behind asks for exactly that offset next, and finds its
 * batches read (what the page cache's read-ahead gives Kafka's sendfile). Entries are taken once;
 * they are bounded in number and in the bytes they may hold, the oldest dropped first.
 *
 * What is read stays right to serve later: stored batches below the high watermark (or the last
 * stable offset) do not change, except that retention or DeleteRecords may move the log start
 * past them, which {@link ReadAhead.take} checks, and that compaction may rewrite them, which a
 * reader racing the cleaner can see on Kafka too. Keys carry the log's topic id, which is never
 * reused, so a topic deleted and created again under its name never gets the old one's batches.
 */
import type { IsolationLevel, LogBackend, RawBatch } from '../log/index.ts';

/** The most read-ahead entries kept, and the most bytes they may ask for together. */
const MAX_ENTRIES = 256;
const MAX_BYTES = 64 * 1024 * 1024;

interface Entry {
  batches: Promise<RawBatch[] | undefined>;
  maxBytes: number;
}

export class ReadAhead {
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;

  /** Starts reading `[offset, …)` unless it is being read already. */
  start(
    log: LogBackend,
    key: { topicId: number; topic: string; partition: number; offset: number; isolation: IsolationLevel },
    maxBytes: number,
  ): void {
    const id = entryKey(key.topicId, key.partition, key.offset, key.isolation);
    if (this.#entries.has(id) || maxBytes <= 0) return;
    while (this.#entries.size >= MAX_ENTRIES || (this.#entries.size > 0 && this.#bytes + maxBytes > MAX_BYTES)) {
      const [oldest, entry] = this.#entries.entries().next().value as [string, Entry];
      this.#drop(oldest, entry);
    }
    let batches: Promise<RawBatch[] | undefined>;
    try {
      batches = log
        .readBatches(key.topic, key.partition, key.offset, { isolation: key.isolation, maxBytes })
        .catch(() => undefined);
    } catch {
      return;
    }
    this.#entries.set(id, { batches, maxBytes });
    this.#bytes += maxBytes;
  }

  /**
   * The batches read ahead for this offset, trimmed to `maxBytes` as a read would (the first batch
   * always), or undefined when there are none to use.
   */
  async take(
    log: LogBackend,
    key: { topicId: number; topic: string; partition: number; offset: number; isolation: IsolationLevel },
    maxBytes: number,
  ): Promise<RawBatch[] | undefined> {
    const id = entryKey(key.topicId, key.partition, key.offset, key.isolation);
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    this.#drop(id, entry);
    const batches = await entry.batches;
    if (batches === undefined || batches.length === 0) return undefined;
    // Checked after the wait: retention or DeleteRecords may have moved the log start meanwhile.
    if (key.offset < log.offsets(key.topic, key.partition).logStartOffset) return undefined;
    let bytes = 0;
    for (let i = 0; i < batches.length; i++) {
      bytes += batches[i]!.bytes.length;
      if (bytes >= maxBytes) return batches.slice(0, i + 1);
    }
    return batches;
  }

  /** Forgets everything, once the reads in flight are done (the broker closes its log after). */
  async clear(): Promise<void> {
    const reads = [...this.#entries.values()].map((e) => e.batches);
    this.#entries.clear();
    this.#bytes = 0;
    await Promise.all(reads);
  }

  #drop(id: string, entry: Entry): void {
    this.#entries.delete(id);
    this.#bytes -= entry.maxBytes;
  }
}

function entryKey(topicId: number, partition: number, offset: number, isolation: IsolationLevel): string {
  return `${topicId}/${partition}/${offset}/${isolation === 'read_committed' ? 'c' : 'u'}`;
}
