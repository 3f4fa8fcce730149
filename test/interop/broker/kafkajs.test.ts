import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTribServe, type TribServe } from './trib-serve.ts';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

/** kafkajs 2.2.4 against `trib serve` in another process. */
describe('kafkajs against trib serve', () => {
  let server: TribServe;
  let kafka: Kafka;
  beforeAll(async () => {
    server = await startTribServe();
    kafka = new Kafka({ clientId: 'interop', brokers: [server.bootstrap], logLevel: logLevel.NOTHING });
  });
  afterAll(() => server?.dispose());

  it('should create topics, produce with acks 0, 1 and -1 and idempotently, and read it all back read_committed', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kjs', numPartitions: 2 }] });
    expect((await admin.fetchTopicMetadata({ topics: ['kjs'] })).topics[0]!.partitions).toHaveLength(2);
    const producer = kafka.producer();
    const idempotent = kafka.producer({ idempotent: true });
    await producer.connect();
    await idempotent.connect();
    await producer.send({ topic: 'kjs', acks: 0, messages: [{ partition: 0, value: 'acks0' }] });
    await producer.send({ topic: 'kjs', acks: 1, messages: [{ partition: 0, value: 'acks1' }] });
    await producer.send({ topic: 'kjs', acks: -1, messages: [{ partition: 1, value: 'acks-1' }] });
    await idempotent.send({ topic: 'kjs', acks: -1, messages: [{ partition: 1, value: 'idem' }] });
    await producer.disconnect();
    await idempotent.disconnect();
    const offsets = await admin.fetchTopicOffsets('kjs');
    expect(offsets.map((o) => [o.partition, o.high]).sort()).toEqual([
      [0, '2'],
      [1, '2'],
    ]);
    const consumer = kafka.consumer({ groupId: 'kjs-reader', readUncommitted: false, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'kjs', fromBeginning: true });
    const values: string[] = [];
    await new Promise<void>((done) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(String(message.value));
          if (values.length === 4) done();
        },
      });
    });
    await consumer.disconnect();
    expect(values.sort()).toEqual(['acks-1', 'acks0', 'acks1', 'idem']);
    const committed = await admin.fetchOffsets({ groupId: 'kjs-reader', topics: ['kjs'] });
    expect(committed[0]!.partitions.map((p) => p.offset).sort()).toEqual(['2', '2']);
    await admin.disconnect();
  });

  it('should share a topic between two members of a group and commit what they consumed', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kjs-group', numPartitions: 4 }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'kjs-group',
      acks: -1,
      messages: [0, 1, 2, 3].flatMap((partition) =>
        Array.from({ length: 10 }, (_, i) => ({ partition, value: `${partition}-${i}` })),
      ),
    });
    await producer.disconnect();
    const seen = new Set<string>();
    const assigned: number[][] = [[], []];
    const members = [0, 1].map(() =>
      kafka.consumer({
        groupId: 'kjs-two',
        sessionTimeout: 10_000,
        heartbeatInterval: 300,
        rebalanceTimeout: 10_000,
        maxWaitTimeInMs: 200,
      }),
    );
    for (const [i, consumer] of members.entries()) {
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        assigned[i] = [...(payload.memberAssignment['kjs-group'] ?? [])].sort();
      });
      await consumer.connect();
      await consumer.subscribe({ topic: 'kjs-group', fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          seen.add(String(message.value));
        },
      });
    }
    const deadline = Date.now() + 60_000;
    while (
      (seen.size < 40 ||
        assigned[0]!.length === 0 ||
        assigned[1]!.length === 0 ||
        assigned[0]!.length + assigned[1]!.length !== 4) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Taken before the members leave: the last one out is handed every partition on its way.
    const shares = [...assigned[0]!, ...assigned[1]!].sort();
    for (const consumer of members) await consumer.disconnect();
    expect(seen.size).toBe(40);
    expect(shares).toEqual([0, 1, 2, 3]);
    const offsets = await admin.fetchOffsets({ groupId: 'kjs-two', topics: ['kjs-group'] });
    await admin.disconnect();
    expect(offsets[0]!.partitions.map((p) => p.offset)).toEqual(['10', '10', '10', '10']);
  });

  it('should keep what was acknowledged across a restart of the broker', async () => {
    const producer = kafka.producer();
    await producer.connect();
    // The topic does not exist: kafkajs's Metadata request creates it (auto.create.topics.enable).
    await producer.send({ topic: 'durable', acks: -1, messages: [{ value: 'before restart' }] });
    await producer.disconnect();
    const stopping = Date.now();
    expect(await server.stop()).toBe(0);
    console.log(`trib serve stopped in ${Date.now() - stopping} ms`);
    await server.restart();
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets('durable');
    await admin.disconnect();
    expect(offsets[0]!.high).toBe('1');
  });
});
