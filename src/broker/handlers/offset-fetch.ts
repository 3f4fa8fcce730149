/**
 * OffsetFetch (key 9): committed offsets with their metadata; a partition never committed answers
 * offset -1 and no error. A null topic list (v2+) means every partition the group committed. v8+
 * asks for several groups at once. With `requireStable` (v7+), a partition whose offsets an open
 * transaction holds answers UNSTABLE_OFFSET_COMMIT (offset -1), as on Kafka, and the client asks
 * again once the transaction has ended.
 */
import type { OffsetStore } from '../../cluster/offset-store.ts';
import type { BrokerContext } from '../context.ts';
import { API } from '../../protocol/messages/index.ts';
import { KafkaCode } from '../errors.ts';
import { handler } from '../handler.ts';

interface Asked {
  name: string;
  partitionIndexes: number[];
}

/** Whether an open transaction holds the offsets of a partition (only asked with requireStable). */
type Pending = (topic: string, partition: number) => boolean;

function pendingOf(broker: BrokerContext, groupId: string, requireStable: boolean): Pending {
  if (!requireStable) return () => false;
  const now = broker.clock.now();
  return (topic, partition) => broker.transactions.holdsOffsets(groupId, topic, partition, now);
}

function committed(offsets: OffsetStore, groupId: string, topics: Asked[] | null, pending: Pending) {
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
      if (pending(t.name, partitionIndex))
        return {
          partitionIndex,
          committedOffset: -1,
          committedLeaderEpoch: -1,
          metadata: '',
          errorCode: KafkaCode.UNSTABLE_OFFSET_COMMIT,
        };
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
        topics: committed(offsets, g.groupId, g.topics, pendingOf(broker, g.groupId, req.requireStable)),
        errorCode: KafkaCode.NONE,
      })),
    };
  }
  const topics = info.apiVersion < 2 && req.topics === null ? [] : req.topics;
  const pending = pendingOf(broker, req.groupId, info.apiVersion >= 7 && req.requireStable);
  return {
    throttleTimeMs: 0,
    topics: committed(offsets, req.groupId, topics, pending),
    errorCode: KafkaCode.NONE,
    groups: [],
  };
});
