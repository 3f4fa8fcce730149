/**
 * OffsetFetch (key 9): committed offsets with their metadata; a partition never committed answers
 * offset -1 and no error. A null topic list (v2+) means every partition the group committed. v8+
 * asks for several groups at once.
 */
import type { OffsetStore } from '../../cluster/offset-store.ts';
import { API } from '../../protocol/messages/index.ts';
import { KafkaCode } from '../errors.ts';
import { handler } from '../handler.ts';

interface Asked {
  name: string;
  partitionIndexes: number[];
}

function committed(offsets: OffsetStore, groupId: string, topics: Asked[] | null) {
  const wanted: Asked[] =
    topics ??
    Object.values(
      offsets.list(groupId).reduce<Record<string, Asked>>((acc, e) => {
        (acc[e.topic] ??= { name: e.topic, partitionIndexes: [] }).partitionIndexes.push(e.partition);
        return acc;
      }, {}),
    );
  return wanted.map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => {
      const c = offsets.get(groupId, t.name, partitionIndex);
      return {
        partitionIndex,
        committedOffset: c?.offset ?? -1,
        committedLeaderEpoch: -1,
        metadata: c?.metadata ?? '',
        errorCode: KafkaCode.NONE,
      };
    }),
  }));
}

export const offsetFetchHandler = handler(API.OffsetFetch, (broker, req, info) => {
  const { offsets } = broker.coordinator;
  if (info.apiVersion >= 8) {
    return {
      throttleTimeMs: 0,
      topics: [],
      errorCode: KafkaCode.NONE,
      groups: req.groups.map((g) => ({
        groupId: g.groupId,
        topics: committed(offsets, g.groupId, g.topics),
        errorCode: KafkaCode.NONE,
      })),
    };
  }
  const topics = info.apiVersion < 2 && req.topics === null ? [] : req.topics;
  return { throttleTimeMs: 0, topics: committed(offsets, req.groupId, topics), errorCode: KafkaCode.NONE, groups: [] };
});
