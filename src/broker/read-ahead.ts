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
  /** Whether the range after this one is read once this one is. */
  chained: boolean;
  /** Set when a fetch took it. */
  taken: boolean;
}

type Key = { topicId: number; topic: string; partition: number; offset: number; isolation: IsolationLevel };

export class ReadAhead {
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;
  /** Set by {@link ReadAhead.clear}: the log is closing, and nothing more is read. */
  #closed = false;

  /**
   * Starts reading `[offset, …)` unless it is being read already, and, once that read is done,
   * the range after it (below the high watermark, or the last stable offset): two ranges ahead of
   * the consumer, so that one slow read (a store read waits for a worker thread, which a busy
   * machine may not give it at once) does not hold up its next fetch.
   */
  start(log: LogBackend, key: Key, maxBytes: number): void {
    const id = entryKey(key.topicId, key.partition, key.offset, key.isolation);
    const existing = this.#entries.get(id);
    if (existing !== undefined) {
      if (!existing.chained) this.#chain(log, key, existing, id);
      return;
    }
    const entry = this.#read(log, key, maxBytes, id);
    if (entry !== undefined) this.#chain(log, key, entry, id);
  }

  #read(log: LogBackend, key: Key, maxBytes: number, id: string): Entry | undefined {
    if (maxBytes <= 0 || this.#closed) return undefined;
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
      return undefined;
    }
    const entry: Entry = { batches, maxBytes, chained: false, taken: false };
    this.#entries.set(id, entry);
    this.#bytes += maxBytes;
    return entry;
  }

  /** Once `entry` is read, reads the range after it, if the partition holds more and it was not dropped unread. */
  #chain(log: LogBackend, key: Key, entry: Entry, id: string): void {
    entry.chained = true;
    void entry.batches.then((batches) => {
      if (this.#closed || batches === undefined || batches.length === 0) return;
      // Dropped unread to make room: the bounds chose, and the range after it is not wanted either.
      if (!entry.taken && this.#entries.get(id) !== entry) return;
      const offset = batches[batches.length - 1]!.lastOffset + 1;
      let offsets: ReturnType<LogBackend['offsets']>;
      try {
        offsets = log.offsets(key.topic, key.partition);
      } catch {
        return;
      }
      const bound = key.isolation === 'read_committed' ? offsets.lastStableOffset : offsets.highWatermark;
      if (offset >= bound) return;
      const nextId = entryKey(key.topicId, key.partition, offset, key.isolation);
      if (!this.#entries.has(nextId)) this.#read(log, { ...key, offset }, entry.maxBytes, nextId);
    });
  }

  /**
   * The batches read ahead for this offset, trimmed to `maxBytes` as a read would (the first batch
   * always), or undefined when there are none to use.
   */
  take(log: LogBackend, key: Key, maxBytes: number): Promise<RawBatch[] | undefined> | undefined {
    const id = entryKey(key.topicId, key.partition, key.offset, key.isolation);
    const entry = this.#entries.get(id);
    // Nothing read ahead (a consumer at the tail): answered at once, without a promise.
    if (entry === undefined) return undefined;
    entry.taken = true;
    this.#drop(id, entry);
    return trimmed(log, key, entry, maxBytes);
  }

  /** Forgets everything and reads nothing more, once the reads in flight are done (the broker closes its log after). */
  async clear(): Promise<void> {
    this.#closed = true;
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

async function trimmed(log: LogBackend, key: Key, entry: Entry, maxBytes: number): Promise<RawBatch[] | undefined> {
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

function entryKey(topicId: number, partition: number, offset: number, isolation: IsolationLevel): string {
  return `${topicId}/${partition}/${offset}/${isolation === 'read_committed' ? 'c' : 'u'}`;
}
