/**
 * ListTransactions (key 66), DescribeTransactions (key 65) and DescribeProducers (key 61): what
 * `kafka-transactions.sh` shows. Transactions are those of the producers this broker initialised
 * (their state as Kafka names it: Empty, Ongoing, CompleteCommit, CompleteAbort); producers per
 * partition come from the log's producer state.
 */
import { API } from '../../protocol/messages/index.ts';
import { KafkaCode, kafkaCodeOf, kafkaMessageOf } from '../errors.ts';
import { handler } from '../handler.ts';

const TRANSACTIONAL_ID_NOT_FOUND = 105;
const STATES = new Set([
  'Empty',
  'Ongoing',
  'PrepareCommit',
  'PrepareAbort',
  'CompleteCommit',
  'CompleteAbort',
  'Dead',
  'PrepareEpochFence',
]);

export const listTransactionsHandler = handler(API.ListTransactions, (broker, req) => {
  const states = new Set(req.stateFilters);
  const producers = new Set(req.producerIdFilters);
  const now = broker.clock.now();
  const transactionStates = [];
  for (const t of broker.transactions.all()) {
    if (states.size > 0 && !states.has(t.state)) continue;
    if (producers.size > 0 && !producers.has(t.producerId)) continue;
    if (req.durationFilter >= 0 && (t.startedAt < 0 || now - t.startedAt < req.durationFilter)) continue;
    transactionStates.push({ transactionalId: t.transactionalId, producerId: t.producerId, transactionState: t.state });
  }
  return {
    throttleTimeMs: 0,
    errorCode: KafkaCode.NONE,
    unknownStateFilters: req.stateFilters.filter((s) => !STATES.has(s)),
    transactionStates,
  };
});

export const describeTransactionsHandler = handler(API.DescribeTransactions, (broker, req) => ({
  throttleTimeMs: 0,
  transactionStates: req.transactionalIds.map((transactionalId) => {
    const t = broker.transactions.ofTransactionalId(transactionalId);
    if (t === undefined) {
      return {
        errorCode: TRANSACTIONAL_ID_NOT_FOUND,
        transactionalId,
        transactionState: '',
        transactionTimeoutMs: 0,
        transactionStartTimeMs: -1,
        producerId: -1,
        producerEpoch: -1,
        topics: [],
      };
    }
    const byTopic = new Map<string, number[]>();
    for (const key of t.partitions) {
      const [topic, partition] = key.split('\u0000') as [string, string];
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), Number(partition)]);
    }
    return {
      errorCode: KafkaCode.NONE,
      transactionalId,
      transactionState: t.state,
      transactionTimeoutMs: t.timeoutMs,
      transactionStartTimeMs: t.startedAt,
      producerId: t.producerId,
      producerEpoch: t.epoch,
      topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
    };
  }),
}));

interface ProducerStates {
  producerStates(
    topic: string,
    partition: number,
  ): { producerId: number; producerEpoch: number; lastSequence: number; currentTxnStartOffset: number }[];
}

export const describeProducersHandler = handler(API.DescribeProducers, (broker, req) => ({
  throttleTimeMs: 0,
  topics: req.topics.map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => {
      try {
        broker.log.offsets(t.name, partitionIndex);
        const source = broker.log as Partial<ProducerStates>;
        const states = typeof source.producerStates === 'function' ? source.producerStates(t.name, partitionIndex) : [];
        return {
          partitionIndex,
          errorCode: KafkaCode.NONE,
          errorMessage: null,
          activeProducers: states.map((p) => ({ ...p, lastTimestamp: -1, coordinatorEpoch: 0 })),
        };
      } catch (err) {
        return { partitionIndex, errorCode: kafkaCodeOf(err), errorMessage: kafkaMessageOf(err), activeProducers: [] };
      }
    }),
  })),
}));
