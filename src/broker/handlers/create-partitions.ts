/**
 * CreatePartitions (key 37): grows topics to a larger partition count; groups subscribed to them
 * rebalance. A count not above the current one gets INVALID_PARTITIONS; `validateOnly` checks only.
 */
import { TributaryError } from '../../errors.ts';
import { API } from '../../protocol/messages/index.ts';
import { KafkaCode, kafkaCodeOf, kafkaMessageOf } from '../errors.ts';
import { handler } from '../handler.ts';

export const createPartitionsHandler = handler(API.CreatePartitions, async (broker, req) => {
  const results = [];
  for (const t of req.topics) {
    try {
      if (req.validateOnly) {
        const current = broker.log.partitionCount(t.name);
        if (t.count <= current)
          throw new TributaryError(
            'INVALID_PARTITIONS',
            `Topic "${t.name}" has ${current} partitions; the count must be larger`,
            { topic: t.name },
          );
      } else {
        await broker.log.createPartitions(t.name, t.count);
        broker.coordinator.partitionsChanged(t.name);
      }
      results.push({ name: t.name, errorCode: KafkaCode.NONE, errorMessage: null });
    } catch (err) {
      results.push({ name: t.name, errorCode: kafkaCodeOf(err), errorMessage: kafkaMessageOf(err) });
    }
  }
  return { throttleTimeMs: 0, results };
});
