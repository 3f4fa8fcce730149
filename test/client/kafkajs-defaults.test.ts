import { describe, expect, it } from 'vitest';
import type { ConsumerRunConfig } from '../../src/index.ts';
import { memoryTributary, until } from './helpers.ts';

/** Runs a consumer over one batch of 5 records; returns the offsets of each commit it made, and what is committed after stop. */
async function commitsOf(run: Omit<ConsumerRunConfig, 'eachMessage' | 'eachBatch'>, advanceAt?: number) {
  const { tributary, clock } = memoryTributary();
  const admin = tributary.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'in' }] });
  const producer = tributary.producer();
  await producer.connect();
  await producer.send({ topic: 'in', messages: ['a', 'b', 'c', 'd', 'e'].map((value) => ({ value })) });
  const consumer = tributary.consumer({ groupId: 'g' });
  await consumer.connect();
  await consumer.subscribe({ topics: ['in'], fromBeginning: true });
  const commits: string[] = [];
  consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) => commits.push(payload.topics[0]!.partitions[0]!.offset));
  let seen = 0;
  let batchDone = false;
  consumer.on(consumer.events.END_BATCH_PROCESS, () => {
    batchDone = true;
  });
  await consumer.run({
    ...run,
    eachMessage: async ({ message }) => {
      seen++;
      if (Number(message.offset) === advanceAt) clock.advance(10_000);
    },
  });
  await until(() => seen === 5 && batchDone, 'the batch');
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
  const afterBatch = [...commits];
  await consumer.disconnect();
  const committed = (await admin.fetchOffsets({ groupId: 'g', topics: ['in'] }))[0]!.partitions[0]!.offset;
  await tributary.close();
  return { afterBatch, committed };
}

describe('auto-commit as kafkajs', () => {
  it('should commit after each processed batch when neither interval nor threshold is set', async () => {
    expect(await commitsOf({})).toEqual({ afterBatch: ['5'], committed: '5' });
  });

  it('should commit after each batch also when autoCommitInterval is set, and once the interval passed mid-batch', async () => {
    expect(await commitsOf({ autoCommitInterval: 5_000 }, 1)).toEqual({ afterBatch: ['2', '5'], committed: '5' });
  });

  it('should add a commit each autoCommitThreshold resolved messages, and still commit after the batch', async () => {
    expect(await commitsOf({ autoCommitThreshold: 2 })).toEqual({ afterBatch: ['2', '4', '5'], committed: '5' });
  });

  it('should commit nothing with autoCommit: false, not even on stop', async () => {
    expect(await commitsOf({ autoCommit: false, autoCommitInterval: 1, autoCommitThreshold: 1 }, 0)).toEqual({
      afterBatch: [],
      committed: '-1',
    });
  });
});

describe('topic auto-creation as kafkajs', () => {
  it('should create a subscribed topic that is missing by default, and refuse it with allowAutoTopicCreation: false', async () => {
    const { tributary } = memoryTributary();
    const consumer = tributary.consumer({ groupId: 'g' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['made-by-subscribe'] });
    const admin = tributary.admin();
    await admin.connect();
    expect(await admin.listTopics()).toContain('made-by-subscribe');
    const strict = tributary.consumer({ groupId: 'h', allowAutoTopicCreation: false });
    await strict.connect();
    await expect(strict.subscribe({ topics: ['still-missing'] })).rejects.toMatchObject({
      code: 'UNKNOWN_TOPIC_OR_PARTITION',
    });
    await tributary.close();
  });
});
