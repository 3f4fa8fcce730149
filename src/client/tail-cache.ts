import type { AppendRecord, AppendResult, LogRecord } from '../log/index.ts';

const MAX_RECORDS = 4_096;
const MAX_BYTES = 4 * 1024 * 1024;

interface Window {
  start: number;
  records: LogRecord[];
  bytes: number;
}

/**
 * The newest records each partition received from this Tributary's producers, kept as they were
 * appended, so that consumers at the tail of a partition get them without reading them back from
 * LevelDB (a broker serves tail reads from the page cache for the same reason). Only plain,
 * non-transactional appends enter it; any other write (markers, transactions, other writers)
 * leaves an offset gap that resets the window, so what it serves is always the log's own records
 * at the log's own offsets. Consumers still take the high watermark (or last stable offset) from
 * the log and never read past it.
 */
export class TailCache {
  readonly #windows = new Map<string, Window>();

  /**
   * Copies the keys and values of records about to be written, into one buffer: the caller may
   * change its buffers as soon as the send resolves (or, against the rules, before), and what the
   * cache serves must be what the log encoded when the write was issued.
   */
  static snapshot(records: readonly AppendRecord[]): AppendRecord[] {
    let size = 0;
    for (const r of records) size += (r.key?.length ?? 0) + (r.value?.length ?? 0);
    const bytes = Buffer.allocUnsafe(size);
    const out: AppendRecord[] = new Array(records.length);
    let at = 0;
    const copy = (b: Uint8Array | null): Buffer | null => {
      if (b === null) return null;
      bytes.set(b, at);
      const view = bytes.subarray(at, at + b.length);
      at += b.length;
      return view;
    };
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      out[i] = { key: copy(r.key), value: copy(r.value), timestamp: r.timestamp, headers: r.headers };
    }
    return out;
  }

  /** Adds records just written ({@link TailCache.snapshot}s of them): one append's records and where they landed. */
  add(result: AppendResult, records: AppendRecord[]): void {
    const key = `${result.topic}\u0000${result.partition}`;
    let window = this.#windows.get(key);
    const base = result.baseOffset;
    if (window === undefined || window.start + window.records.length !== base) {
      window = { start: base, records: [], bytes: 0 };
      this.#windows.set(key, window);
    }
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      window.records.push({
        offset: base + i,
        timestamp: r.timestamp ?? result.logAppendTime,
        key: r.key,
        value: r.value,
        headers: r.headers ?? [],
      });
      window.bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0) + 64;
    }
    if (window.records.length > MAX_RECORDS || window.bytes > MAX_BYTES) {
      const drop = Math.max(window.records.length - MAX_RECORDS, Math.ceil(window.records.length / 4));
      for (let i = 0; i < drop; i++) window.bytes -= (window.records[i]!.key?.length ?? 0) + (window.records[i]!.value?.length ?? 0) + 64;
      window.records.splice(0, drop);
      window.start += drop;
    }
  }

  /** Records from `offset` up to (not including) `end`, at most `max`; undefined when not cached. */
  read(topic: string, partition: number, offset: number, end: number, max: number): LogRecord[] | undefined {
    const window = this.#windows.get(`${topic}\u0000${partition}`);
    if (window === undefined || offset < window.start || offset >= window.start + window.records.length || offset >= end) return undefined;
    const from = offset - window.start;
    const to = Math.min(window.records.length, end - window.start, from + max);
    return window.records.slice(from, to);
  }

  /** True when the window of the partition ends right at `offset`: its next records are on their way in. */
  endsAt(topic: string, partition: number, offset: number): boolean {
    const window = this.#windows.get(`${topic}\u0000${partition}`);
    return window !== undefined && window.start + window.records.length === offset;
  }

  /** Forgets a topic (deleted) or everything. */
  forget(topic?: string): void {
    if (topic === undefined) {
      this.#windows.clear();
      return;
    }
    for (const key of this.#windows.keys()) if (key.startsWith(`${topic}\u0000`)) this.#windows.delete(key);
  }
}
