/**
 * EndTxn (key 26): COMMIT or ABORT markers on every partition the transaction wrote, in one atomic
 * fsynced write of the log; read_committed readers move past it then. A commit makes the offsets
 * sent with TxnOffsetCommit the group's committed offsets.
 */
import { API } from '../../protocol/messages/index.ts';
import { TributaryError } from '../../errors.ts';
import { KafkaCode, kafkaCodeOf } from '../errors.ts';
import { handler } from '../handler.ts';

export const endTxnHandler = handler(API.EndTxn, async (broker, req) => {
  const answer = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 });
  const producer = broker.transactions.verify(req.transactionalId, req.producerId, req.producerEpoch);
  if (typeof producer === 'number') return answer(producer);
  try {
    await broker.log.endTransaction({
      producerId: producer.producerId,
      producerEpoch: producer.epoch,
      commit: req.committed,
    });
    if (req.committed)
      for (const { group, commits } of producer.offsets) broker.coordinator.offsets.apply(group, commits);
    broker.transactions.ended(producer, req.committed);
    return answer(KafkaCode.NONE);
  } catch (err) {
    // The log aborted it on timeout and bumped the epoch: this producer is fenced.
    if (err instanceof TributaryError && err.code === 'PRODUCER_FENCED')
      return answer(KafkaCode.INVALID_PRODUCER_EPOCH);
    return answer(kafkaCodeOf(err));
  }
});
