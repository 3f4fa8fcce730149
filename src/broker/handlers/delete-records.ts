/**
 * DeleteRecords (key 21): moves each partition's log start offset up (-1 means the high watermark)
 * and answers the new low watermark; an offset past the high watermark gets OFFSET_OUT_OF_RANGE.
 */
import { API } from '../../protocol/messages/index.ts';
import { KafkaCode, kafkaCodeOf } from '../errors.ts';
import { handler } from '../handler.ts';

export const deleteRecordsHandler = handler(API.DeleteRecords, async (broker, req) => {
  const topics = [];
  for (const t of req.topics) {
    const partitions = [];
    for (const p of t.partitions) {
      try {
        const before = p.offset === -1 ? broker.log.offsets(t.name, p.partitionIndex).highWatermark : p.offset;
        const lowWatermark = await broker.log.deleteRecords(t.name, p.partitionIndex, before);
        partitions.push({ partitionIndex: p.partitionIndex, lowWatermark, errorCode: KafkaCode.NONE });
      } catch (err) {
        partitions.push({ partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: kafkaCodeOf(err) });
      }
    }
    topics.push({ name: t.name, partitions });
  }
  return { throttleTimeMs: 0, topics };
});
