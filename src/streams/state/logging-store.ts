import { type Bytes, type BytesStore, ForwardingBytesStore } from './bytes.ts';

/** Where a change-logging layer sends what it writes. */
export type ChangelogSink = (key: Uint8Array, value: Uint8Array | null, timestamp: number) => void;

/**
 * Change-logging layer: every write to the inner store is also sent to the store's changelog
 * topic (keyed by the same bytes) through the task's record collector, so it commits with the
 * task's outputs and input offsets.
 */
export class ChangeLoggingBytesStore extends ForwardingBytesStore {
  /** Where the writes go. */
  protected readonly sink: ChangelogSink;
  /** The task's time, which a record without a timestamp of its own is stamped with. */
  protected readonly timestamp: () => number;

  constructor(inner: BytesStore, sink: ChangelogSink, timestamp: () => number) {
    super(inner);
    this.sink = sink;
    this.timestamp = timestamp;
  }

  override put(key: Bytes, value: Uint8Array | null): void {
    this.inner.put(key, value);
    this.sink(key.passingBytes, value, this.timestamp());
  }
}
