/**
 * AddOffsetsToTxn (key 25): the group's offsets may be committed in the transaction; its
 * `__consumer_offsets` partition joins the transaction.
 */
import { OFFSETS_TOPIC } from '../../cluster/offset-store.ts';
import { API } from '../../protocol/messages/index.ts';
import { KafkaCode } from '../errors.ts';
import { handler } from '../handler.ts';
import { partitionKey } from '../transactions.ts';

export const addOffsetsToTxnHandler = handler(API.AddOffsetsToTxn, (broker, req) => {
  const producer = broker.transactions.verify(req.transactionalId, req.producerId, req.producerEpoch);
  if (typeof producer === 'number') return { throttleTimeMs: 0, errorCode: producer };
  if (req.groupId === '') return { throttleTimeMs: 0, errorCode: KafkaCode.INVALID_GROUP_ID };
  producer.groups.add(req.groupId);
  producer.partitions.add(partitionKey(OFFSETS_TOPIC, 0));
  broker.transactions.began(producer, broker.clock.now());
  return { throttleTimeMs: 0, errorCode: KafkaCode.NONE };
});
