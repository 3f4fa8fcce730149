import { crc32c } from '../protocol/crc32c.ts';

/**
 * The layout of the log's keys. Every key starts with a one-byte kind; numbers are big-endian so
 * that LevelDB's bytewise order is numeric order and a partition's batches sort in offset order.
 *
 *   0x01 name (UTF-8)                        → topic metadata (JSON)
 *   0x02 topicId                             → marker: a deleted topic whose data is still being cleared
 *   0x10 topicId partition baseOffset        → one RecordBatch v2
 *   0x11 topicId partition maxTimestamp      → the base offset of the first batch whose records reach it
 *   0x12 topicId partition                   → partition state (log start, next offset, size, cleaned up to)
 *   0x13 topicId partition producerId        → producer state (epoch, recent sequences, open transaction)
 *   0x14 topicId partition markerOffset      → an aborted transaction's span (producer id, first offset)
 *   0x15 topicId partition baseOffset        → when a batch whose records carry no timestamp (-1) was written
 *   0x20                                     → the next topic id
 *   0x21                                     → the next producer id
 *   0x22 transactionalId (UTF-8)             → its producer id, epoch and timeout
 *   0x23 producerId                          → an open transaction (epoch, start time, partitions)
 *   0x24                                     → the last journal frame applied (see storage/journal.ts)
 */
export const KIND_TOPIC = 0x01;
export const KIND_DELETED_TOPIC = 0x02;
export const KIND_BATCH = 0x10;
export const KIND_TIME_INDEX = 0x11;
export const KIND_PARTITION_STATE = 0x12;
export const KIND_PRODUCER_STATE = 0x13;
export const KIND_ABORTED_TXN = 0x14;
export const KIND_WRITE_TIME = 0x15;
export const KIND_NEXT_TOPIC_ID = 0x20;
export const KIND_NEXT_PRODUCER_ID = 0x21;
export const KIND_TRANSACTIONAL_ID = 0x22;
export const KIND_OPEN_TXN = 0x23;
export const KIND_JOURNAL_APPLIED = 0x24;

const TWO_32 = 0x1_0000_0000;

/** Writes `value` as 4 big-endian bytes (no DataView: keys are made for every append). */
function writeU32(buf: Uint8Array, at: number, value: number): void {
  buf[at] = value >>> 24;
  buf[at + 1] = value >>> 16;
  buf[at + 2] = value >>> 8;
  buf[at + 3] = value;
}

function writeU64(buf: Uint8Array, at: number, value: number): void {
  writeU32(buf, at, Math.floor(value / TWO_32));
  writeU32(buf, at + 4, value >>> 0);
}

export function readU64(buf: Uint8Array, at: number): number {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return view.getUint32(at) * TWO_32 + view.getUint32(at + 4);
}

function partitionKey(kind: number, topicId: number, partition: number, extra: number): Uint8Array {
  const key = new Uint8Array(9 + extra);
  key[0] = kind;
  writeU32(key, 1, topicId);
  writeU32(key, 5, partition);
  return key;
}

export function batchKey(topicId: number, partition: number, baseOffset: number): Uint8Array {
  const key = partitionKey(KIND_BATCH, topicId, partition, 8);
  writeU64(key, 9, baseOffset);
  return key;
}

/** The base offset stored in a batch key. */
export function batchKeyOffset(key: Uint8Array): number {
  return readU64(key, 9);
}

export function timeIndexKey(topicId: number, partition: number, timestamp: number): Uint8Array {
  const key = partitionKey(KIND_TIME_INDEX, topicId, partition, 8);
  // Timestamps before 1970 are clamped: the index only needs to be monotonic.
  writeU64(key, 9, Math.max(0, timestamp));
  return key;
}

export function timeIndexKeyTimestamp(key: Uint8Array): number {
  return readU64(key, 9);
}

/**
 * The write time of a batch without record timestamps. Why: retention judges a batch by its newest
 * timestamp, and Kafka, for data without one, by when it was written (its segment file's time);
 * without this such batches went at the first retention run, whatever `retention.ms` said.
 */
export function writeTimeKey(topicId: number, partition: number, baseOffset: number): Uint8Array {
  const key = partitionKey(KIND_WRITE_TIME, topicId, partition, 8);
  writeU64(key, 9, baseOffset);
  return key;
}

export function partitionStateKey(topicId: number, partition: number): Uint8Array {
  return partitionKey(KIND_PARTITION_STATE, topicId, partition, 0);
}

export function producerStateKey(topicId: number, partition: number, producerId: number): Uint8Array {
  const key = partitionKey(KIND_PRODUCER_STATE, topicId, partition, 8);
  writeU64(key, 9, producerId);
  return key;
}

/** The first and past-the-last keys of one kind for a partition: [gte, lt). */
export function partitionRange(kind: number, topicId: number, partition: number): { gte: Uint8Array; lt: Uint8Array } {
  const gte = partitionKey(kind, topicId, partition, 0);
  const lt = partitionKey(kind, topicId, partition + 1, 0);
  return { gte, lt };
}

/** Every key of one kind for a topic: [gte, lt). */
export function topicRange(kind: number, topicId: number): { gte: Uint8Array; lt: Uint8Array } {
  const gte = new Uint8Array(5);
  const lt = new Uint8Array(5);
  gte[0] = kind;
  lt[0] = kind;
  new DataView(gte.buffer).setUint32(1, topicId);
  new DataView(lt.buffer).setUint32(1, topicId + 1);
  return { gte, lt };
}

const encoder = new TextEncoder();

export function topicKey(name: string): Uint8Array {
  const bytes = encoder.encode(name);
  const key = new Uint8Array(bytes.length + 1);
  key[0] = KIND_TOPIC;
  key.set(bytes, 1);
  return key;
}

export function deletedTopicKey(topicId: number): Uint8Array {
  const key = new Uint8Array(5);
  key[0] = KIND_DELETED_TOPIC;
  new DataView(key.buffer).setUint32(1, topicId);
  return key;
}

export const NEXT_TOPIC_ID_KEY = Uint8Array.of(KIND_NEXT_TOPIC_ID);
export const NEXT_PRODUCER_ID_KEY = Uint8Array.of(KIND_NEXT_PRODUCER_ID);
export const JOURNAL_APPLIED_KEY = Uint8Array.of(KIND_JOURNAL_APPLIED);

export function abortedTxnKey(topicId: number, partition: number, markerOffset: number): Uint8Array {
  const key = partitionKey(KIND_ABORTED_TXN, topicId, partition, 8);
  writeU64(key, 9, markerOffset);
  return key;
}

export function transactionalIdKey(transactionalId: string): Uint8Array {
  const bytes = encoder.encode(transactionalId);
  const key = new Uint8Array(bytes.length + 1);
  key[0] = KIND_TRANSACTIONAL_ID;
  key.set(bytes, 1);
  return key;
}

export function openTxnKey(producerId: number): Uint8Array {
  const key = new Uint8Array(9);
  key[0] = KIND_OPEN_TXN;
  writeU64(key, 1, producerId);
  return key;
}

/** The topic id, partition and trailing number of a partition-scoped key (batch, index, producer…). */
export function parsePartitionKey(key: Uint8Array): { topicId: number; partition: number; value: number } {
  const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
  return { topicId: view.getUint32(1), partition: view.getUint32(5), value: key.length >= 17 ? readU64(key, 9) : 0 };
}

/** [gte, lt) of every key of one kind. */
export function kindRange(kind: number): { gte: Uint8Array; lt: Uint8Array } {
  return { gte: Uint8Array.of(kind), lt: Uint8Array.of(kind + 1) };
}

/**
 * Partition state, 44 bytes: log start, next offset, size in bytes, compacted up to, dirty bytes,
 * and a CRC32C of those 40 bytes. Why a checksum: one flipped bit in the next offset made appends
 * reuse offsets or invent them; a damaged state is now refused at open. (40-byte states, written
 * before the checksum, are read without one.)
 */
export interface StoredPartitionState {
  logStartOffset: number;
  nextOffset: number;
  sizeBytes: number;
  /** Offsets below this were compacted at least once. */
  cleanedUpTo: number;
  /** Bytes appended at or past `cleanedUpTo`. */
  dirtyBytes: number;
}

export function encodePartitionState(state: StoredPartitionState): Uint8Array {
  // From Buffer's pool: every group commit writes one per partition it touched.
  const out = Buffer.allocUnsafe(PARTITION_STATE_BYTES);
  writeU64(out, 0, state.logStartOffset);
  writeU64(out, 8, state.nextOffset);
  writeU64(out, 16, state.sizeBytes);
  writeU64(out, 24, state.cleanedUpTo);
  writeU64(out, 32, state.dirtyBytes);
  writeU32(out, 40, crc32c(out.subarray(0, 40)));
  return out;
}

const PARTITION_STATE_BYTES = 44;

/** Decodes a stored partition state; undefined when its length or checksum says it is damaged. */
export function decodePartitionState(bytes: Uint8Array): StoredPartitionState | undefined {
  if (bytes.length === PARTITION_STATE_BYTES) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (crc32c(bytes.subarray(0, 40)) !== view.getUint32(40)) return undefined;
  } else if (bytes.length !== 40) {
    return undefined;
  }
  return {
    logStartOffset: readU64(bytes, 0),
    nextOffset: readU64(bytes, 8),
    sizeBytes: readU64(bytes, 16),
    cleanedUpTo: readU64(bytes, 24),
    dirtyBytes: readU64(bytes, 32),
  };
}

export function encodeU64(value: number): Uint8Array {
  const out = new Uint8Array(8);
  writeU64(out, 0, value);
  return out;
}
