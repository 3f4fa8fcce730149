import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { atLeastOnce } from '../../examples/kafkajs-port/delivery-at-least-once.ts';
import { atMostOnce } from '../../examples/kafkajs-port/delivery-at-most-once.ts';
import { ManualClock, Tributary } from '../../src/index.ts';
import { memoryTributary, until } from './helpers.ts';

describe('delivery guarantees', () => {
  it('should redeliver a processed message when the consumer crashes before committing it (at-least-once)', async () => {
    const { tributary } = memoryTributary();
    expect(await atLeastOnce(tributary)).toEqual(['a', 'b', 'c', 'c', 'd', 'e']);
  });

  it('should skip a committed message when the consumer crashes before processing it (at-most-once)', async () => {
    const { tributary } = memoryTributary();
    expect(await atMostOnce(tributary)).toEqual(['a', 'b', 'd', 'e']);
  });

  it('should resume from committed offsets when the log is reopened from disk', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'trib-offsets-'));
    try {
      const clock = new ManualClock(1_000);
      const first = new Tributary({ dataDir, logLevel: 0, clock });
      const admin = first.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'in', numPartitions: 2 }] });
      const producer = first.producer();
      await producer.connect();
      await producer.send({
        topic: 'in',
        messages: Array.from({ length: 6 }, (_, i) => ({ value: String(i), partition: i % 2 })),
      });
      const consumer = first.consumer({ groupId: 'g' });
      await consumer.connect();
      await consumer.subscribe({ topics: ['in'], fromBeginning: true });
      let n = 0;
      await consumer.run({ eachMessage: async () => void n++ });
      await until(() => n === 6, 'first pass');
      await consumer.disconnect();
      await producer.send({ topic: 'in', messages: [{ value: 'later', partition: 1 }] });
      await producer.disconnect();
      await admin.disconnect(); // last client out: the log closes

      const second = new Tributary({ dataDir, logLevel: 0, clock });
      const admin2 = second.admin();
      await admin2.connect();
      expect((await admin2.fetchOffsets({ groupId: 'g', topics: ['in'] }))[0]!.partitions.map((p) => p.offset)).toEqual(
        ['3', '3'],
      );
      expect(
        (await admin2.fetchConsumerLag({ groupId: 'g', topics: ['in'] }))[0]!.partitions.map((p) => p.lag),
      ).toEqual(['0', '1']);
      const again = second.consumer({ groupId: 'g' });
      await again.connect();
      await again.subscribe({ topics: ['in'], fromBeginning: true });
      const seen: string[] = [];
      await again.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
      await until(() => seen.length === 1, 'the new record');
      expect(seen).toEqual(['later']);
      await again.disconnect();
      expect((await admin2.listGroups()).groups).toEqual([{ groupId: 'g', protocolType: 'consumer' }]);
      await admin2.deleteGroups(['g']);
      expect((await admin2.listGroups()).groups).toEqual([]);
      await admin2.disconnect();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
