import { type BatchHeader, readBatchHeader } from '../protocol/index.ts';
import { hasDeletePolicy } from './config.ts';
import type { MaintenancePort } from './maintenance-port.ts';
import {
  abortedTxnKey,
  batchKey,
  encodePartitionState,
  KIND_BATCH,
  KIND_TIME_INDEX,
  partitionRange,
  partitionStateKey,
  readU64,
  writeTimeKey,
} from './keys.ts';
import type { PartitionState } from './partition.ts';
import type { KvOp } from './storage/kv.ts';

export interface RetentionResult {
  batchesDeleted: number;
  bytesDeleted: number;
}

/**
 * Deletes whole batches from the head of a partition while they are older than `retention.ms`
 * (by their newest record, as Kafka judges a segment) or while the partition would still hold at
 * least `retention.bytes` without them. Advances the log start offset past what it deleted, in
 * the same atomic write.
 */
export async function enforceRetention(log: MaintenancePort, state: PartitionState): Promise<RetentionResult> {
  const config = state.topic.config;
  if (!hasDeletePolicy(config)) return { batchesDeleted: 0, bytesDeleted: 0 };
  const retentionMs = config['retention.ms'];
  const retentionBytes = config['retention.bytes'];
  const bySize = retentionBytes >= 0 && state.sizeBytes > retentionBytes;
  if (retentionMs < 0 && !bySize) return { batchesDeleted: 0, bytesDeleted: 0 };
  const cutoff = retentionMs < 0 ? Number.NEGATIVE_INFINITY : log.clock.now() - retentionMs;
  const { topicId } = state.topic;
  return deleteHead(
    log,
    state,
    async (header, size, deletedBytes) => {
      if (retentionBytes >= 0 && state.sizeBytes - deletedBytes - size >= retentionBytes) return true;
      if (retentionMs < 0) return false;
      if (header.maxTimestamp >= 0) return header.maxTimestamp < cutoff;
      // No record timestamps: judged by when the batch was written. One written before write
      // times were kept has none and stays; deleting it unseen would be the silent loss this fixes.
      const written = await readWriteTime(log, topicId, state.partition, header.baseOffset);
      return written !== undefined && written < cutoff;
    },
    state.logStartOffset,
  );
}

/**
 * Kafka's DeleteRecords: the log start offset moves to `beforeOffset` and the batches wholly
 * below it go. A batch holding `beforeOffset` stays; reads skip its records below the start.
 */
export async function deleteRecordsBefore(
  log: MaintenancePort,
  state: PartitionState,
  beforeOffset: number,
): Promise<RetentionResult> {
  if (beforeOffset <= state.logStartOffset) return { batchesDeleted: 0, bytesDeleted: 0 };
  return deleteHead(log, state, (header) => header.lastOffset < beforeOffset, beforeOffset);
}

/**
 * Deletes batches from the head while `expired` says so, and moves the log start offset past them
 * (and to at least `startAtLeast`), dropping the time-index entries and aborted-transaction spans
 * that no longer cover anything, all in one atomic write.
 */
async function deleteHead(
  log: MaintenancePort,
  state: PartitionState,
  expired: (header: BatchHeader, size: number, deletedBytes: number) => boolean | Promise<boolean>,
  startAtLeast: number,
): Promise<RetentionResult> {
  const result: RetentionResult = { batchesDeleted: 0, bytesDeleted: 0 };
  const { topicId } = state.topic;
  const { partition } = state;
  const topic = state.topic.name;

  const ops: KvOp[] = [];
  let newStart = Math.max(state.logStartOffset, startAtLeast);
  const it = log.iterate({
    gte: partitionRange(KIND_BATCH, topicId, partition).gte,
    lt: batchKey(topicId, partition, state.highWatermark),
  });
  try {
    scan: for (;;) {
      const entries = await it.nextv(8);
      if (entries.length === 0) break;
      for (const [key, value] of entries) {
        const header = readBatchHeader(value, { topic, partition });
        if (!(await expired(header, value.length, result.bytesDeleted))) break scan;
        ops.push({ type: 'del', key });
        if (header.maxTimestamp < 0)
          ops.push({ type: 'del', key: writeTimeKey(topicId, partition, header.baseOffset) });
        result.batchesDeleted++;
        result.bytesDeleted += value.length;
        newStart = Math.max(newStart, header.lastOffset + 1);
      }
    }
  } finally {
    await it.close();
  }
  if (newStart === state.logStartOffset) return result;

  // Keep the last time-index entry below the new start: it still covers the records after it.
  const index = log.iterate(partitionRange(KIND_TIME_INDEX, topicId, partition));
  try {
    let previous: Uint8Array | undefined;
    scan: for (;;) {
      const entries = await index.nextv(64);
      if (entries.length === 0) break;
      for (const [key, value] of entries) {
        if (readU64(value, 0) > newStart) break scan;
        if (previous !== undefined) ops.push({ type: 'del', key: previous });
        previous = key;
      }
    }
  } finally {
    await index.close();
  }

  // Aborted transactions wholly below the log start no longer hide anything.
  for (const [producerId, spans] of state.aborted) {
    const keep = spans.filter((span) => span.lastOffset >= newStart);
    for (const span of spans)
      if (span.lastOffset < newStart)
        ops.push({ type: 'del', key: abortedTxnKey(topicId, partition, span.lastOffset) });
    if (keep.length === 0) state.abortedToWrite().delete(producerId);
    else state.abortedToWrite().set(producerId, keep);
  }

  state.logStartOffset = newStart;
  state.sizeBytes -= result.bytesDeleted;
  state.dirtyBytes = Math.min(state.dirtyBytes, state.sizeBytes);
  state.cleanedUpTo = Math.max(state.cleanedUpTo, newStart);
  ops.push({ type: 'put', key: partitionStateKey(topicId, partition), value: encodePartitionState(state) });
  await log.enqueueWrite(ops);
  state.dropTail();
  return result;
}

async function readWriteTime(
  log: MaintenancePort,
  topicId: number,
  partition: number,
  baseOffset: number,
): Promise<number | undefined> {
  const key = writeTimeKey(topicId, partition, baseOffset);
  const it = log.iterate({ gte: key, lte: key, limit: 1 });
  const [entry] = await it.nextv(1).finally(() => it.close());
  return entry === undefined ? undefined : readU64(entry[1], 0);
}
