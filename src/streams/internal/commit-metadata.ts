/**
 * What a stream task commits beside each input offset, in Kafka Streams' layout
 * (`TopicPartitionMetadata`, `ProcessorMetadata`), so that a task restarted here or by Kafka
 * Streams itself picks up where the last one stopped:
 *
 *     metadata        => base64(version partition_time processor_metadata)
 *       version       => INT8 (2; 1 carries the partition time alone)
 *       partition_time => INT64 (the largest timestamp the task processed from the partition, -1: none)
 *       processor_metadata => [count (key_length key value) * count], absent when empty
 *         count, key_length => INT32
 *         key             => UTF-8 bytes
 *         value           => INT64
 *
 * The processor metadata is a small map of longs that processors keep across restarts: a windowed
 * aggregation that emits on window close keeps there, under its store's name, the close time of
 * its last emit, so that a restarted task does not emit a closed window a second time.
 */

/** The partition time of a partition that has not been read from (Kafka's `RecordQueue.UNKNOWN`). */
export const UNKNOWN_TIME = -1;

const VERSION = 2;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Kafka's `ProcessorMetadata`: longs by key, and whether a commit must carry them to every input. */
export class ProcessorMetadata {
  readonly #values: Map<string, number>;
  /** Set by {@link put} (or explicitly): the next commit writes the metadata to every input partition. */
  needsCommit = false;

  constructor(values: Iterable<[string, number]> = []) {
    this.#values = new Map(values);
  }

  get(key: string): number | undefined {
    return this.#values.get(key);
  }

  put(key: string, value: number): void {
    this.#values.set(key, value);
    this.needsCommit = true;
  }

  /** Takes each of `other`'s keys where it is missing here or larger there (the flag stays). */
  update(other: ProcessorMetadata | undefined): void {
    if (other === undefined) return;
    for (const [key, value] of other.#values) {
      const mine = this.#values.get(key);
      if (mine === undefined || mine < value) this.#values.set(key, value);
    }
  }

  get size(): number {
    return this.#values.size;
  }

  entries(): IterableIterator<[string, number]> {
    return this.#values.entries();
  }

  serialize(): Uint8Array {
    if (this.#values.size === 0) return new Uint8Array(0);
    const keys = [...this.#values.keys()].map((k) => Buffer.from(k, 'utf8'));
    const out = Buffer.alloc(4 + keys.reduce((n, k) => n + 4 + k.length + 8, 0));
    out.writeInt32BE(keys.length, 0);
    let at = 4;
    let i = 0;
    for (const value of this.#values.values()) {
      const key = keys[i++]!;
      out.writeInt32BE(key.length, at);
      out.set(key, at + 4);
      out.writeBigInt64BE(BigInt(value), at + 4 + key.length);
      at += 4 + key.length + 8;
    }
    return out;
  }

  /** Throws a RangeError on bytes that do not hold what their counts say. */
  static deserialize(bytes: Uint8Array | null | undefined): ProcessorMetadata {
    if (bytes === null || bytes === undefined || bytes.length === 0) return new ProcessorMetadata();
    const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const count = b.readInt32BE(0);
    if (count < 0) throw new RangeError(`processor metadata with ${count} entries`);
    const values: [string, number][] = [];
    let at = 4;
    for (let i = 0; i < count; i++) {
      const length = b.readInt32BE(at);
      if (length < 0 || at + 4 + length + 8 > b.length) throw new RangeError('processor metadata is truncated');
      values.push([b.toString('utf8', at + 4, at + 4 + length), Number(b.readBigInt64BE(at + 4 + length))]);
      at += 4 + length + 8;
    }
    return new ProcessorMetadata(values);
  }
}

export interface PartitionMetadata {
  partitionTime: number;
  processorMetadata: ProcessorMetadata;
}

/** Kafka's `TopicPartitionMetadata.encode`. */
export function encodePartitionMetadata(partitionTime: number, processorMetadata: ProcessorMetadata): string {
  const meta = processorMetadata.serialize();
  const out = Buffer.alloc(1 + 8 + meta.length);
  out.writeInt8(VERSION, 0);
  out.writeBigInt64BE(BigInt(partitionTime), 1);
  out.set(meta, 9);
  return out.toString('base64');
}

/**
 * Kafka's `TopicPartitionMetadata.decode`: what another writer left (an empty string, a version
 * from the future, text that is not this layout) reads as an unknown time and no processor
 * metadata, as Kafka reads it, rather than failing the task.
 */
export function decodePartitionMetadata(encoded: string | null | undefined): PartitionMetadata {
  const unknown = (): PartitionMetadata => ({
    partitionTime: UNKNOWN_TIME,
    processorMetadata: new ProcessorMetadata(),
  });
  if (encoded === null || encoded === undefined || encoded === '' || !BASE64.test(encoded)) return unknown();
  const b = Buffer.from(encoded, 'base64');
  // As Kafka's: a time read before the bytes ran out is kept.
  const out = unknown();
  try {
    const version = b.readInt8(0);
    if (version !== 1 && version !== VERSION) return out;
    out.partitionTime = Number(b.readBigInt64BE(1));
    if (version === VERSION && b.length > 9) out.processorMetadata = ProcessorMetadata.deserialize(b.subarray(9));
  } catch {
    // what was read so far stands
  }
  return out;
}
