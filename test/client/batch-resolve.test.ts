import { describe, expect, it } from 'vitest';
import type { EachBatchPayload } from '../../src/index.ts';
import { memoryTributary, until } from './helpers.ts';

async function setup() {
  const { tributary } = memoryTributary();
  const admin = tributary.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'in' }] });
  const producer = tributary.producer();
  await producer.connect();
  await producer.send({ topic: 'in', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
  const consumer = tributary.consumer({ groupId: 'g' });
  await consumer.connect();
  await consumer.subscribe({ topics: ['in'], fromBeginning: true });
  return { tributary, consumer };
}

describe('eachBatchAutoResolve: false (kafkajs fetches again from the last resolved offset)', () => {
  it('should redeliver from offset 1 a batch of 3 of which only the first was resolved', async () => {
    const { tributary, consumer } = await setup();
    const batches: string[][] = [];
    await consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset }: EachBatchPayload) => {
        batches.push(batch.messages.map((m) => m.offset));
        if (batches.length === 1) resolveOffset(batch.messages[0]!.offset);
        else for (const m of batch.messages) resolveOffset(m.offset);
      },
    });
    await until(() => batches.length >= 2, 'a second batch');
    expect(batches.slice(0, 2)).toEqual([
      ['0', '1', '2'],
      ['1', '2'],
    ]);
    await consumer.disconnect();
    await tributary.close();
  });

  it('should redeliver from the last resolved offset after pause() mid-batch, once resumed', async () => {
    const { tributary, consumer } = await setup();
    const batches: string[][] = [];
    let resume: (() => void) | undefined;
    await consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, pause }: EachBatchPayload) => {
        batches.push(batch.messages.map((m) => m.offset));
        if (batches.length === 1) {
          resolveOffset(batch.messages[0]!.offset);
          resume = pause();
          return;
        }
        for (const m of batch.messages) resolveOffset(m.offset);
      },
    });
    await until(() => resume !== undefined, 'the pause');
    for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
    expect(batches).toHaveLength(1);
    resume!();
    await until(() => batches.length >= 2, 'a second batch');
    expect(batches[1]).toEqual(['1', '2']);
    await consumer.disconnect();
    await tributary.close();
  });
});
