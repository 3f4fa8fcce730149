/**
 * OffsetCommit (key 8): a member's commit (its generation must be current) or, with generation -1
 * (and always in v0), a standalone commit for a group without members. The commit's metadata string
 * is stored and OffsetFetch returns it. A partition that does not exist gets
 * UNKNOWN_TOPIC_OR_PARTITION and is not committed; metadata over Kafka's 4096 bytes gets
 * OFFSET_METADATA_TOO_LARGE; a group error answers every partition.
 */
import type { OffsetCommit } from '../../cluster/offset-store.ts';
import { API } from '../../protocol/messages/index.ts';
import { KafkaCode, kafkaCodeOf } from '../errors.ts';
import { handler } from '../handler.ts';

/** Kafka's offset.metadata.max.bytes. */
const MAX_METADATA_BYTES = 4096;

export const offsetCommitHandler = handler(API.OffsetCommit, async (broker, req, info) => {
  const codes = new Map<string, number>();
  const commits: OffsetCommit[] = [];
  for (const t of req.topics) {
    let partitions = -1;
    try {
      partitions = broker.log.partitionCount(t.name);
    } catch {}
    for (const p of t.partitions) {
      const key = `${t.name}\u0000${p.partitionIndex}`;
      if (p.partitionIndex < 0 || p.partitionIndex >= partitions) codes.set(key, KafkaCode.UNKNOWN_TOPIC_OR_PARTITION);
      else if (p.committedMetadata !== null && Buffer.byteLength(p.committedMetadata) > MAX_METADATA_BYTES)
        codes.set(key, KafkaCode.OFFSET_METADATA_TOO_LARGE);
      else
        commits.push({
          topic: t.name,
          partition: p.partitionIndex,
          offset: p.committedOffset,
          metadata: p.committedMetadata,
        });
    }
  }
  let groupError: number = KafkaCode.NONE;
  if (req.groupId === '') groupError = KafkaCode.INVALID_GROUP_ID;
  else {
    try {
      const generationId = info.apiVersion >= 1 ? req.generationIdOrMemberEpoch : -1;
      await broker.coordinator.commitOffsets({
        groupId: req.groupId,
        memberId: req.memberId,
        generationId,
        offsets: commits,
        groupInstanceId: info.apiVersion >= 7 ? (req.groupInstanceId ?? undefined) : undefined,
      });
    } catch (err) {
      groupError = kafkaCodeOf(err);
    }
  }
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: codes.get(`${t.name}\u0000${p.partitionIndex}`) ?? groupError,
      })),
    })),
  };
});
