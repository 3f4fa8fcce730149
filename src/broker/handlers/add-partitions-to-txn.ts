/**
 * AddPartitionsToTxn (key 24): partitions join the producer's open transaction; only those may get
 * its transactional batches. v0-3 carry one transaction, v4+ several (`verifyOnly` checks without
 * adding). A partition that does not exist gets UNKNOWN_TOPIC_OR_PARTITION, and then the others of
 * the request OPERATION_NOT_ATTEMPTED, as Kafka answers.
 */
import { API } from '../../protocol/messages/index.ts';
import type { BrokerContext } from '../context.ts';
import { KafkaCode } from '../errors.ts';
import { handler } from '../handler.ts';
import { partitionKey } from '../transactions.ts';

const OPERATION_NOT_ATTEMPTED = 55;

type Topics = { name: string; partitions: number[] }[];

function add(
  broker: BrokerContext,
  transactionalId: string,
  producerId: number,
  epoch: number,
  topics: Topics,
  verifyOnly: boolean,
) {
  const producer = broker.transactions.verify(transactionalId, producerId, epoch);
  const exists = (topic: string, partition: number) => {
    try {
      return partition >= 0 && partition < broker.log.partitionCount(topic);
    } catch {
      return false;
    }
  };
  const missing = topics.some((t) => t.partitions.some((p) => !exists(t.name, p)));
  return topics.map((t) => ({
    name: t.name,
    resultsByPartition: t.partitions.map((p) => {
      let code: number = KafkaCode.NONE;
      if (typeof producer === 'number') code = producer;
      else if (!exists(t.name, p)) code = KafkaCode.UNKNOWN_TOPIC_OR_PARTITION;
      else if (missing) code = OPERATION_NOT_ATTEMPTED;
      else if (verifyOnly)
        code = producer.partitions.has(partitionKey(t.name, p)) ? KafkaCode.NONE : KafkaCode.INVALID_TXN_STATE;
      else {
        producer.partitions.add(partitionKey(t.name, p));
        broker.transactions.began(producer, broker.clock.now());
      }
      return { partitionIndex: p, partitionErrorCode: code };
    }),
  }));
}

export const addPartitionsToTxnHandler = handler(API.AddPartitionsToTxn, (broker, req, info) => {
  if (info.apiVersion >= 4) {
    return {
      throttleTimeMs: 0,
      errorCode: KafkaCode.NONE,
      resultsByTransaction: req.transactions.map((t) => ({
        transactionalId: t.transactionalId,
        topicResults: add(broker, t.transactionalId, t.producerId, t.producerEpoch, t.topics, t.verifyOnly),
      })),
      resultsByTopicV3AndBelow: [],
    };
  }
  return {
    throttleTimeMs: 0,
    errorCode: KafkaCode.NONE,
    resultsByTransaction: [],
    resultsByTopicV3AndBelow: add(
      broker,
      req.v3AndBelowTransactionalId,
      req.v3AndBelowProducerId,
      req.v3AndBelowProducerEpoch,
      req.v3AndBelowTopics,
      false,
    ),
  };
});
