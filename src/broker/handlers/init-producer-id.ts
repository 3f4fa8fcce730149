/**
 * InitProducerId (key 22): a producer id for an idempotent producer, or for a transactional id the
 * same producer id with its epoch bumped (fencing the previous holder and aborting its open
 * transaction), through the log's producer state. A transaction timeout above Kafka's
 * `transaction.max.timeout.ms` (15 minutes) gets INVALID_TRANSACTION_TIMEOUT.
 *
 * Re-initialisation (KIP-360, v3+): a transactional producer naming the producer id and epoch it
 * holds gets the same id with the next epoch; naming the epoch before the last bump is a retry and
 * gets the current identity again; anything else is PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before
 * v4, which cannot carry it). As Kafka's coordinator, a request without a transactional id always
 * gets a new producer id: an idempotent producer bumps its own epoch without asking the broker.
 */
import { API } from '../../protocol/messages/index.ts';
import { KafkaCode, kafkaCodeOf } from '../errors.ts';
import { handler } from '../handler.ts';

/** Kafka's transaction.max.timeout.ms. */
const MAX_TRANSACTION_TIMEOUT_MS = 900_000;

export const initProducerIdHandler = handler(API.InitProducerId, async (broker, req, info) => {
  const fail = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 });
  // Kafka refuses an empty transactional id rather than treating it as none.
  if (req.transactionalId === '') return fail(KafkaCode.INVALID_REQUEST);
  const transactional = req.transactionalId !== null;
  if (transactional && (req.transactionTimeoutMs <= 0 || req.transactionTimeoutMs > MAX_TRANSACTION_TIMEOUT_MS)) {
    return fail(KafkaCode.INVALID_TRANSACTION_TIMEOUT);
  }
  const expected =
    info.apiVersion >= 3 && req.producerId >= 0 && req.producerEpoch >= 0
      ? { producerId: Number(req.producerId), producerEpoch: req.producerEpoch }
      : undefined;
  try {
    const { producerId, producerEpoch } = await broker.log.initProducerId(
      transactional
        ? { transactionalId: req.transactionalId!, transactionTimeoutMs: req.transactionTimeoutMs, expected }
        : {},
    );
    if (transactional)
      broker.transactions.initialised(req.transactionalId!, producerId, producerEpoch, req.transactionTimeoutMs);
    return { throttleTimeMs: 0, errorCode: KafkaCode.NONE, producerId, producerEpoch };
  } catch (err) {
    const code = kafkaCodeOf(err);
    return fail(code === KafkaCode.PRODUCER_FENCED && info.apiVersion < 4 ? KafkaCode.INVALID_PRODUCER_EPOCH : code);
  }
});
