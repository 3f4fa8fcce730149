/**
 * A stream app's committed input offsets, kept as the consumer group `applicationId` in the
 * compacted `__consumer_offsets` topic with the clients' (Kafka's) key/value layout, so group
 * tools see the app's progress. They are written in the same atomic log write as the outputs.
 */
import {
  decodeOffsetKey,
  decodeOffsetValue,
  encodeOffsetKey,
  encodeOffsetValue,
  OFFSETS_TOPIC,
} from '../../cluster/offset-store.ts';
import type { AppendRecord, LogBackend } from '../../log/index.ts';

export { OFFSETS_TOPIC };

export async function ensureOffsetsTopic(log: LogBackend): Promise<void> {
  if ((await log.listTopics()).includes(OFFSETS_TOPIC)) return;
  try {
    await log.createTopic({ topic: OFFSETS_TOPIC, numPartitions: 1, configs: { 'cleanup.policy': 'compact' } });
  } catch (err) {
    if ((err as { code?: string }).code !== 'TOPIC_ALREADY_EXISTS') throw err;
  }
}

/** Reads the group's latest committed offset and its metadata per `topic:partition`. */
export async function readCommittedOffsets(
  log: LogBackend,
  groupId: string,
): Promise<Map<string, { offset: number; metadata: string | null }>> {
  const out = new Map<string, { offset: number; metadata: string | null }>();
  const { highWatermark, logStartOffset } = log.offsets(OFFSETS_TOPIC, 0);
  let offset = logStartOffset;
  while (offset < highWatermark) {
    const result = await log.read(OFFSETS_TOPIC, 0, offset, { maxBytes: 4 << 20 });
    for (const r of result.records) {
      if (r.key === null) continue;
      const key = decodeOffsetKey(r.key);
      if (key === undefined || key.group !== groupId) continue;
      const id = `${key.topic}:${key.partition}`;
      if (r.value === null) out.delete(id);
      else {
        const { offset, metadata } = decodeOffsetValue(r.value);
        out.set(id, { offset, metadata });
      }
    }
    if (result.nextOffset <= offset) break;
    offset = result.nextOffset;
  }
  return out;
}

export function offsetRecord(
  groupId: string,
  topic: string,
  partition: number,
  offset: number,
  metadata: string | null,
  now: number,
): AppendRecord {
  return {
    key: encodeOffsetKey(groupId, topic, partition),
    value: encodeOffsetValue(offset, metadata, now),
    timestamp: now,
  };
}
