import { decodeRecordBatch, encodeRecordBatch, type RecordInput, readBatchHeader } from '../protocol/index.ts';
import { isCompacted } from './config.ts';
import type { MaintenancePort } from './maintenance-port.ts';
import {
  abortedTxnKey,
  batchKey,
  encodePartitionState,
  KIND_BATCH,
  partitionRange,
  partitionStateKey,
  writeTimeKey,
} from './keys.ts';
import type { PartitionState } from './partition.ts';
import { isAborted } from './producers.ts';
import type { KvOp } from './storage/kv.ts';

export interface CompactionResult {
  recordsRemoved: number;
  batchesRewritten: number;
}

/** Bytes of rewritten batches per store write: small enough that appends wait only briefly. */
const CHUNK_BYTES = 1024 * 1024;

/** What one entry of the key map is counted as, beside its key's bytes: a Map entry and a string header. */
const MAP_ENTRY_BYTES = 64;

/** A key as a map key: latin1 maps each byte to one character, so distinct keys stay distinct. */
function keyString(key: Uint8Array): string {
  return (Buffer.isBuffer(key) ? key : Buffer.from(key.buffer, key.byteOffset, key.byteLength)).toString('latin1');
}

/**
 * Kafka's log compaction on one partition: keep the latest record per key, with offsets
 * unchanged. The newest batch (Kafka's active segment) is never rewritten, and records younger
 * than `min.compaction.lag.ms` neither go nor make older records go. A tombstone removes every earlier record of its key at
 * once; the tombstone itself is stamped with a delete horizon (`delete.retention.ms` from now, in
 * the batch header as Kafka does since KIP-534) and removed by the first compaction after it.
 *
 * As Kafka's cleaner does, the map of latest offsets is built from the dirty part only (from
 * `cleanedUpTo`, where the last compaction ended: everything before it already holds each key
 * once) and is bounded by `compactionMapBytes`; when it fills, this compaction ends where it filled
 * and the next goes on from there. A record is dropped only for a later record of its key that is
 * in the map.
 *
 * Records of aborted transactions go; nothing at or past the last stable offset is touched.
 * Batches are rewritten in offset order, each write atomic, so a crash leaves every batch either
 * old or new and never a record that an older one was dropped for.
 */
export async function compactPartition(
  log: MaintenancePort,
  state: PartitionState,
  force: boolean,
): Promise<CompactionResult | undefined> {
  const config = state.topic.config;
  if (!isCompacted(config)) return undefined;
  const now = log.clock.now();
  const { topicId, name: topic } = state.topic;
  const { partition } = state;
  const context = { topic, partition };
  const start = partitionRange(KIND_BATCH, topicId, partition).gte;
  if (!force && !(await due(log, state, now))) return undefined;
  // Kafka applies the lag only when it is above 0: with 0, a record stamped in the future must not
  // hold back the compaction of everything after it.
  const minLag = config['min.compaction.lag.ms'];
  const lagCutoff = minLag > 0 ? now - minLag : Number.POSITIVE_INFINITY;

  // The newest batch is never rewritten: it is where appends land, as Kafka's active segment. Its
  // records still count as the latest of their keys, so what they replace can go now.
  const lastIt = log.iterate({
    gte: start,
    lt: batchKey(topicId, partition, state.highWatermark),
    reverse: true,
    limit: 1,
  });
  const [last] = await lastIt.nextv(1).finally(() => lastIt.close());
  if (last === undefined) return undefined;
  const lastBase = readBatchHeader(last[1], context).baseOffset;
  let end = lastBase;

  // Pass 1: the latest offset of every key of the dirty part, up to the first batch younger than
  // the lag or the first that does not fit in the map.
  const latest = new Map<string, number>();
  let mapBytes = 0;
  const dirtyStart = state.cleanedUpTo > 0 ? batchKey(topicId, partition, state.cleanedUpTo) : start;
  const mapIt = log.iterate({ gte: dirtyStart, lte: last[0] });
  try {
    scan: for (;;) {
      const entries = await mapIt.nextv(4);
      if (entries.length === 0) break;
      for (const [, value] of entries) {
        const header = readBatchHeader(value, context);
        // Open transactions are undecided: nothing from the last stable offset on is compacted.
        if (header.maxTimestamp > lagCutoff || header.lastOffset >= state.lastStableOffset) {
          end = Math.min(end, header.baseOffset);
          break scan;
        }
        if (mapBytes >= log.compactionMapBytes) {
          end = Math.min(end, header.baseOffset);
          break scan;
        }
        if (header.isControl || (header.isTransactional && isAborted(state, header.producerId, header.baseOffset)))
          continue;
        for (const r of decodeRecordBatch(value, { context }).records) {
          if (r.key === null) continue;
          const k = keyString(r.key);
          const size = latest.size;
          latest.set(k, r.offset);
          if (latest.size !== size) mapBytes += k.length + MAP_ENTRY_BYTES;
        }
      }
    }
  } finally {
    await mapIt.close();
  }

  // Pass 2: rewrite what lost records, in offset order.
  const result: CompactionResult = { recordsRemoved: 0, batchesRewritten: 0 };
  const horizon = now + config['delete.retention.ms'];
  // Producers whose current transaction still has records: their next marker must stay.
  const txnHasRecords = new Set<number>();
  let ops: KvOp[] = [];
  let opsBytes = 0;
  let cleanBytes = 0;
  const flush = async () => {
    ops.push({ type: 'put', key: partitionStateKey(topicId, partition), value: encodePartitionState(state) });
    await log.enqueueWrite(ops);
    // Readers served from memory would otherwise read what was just rewritten as it was.
    state.dropTail();
    ops = [];
    opsBytes = 0;
  };
  const rewriteIt = log.iterate({ gte: start, lt: batchKey(topicId, partition, end) });
  state.compactingUpTo = end;
  try {
    for (;;) {
      const entries = await rewriteIt.nextv(4);
      if (entries.length === 0) break;
      for (const [key, value] of entries) {
        if (state.topic.deleted) return result;
        const batch = decodeRecordBatch(value, { context });
        const deleteHorizon = batch.hasDeleteHorizon ? batch.baseTimestamp : undefined;
        if (batch.isControl) {
          // Kafka keeps a transaction's marker while the transaction has records in the log; after
          // that it is stamped with a delete horizon and removed by the first compaction past it.
          const hasRecords = txnHasRecords.delete(batch.producerId);
          if (hasRecords || (deleteHorizon !== undefined && now < deleteHorizon)) {
            cleanBytes += value.length;
            continue;
          }
          result.batchesRewritten++;
          if (deleteHorizon !== undefined) {
            ops.push({ type: 'del', key });
            state.sizeBytes -= value.length;
            forgetAbortedSpan(state, batch.producerId, batch.baseOffset, ops);
          } else {
            const bytes = encodeRecordBatch({
              baseOffset: batch.baseOffset,
              records: batch.records.map((r) => ({
                key: r.key,
                value: r.value,
                headers: r.headers,
                timestamp: r.timestamp,
                offsetDelta: r.offset - batch.baseOffset,
              })),
              lastOffsetDelta: batch.lastOffsetDelta,
              partitionLeaderEpoch: batch.partitionLeaderEpoch,
              producerId: batch.producerId,
              producerEpoch: batch.producerEpoch,
              baseSequence: batch.baseSequence,
              isTransactional: true,
              isControl: true,
              timestampType: batch.timestampType,
              deleteHorizonMs: horizon,
            });
            ops.push({ type: 'put', key, value: bytes });
            state.sizeBytes += bytes.length - value.length;
            cleanBytes += bytes.length;
            opsBytes += bytes.length;
          }
          if (opsBytes >= CHUNK_BYTES || ops.length >= 4096) await flush();
          continue;
        }
        const kept: RecordInput[] = [];
        let removed = 0;
        let tombstones = false;
        const aborted = batch.isTransactional && isAborted(state, batch.producerId, batch.baseOffset);
        for (const r of batch.records) {
          if (aborted) {
            removed++;
            continue;
          }
          if (r.key === null) {
            // Kafka's cleaner drops records without a key (left from before the topic was compacted).
            removed++;
            continue;
          }
          const newest = latest.get(keyString(r.key));
          if (newest !== undefined && newest !== r.offset) {
            removed++;
            continue;
          }
          if (r.value === null) {
            if (deleteHorizon !== undefined && now >= deleteHorizon) {
              removed++;
              continue;
            }
            tombstones = true;
          }
          kept.push({
            key: r.key,
            value: r.value,
            headers: r.headers,
            timestamp: r.timestamp,
            offsetDelta: r.offset - batch.baseOffset,
          });
        }
        if (batch.isTransactional && kept.length > 0) txnHasRecords.add(batch.producerId);
        const needsHorizon = tombstones && deleteHorizon === undefined;
        if (removed === 0 && !needsHorizon) {
          cleanBytes += value.length;
          continue;
        }
        result.recordsRemoved += removed;
        result.batchesRewritten++;
        if (kept.length === 0) {
          ops.push({ type: 'del', key });
          if (batch.maxTimestamp < 0)
            ops.push({ type: 'del', key: writeTimeKey(topicId, partition, batch.baseOffset) });
          state.sizeBytes -= value.length;
        } else {
          const bytes = encodeRecordBatch({
            baseOffset: batch.baseOffset,
            lastOffsetDelta: batch.lastOffsetDelta,
            records: kept,
            partitionLeaderEpoch: batch.partitionLeaderEpoch,
            producerId: batch.producerId,
            producerEpoch: batch.producerEpoch,
            baseSequence: batch.baseSequence,
            isTransactional: batch.isTransactional,
            compression: batch.compression,
            timestampType: batch.timestampType,
            deleteHorizonMs: tombstones ? (deleteHorizon ?? horizon) : undefined,
          });
          ops.push({ type: 'put', key, value: bytes });
          state.sizeBytes += bytes.length - value.length;
          cleanBytes += bytes.length;
          opsBytes += bytes.length;
        }
        if (opsBytes >= CHUNK_BYTES || ops.length >= 4096) await flush();
      }
    }
    // The newest batch's keys were in the map: unless the lag cut the scan short, it is clean too.
    if (end === lastBase) cleanBytes += last[1].length;
    state.cleanedUpTo = Math.max(state.cleanedUpTo, end);
    state.dirtyBytes = Math.max(0, state.sizeBytes - cleanBytes);
    await flush();
  } finally {
    state.compactingUpTo = 0;
    await rewriteIt.close();
  }
  return result;
}

/**
 * Whether a partition is due for compaction: its dirty share reached `min.cleanable.dirty.ratio`,
 * or its oldest uncompacted batch is older than `max.compaction.lag.ms` (Kafka's bound on how long
 * a record may wait to be compacted, whatever the ratio).
 */
async function due(log: MaintenancePort, state: PartitionState, now: number): Promise<boolean> {
  const config = state.topic.config;
  if (state.dirtyBytes === 0) return false;
  if (state.dirtyBytes / Math.max(1, state.sizeBytes) >= config['min.cleanable.dirty.ratio']) return true;
  const maxLag = config['max.compaction.lag.ms'];
  if (maxLag >= Number.MAX_SAFE_INTEGER) return false;
  const { topicId, name: topic } = state.topic;
  const it = log.iterate({
    gte: batchKey(topicId, state.partition, state.cleanedUpTo),
    lt: batchKey(topicId, state.partition, state.highWatermark),
    limit: 1,
  });
  const [first] = await it.nextv(1).finally(() => it.close());
  if (first === undefined) return false;
  const header = readBatchHeader(first[1], { topic, partition: state.partition });
  const firstTimestamp = header.hasDeleteHorizon ? header.maxTimestamp : header.baseTimestamp;
  return firstTimestamp >= 0 && firstTimestamp < now - maxLag;
}

/** Drops the aborted-transaction span an ABORT marker at `markerOffset` closed, with its key. */
function forgetAbortedSpan(state: PartitionState, producerId: number, markerOffset: number, ops: KvOp[]): void {
  const spans = state.aborted.get(producerId);
  if (spans === undefined) return;
  const kept = spans.filter((span) => span.lastOffset !== markerOffset);
  if (kept.length === spans.length) return;
  ops.push({ type: 'del', key: abortedTxnKey(state.topic.topicId, state.partition, markerOffset) });
  if (kept.length === 0) state.abortedToWrite().delete(producerId);
  else state.abortedToWrite().set(producerId, kept);
}
