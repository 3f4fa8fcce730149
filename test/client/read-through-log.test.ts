import { describe, expect, it } from 'vitest';
import { ManualClock, openLog } from '../../src/index.ts';
import { memoryTributary, until } from './helpers.ts';

describe('consumers read records through the log only', () => {
  it('should never deliver records that retention deleted while the consumer was paused', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const log = await openLog({ storage: 'memory', clock, maintenanceIntervalMs: 0 });
    const { tributary } = memoryTributary({ log, clock });
    const admin = tributary.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 't', configEntries: [{ name: 'retention.ms', value: '1000' }] }] });
    const producer = tributary.producer();
    await producer.connect();
    // Two batches: offsets 0-4, then (2 s later) 5-9.
    await producer.send({ topic: 't', messages: [0, 1, 2, 3, 4].map((i) => ({ value: `v${i}` })) });
    clock.advance(2_000);
    await producer.send({ topic: 't', messages: [5, 6, 7, 8, 9].map((i) => ({ value: `v${i}` })) });

    const consumer = tributary.consumer({ groupId: 'g' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['t'], fromBeginning: true });
    const seen: string[] = [];
    let paused = false;
    await consumer.run({
      eachMessage: async ({ message, pause }) => {
        seen.push(message.offset);
        if (message.offset === '2') {
          pause();
          paused = true;
        }
      },
    });
    await until(() => paused, 'the pause at offset 2');
    // Retention deletes the first batch (its records are 2 s old; the topic keeps 1 s).
    await log.maintenance();
    expect(log.offsets('t', 0).logStartOffset).toBe(5);
    consumer.resume([{ topic: 't' }]);
    await until(() => seen.length >= 8, 'the records after the deleted batch');
    expect(seen).toEqual(['0', '1', '2', '5', '6', '7', '8', '9']);
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
    await log.close();
  });
});
