import type { Bytes, BytesEntry, BytesStore } from './bytes.ts';

/** Where a change-logging layer sends what it writes. */
export type ChangelogSink = (key: Uint8Array, value: Uint8Array | null, timestamp: number) => void;

/**
 * Change-logging layer: every write to the inner store is also sent to the store's changelog
 * topic (keyed by the same bytes) through the task's record collector, so it commits with the
 * task's outputs and input offsets.
 */
export class ChangeLoggingBytesStore implements BytesStore {
  readonly #inner: BytesStore;
  readonly #sink: ChangelogSink;
  readonly #timestamp: () => number;

  constructor(inner: BytesStore, sink: ChangelogSink, timestamp: () => number) {
    this.#inner = inner;
    this.#sink = sink;
    this.#timestamp = timestamp;
  }

  get name(): string {
    return this.#inner.name;
  }

  get persistent(): boolean {
    return this.#inner.persistent;
  }

  get(key: Bytes): Uint8Array | null {
    return this.#inner.get(key);
  }

  put(key: Bytes, value: Uint8Array | null): void {
    this.#inner.put(key, value);
    this.#sink(key.bytes, value, this.#timestamp());
  }

  range(from: Bytes | null, to: Bytes | null): BytesEntry[] {
    return this.#inner.range(from, to);
  }

  approximateNumEntries(): number {
    return this.#inner.approximateNumEntries();
  }

  flush(): void {
    this.#inner.flush();
  }

  close(): void | Promise<void> {
    return this.#inner.close();
  }
}
