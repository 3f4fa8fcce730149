/**
 * TxnOffsetCommit (key 28): the offsets are written now, as a transactional batch of the producer
 * to `__consumer_offsets`, and become the group's committed offsets only when EndTxn commits (an
 * abort drops them): consume-transform-produce exactly once, as on Kafka. The group must have been
 * added with AddOffsetsToTxn first (INVALID_TXN_STATE otherwise).
 */
import type { OffsetCommit } from '../../cluster/offset-store.ts';
import { API } from '../../protocol/messages/index.ts';
import { KafkaCode, kafkaCodeOf } from '../errors.ts';
import { handler } from '../handler.ts';

export const txnOffsetCommitHandler = handler(API.TxnOffsetCommit, async (broker, req) => {
  const answer = (code: (topic: string, partition: number) => number) => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: code(t.name, p.partitionIndex),
      })),
    })),
  });
  const producer = broker.transactions.verify(req.transactionalId, req.producerId, req.producerEpoch);
  if (typeof producer === 'number') return answer(() => producer);
  if (!producer.groups.has(req.groupId)) return answer(() => KafkaCode.INVALID_TXN_STATE);
  const commits: OffsetCommit[] = req.topics.flatMap((t) =>
    t.partitions.map((p) => ({
      topic: t.name,
      partition: p.partitionIndex,
      offset: p.committedOffset,
      metadata: p.committedMetadata,
    })),
  );
  if (commits.length === 0) return answer(() => KafkaCode.NONE);
  const { offsets } = broker.coordinator;
  try {
    await offsets.ready();
    const append = offsets.append(req.groupId, commits, {
      producerId: producer.producerId,
      producerEpoch: producer.epoch,
      baseSequence: producer.offsetsSequence,
      isTransactional: true,
    });
    producer.offsetsSequence += commits.length;
    await broker.log.write([append], { sync: false });
    producer.offsets.push({ group: req.groupId, commits });
    return answer(() => KafkaCode.NONE);
  } catch (err) {
    const code = kafkaCodeOf(err);
    return answer(() => code);
  }
});
