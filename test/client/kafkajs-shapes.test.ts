import { describe, expect, it } from 'vitest';
import { KafkaJSNonRetriableError, type KafkaMessage } from '../../src/index.ts';
import { memoryTributary, until } from './helpers.ts';

async function setup() {
  const { tributary } = memoryTributary();
  const admin = tributary.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 't' }] });
  const producer = tributary.producer();
  await producer.connect();
  await producer.send({ topic: 't', messages: ['a', 'b', 'c'].map((value) => ({ value })) });
  return { tributary, admin, producer };
}

describe("kafkajs's smaller shapes", () => {
  it('should refuse seek and pause before run(), as kafkajs', async () => {
    const { tributary } = await setup();
    const consumer = tributary.consumer({ groupId: 'g' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['t'] });
    expect(() => consumer.seek({ topic: 't', partition: 0, offset: '0' })).toThrow(KafkaJSNonRetriableError);
    expect(() => consumer.pause([{ topic: 't' }])).toThrow(/consumer#run must be called first/);
    await tributary.close();
  });

  it('should seek to -2 (earliest) and -1 (latest)', async () => {
    const { tributary, producer } = await setup();
    const consumer = tributary.consumer({ groupId: 'g' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['t'] });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
    consumer.seek({ topic: 't', partition: 0, offset: '-2' });
    await until(() => seen.length === 3, 'the records from the start');
    consumer.seek({ topic: 't', partition: 0, offset: '-1' });
    await producer.send({ topic: 't', messages: [{ value: 'd' }] });
    await until(() => seen.length === 4, 'the new record');
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
    await tributary.close();
  });

  it("should start a group from resetOffsets' sentinels: -2 the log start, -1 the end", async () => {
    const { tributary, admin, producer } = await setup();
    await admin.resetOffsets({ groupId: 'early', topic: 't', earliest: true });
    await admin.resetOffsets({ groupId: 'late', topic: 't' });
    const take = async (groupId: string) => {
      const consumer = tributary.consumer({ groupId });
      await consumer.connect();
      await consumer.subscribe({ topics: ['t'] });
      const seen: KafkaMessage[] = [];
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(message) });
      return { consumer, seen };
    };
    const early = await take('early');
    const late = await take('late');
    await producer.send({ topic: 't', messages: [{ value: 'd' }] });
    await until(() => early.seen.length === 4 && late.seen.length === 1, 'both groups');
    expect(late.seen.map((m) => String(m.value))).toEqual(['d']);
    // kafkajs's message shape, magicByte included.
    expect(early.seen[0]).toMatchObject({ offset: '0', magicByte: 2, attributes: 0 });
    await tributary.close();
  });

  it('should refuse acks other than -1 on an idempotent producer, as kafkajs', async () => {
    const { tributary } = await setup();
    const producer = tributary.producer({ idempotent: true });
    await producer.connect();
    await expect(producer.send({ topic: 't', acks: 1, messages: [{ value: 'x' }] })).rejects.toBeInstanceOf(
      KafkaJSNonRetriableError,
    );
    await expect(
      producer.sendBatch({ acks: 0, topicMessages: [{ topic: 't', messages: [{ value: 'x' }] }] }),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(producer.send({ topic: 't', messages: [{ value: 'x' }] })).resolves.toHaveLength(1);
    await tributary.close();
  });
});

describe("kafkajs's event ids and group descriptions", () => {
  it('should number events from one counter of the process and give describeGroups an errorCode', async () => {
    const { tributary, admin } = await setup();
    const ids: unknown[] = [];
    const other = tributary.admin();
    other.on(other.events.CONNECT, (e) => ids.push(e.id));
    await other.connect();
    const consumer = tributary.consumer({ groupId: 'g' });
    consumer.on(consumer.events.CONNECT, (e) => ids.push(e.id));
    await consumer.connect();
    expect(ids.map((id) => typeof id)).toEqual(['number', 'number']);
    expect((ids[1] as number) > (ids[0] as number)).toBe(true);
    const { groups } = await admin.describeGroups(['g']);
    expect(groups[0]).toMatchObject({ errorCode: 0, groupId: 'g' });
    await tributary.close();
  });
});
