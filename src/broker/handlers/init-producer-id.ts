/**
 * InitProducerId (key 22): a producer id for an idempotent producer, or for a transactional id the
 * same producer id with its epoch bumped (fencing the previous holder and aborting its open
 * transaction), through the log's producer state. A transaction timeout above Kafka's
 * `transaction.max.timeout.ms` (15 minutes) gets INVALID_TRANSACTION_TIMEOUT.
 */
import { API } from '../../protocol/messages/index.ts';
import { KafkaCode, kafkaCodeOf } from '../errors.ts';
import { handler } from '../handler.ts';

/** Kafka's transaction.max.timeout.ms. */
const MAX_TRANSACTION_TIMEOUT_MS = 900_000;

export const initProducerIdHandler = handler(API.InitProducerId, async (broker, req) => {
  const fail = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 });
  const transactional = req.transactionalId !== null && req.transactionalId !== '';
  if (transactional && (req.transactionTimeoutMs <= 0 || req.transactionTimeoutMs > MAX_TRANSACTION_TIMEOUT_MS)) {
    return fail(KafkaCode.INVALID_TRANSACTION_TIMEOUT);
  }
  try {
    const { producerId, producerEpoch } = await broker.log.initProducerId(
      transactional ? { transactionalId: req.transactionalId!, transactionTimeoutMs: req.transactionTimeoutMs } : {},
    );
    if (transactional) broker.transactions.initialised(req.transactionalId!, producerId, producerEpoch);
    return { throttleTimeMs: 0, errorCode: KafkaCode.NONE, producerId, producerEpoch };
  } catch (err) {
    return fail(kafkaCodeOf(err));
  }
});
