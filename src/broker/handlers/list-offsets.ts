/**
 * ListOffsets (key 2): an offset per partition by timestamp. -1 is the end (the high watermark, or
 * with read_committed from v2 the last stable offset), -2 the log start offset, -3 (v7+) the record
 * with the largest timestamp, -4 (v8+) the earliest local offset, which is the log start here; a
 * timestamp ≥ 0 gets the first record at or after it, or offset -1 when there is none. v0 answers
 * in its old shape, a list of offsets.
 */
import type { LogBackend } from '../../log/index.ts';
import { API } from '../../protocol/messages/index.ts';
import type { ListOffsetsResponse } from '../../protocol/messages/list-offsets.ts';
import { KafkaCode, kafkaCodeOf } from '../errors.ts';
import { handler } from '../handler.ts';

type PartitionResponse = ListOffsetsResponse['topics'][number]['partitions'][number];

export const listOffsetsHandler = handler(API.ListOffsets, async (broker, req, info) => {
  const committed = info.apiVersion >= 2 && req.isolationLevel === 1;
  const topics: ListOffsetsResponse['topics'] = [];
  for (const t of req.topics) {
    const partitions: PartitionResponse[] = [];
    for (const p of t.partitions) {
      try {
        const { offset, timestamp } = await lookup(broker.log, t.name, p.partitionIndex, p.timestamp, committed);
        partitions.push({
          partitionIndex: p.partitionIndex,
          errorCode: KafkaCode.NONE,
          oldStyleOffsets: offset >= 0 ? [offset] : [],
          timestamp,
          offset,
          leaderEpoch: 0,
        });
      } catch (err) {
        partitions.push({
          partitionIndex: p.partitionIndex,
          errorCode: kafkaCodeOf(err),
          oldStyleOffsets: [],
          timestamp: -1,
          offset: -1,
          leaderEpoch: -1,
        });
      }
    }
    topics.push({ name: t.name, partitions });
  }
  return { throttleTimeMs: 0, topics };
});

async function lookup(
  log: LogBackend,
  topic: string,
  partition: number,
  timestamp: number,
  committed: boolean,
): Promise<{ offset: number; timestamp: number }> {
  const offsets = log.offsets(topic, partition);
  if (timestamp === -1) return { offset: committed ? offsets.lastStableOffset : offsets.highWatermark, timestamp: -1 };
  if (timestamp === -2 || timestamp === -4) return { offset: offsets.logStartOffset, timestamp: -1 };
  if (timestamp === -3) return maxTimestamp(log, topic, partition, offsets.logStartOffset, offsets.highWatermark);
  if (timestamp < 0) return { offset: -1, timestamp: -1 };
  const offset = await log.offsetForTimestamp(topic, partition, timestamp);
  if (offset === null) return { offset: -1, timestamp: -1 };
  const { records } = await log.read(topic, partition, offset, { maxRecords: 1 });
  return { offset, timestamp: records[0]?.timestamp ?? timestamp };
}

/** The first record with the partition's largest timestamp (KIP-734): a scan, as it is rarely asked. */
async function maxTimestamp(
  log: LogBackend,
  topic: string,
  partition: number,
  from: number,
  to: number,
): Promise<{ offset: number; timestamp: number }> {
  let best = { offset: -1, timestamp: -1 };
  let offset = from;
  while (offset < to) {
    const { records, nextOffset } = await log.read(topic, partition, offset, { maxBytes: 1 << 20 });
    for (const r of records) if (r.timestamp > best.timestamp) best = { offset: r.offset, timestamp: r.timestamp };
    if (nextOffset <= offset) break;
    offset = nextOffset;
  }
  return best;
}
