import { describe, expect, it } from 'vitest';
import {
  type ConsumerConfig,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
} from '../../src/index.ts';
import { memoryTributary, until } from './helpers.ts';

async function failingConsumer(retry: ConsumerConfig['retry'], tributaryRetry?: ConsumerConfig['retry']) {
  const { tributary, clock } = memoryTributary({ retry: tributaryRetry });
  const producer = tributary.producer();
  await producer.connect();
  await producer.send({ topic: 'in', messages: [{ value: 'poison' }] });
  const consumer = tributary.consumer({ groupId: 'g', retry });
  await consumer.connect();
  await consumer.subscribe({ topics: ['in'], fromBeginning: true });
  const crashes: { error: Error; restart: boolean }[] = [];
  consumer.on(consumer.events.CRASH, ({ payload }) => crashes.push(payload));
  let joins = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => void joins++);
  let calls = 0;
  await consumer.run({
    eachMessage: async () => {
      calls++;
      throw new Error('boom');
    },
  });
  /** Moves the clock past each backoff until `condition` holds. */
  const drive = async (condition: () => boolean, what: string) => {
    for (let i = 0; i < 200 && !condition(); i++) {
      await new Promise<void>((r) => setImmediate(r));
      clock.advance(1_000);
    }
    await until(condition, what, 1_000);
  };
  return { tributary, consumer, crashes, drive, calls: () => calls, joins: () => joins };
}

describe('consumer retries as kafkajs (retry.retries, restartOnFailure, CRASH.restart)', () => {
  it('should try a failing batch 1 + retries times, then crash with KafkaJSNumberOfRetriesExceeded and stop when restartOnFailure says no', async () => {
    const t = await failingConsumer({ retries: 2, initialRetryTime: 10, restartOnFailure: async () => false });
    await t.drive(() => t.crashes.length === 1, 'the crash');
    expect(t.calls()).toBe(3);
    const { error, restart } = t.crashes[0]!;
    expect(restart).toBe(false);
    expect(error).toBeInstanceOf(KafkaJSNumberOfRetriesExceeded);
    expect(error).toBeInstanceOf(KafkaJSNonRetriableError);
    expect(error).toBeInstanceOf(KafkaJSError);
    expect((error as KafkaJSNumberOfRetriesExceeded).code).toBe('RETRIES_EXCEEDED');
    expect((error.cause as Error).message).toBe('boom');
    // Stopped: no partitions, no more calls however long one waits.
    expect(t.consumer.assignment()).toEqual([]);
    await t.drive(() => false, 'nothing').catch(() => undefined);
    expect(t.calls()).toBe(3);
    await t.tributary.close();
  });

  it('should restart after the crash by default, rejoining the group and trying again', async () => {
    const t = await failingConsumer({ retries: 1, initialRetryTime: 10 });
    await t.drive(() => t.crashes.length === 1, 'the crash');
    expect(t.crashes[0]!.restart).toBe(true);
    expect(t.calls()).toBe(2);
    await t.drive(() => t.joins() === 2 && t.calls() > 2, 'the restart');
    await t.consumer.disconnect();
    await t.tributary.close();
  });

  it("should take the Tributary's retry options when the consumer has none", async () => {
    const t = await failingConsumer(undefined, {
      retries: 1,
      initialRetryTime: 10,
      restartOnFailure: async () => false,
    });
    await t.drive(() => t.crashes.length === 1, 'the crash');
    expect(t.calls()).toBe(2);
    expect(t.crashes[0]!.restart).toBe(false);
    await t.tributary.close();
  });
});
