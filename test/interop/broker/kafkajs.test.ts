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
