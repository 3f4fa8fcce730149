import { describe, expect, it } from 'vitest';
import { ManualClock, murmur2, openLog, TributaryError } from '../../src/index.ts';
import { memoryTributary } from './helpers.ts';

async function setup(partitions = 3, producerConfig = {}) {
  const { tributary, clock } = memoryTributary();
  const admin = tributary.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 't', numPartitions: partitions }] });
  const producer = tributary.producer(producerConfig);
  await producer.connect();
  return { tributary, clock, admin, producer };
}

describe('Producer', () => {
  it('should return kafkajs RecordMetadata when a send succeeds', async () => {
    const { producer, admin } = await setup(1);
    const meta = await producer.send({ topic: 't', messages: [{ value: 'a' }, { value: 'b' }] });
    expect(meta).toEqual([
      { topicName: 't', partition: 0, errorCode: 0, baseOffset: '0', logAppendTime: '-1', logStartOffset: '0' },
    ]);
    const again = await producer.send({ topic: 't', messages: [{ value: 'c' }] });
    expect(again[0]!.baseOffset).toBe('2');
    await producer.disconnect();
    await admin.disconnect();
  });

  it("should answer a LogAppendTime topic's append time in logAppendTime, as kafkajs reads it from Kafka", async () => {
    const { producer, admin, clock } = await setup(1);
    await admin.createTopics({
      topics: [{ topic: 'stamped', configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] }],
    });
    const [meta] = await producer.send({ topic: 'stamped', messages: [{ value: 'a', timestamp: '5' }] });
    expect(meta!.logAppendTime).toBe(String(clock.now()));
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should place keyed records where the Java partitioner would when a key is given', async () => {
    const { producer, admin } = await setup(7);
    for (const key of ['a', 'user-42', 'foobar', '']) {
      const [meta] = await producer.send({ topic: 't', messages: [{ key, value: 'v' }] });
      expect(meta!.partition).toBe((murmur2(new TextEncoder().encode(key)) & 0x7fffffff) % 7);
    }
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should keep keyless records of one send on one sticky partition when no key is given', async () => {
    const { producer, admin } = await setup(5);
    const meta = await producer.send({
      topic: 't',
      messages: Array.from({ length: 20 }, (_, i) => ({ value: String(i) })),
    });
    expect(meta).toHaveLength(1);
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should honour an explicit partition and a custom partitioner when given', async () => {
    const { producer, admin, tributary } = await setup(4);
    const [meta] = await producer.send({ topic: 't', messages: [{ key: 'x', value: 'v', partition: 3 }] });
    expect(meta!.partition).toBe(3);
    const custom = tributary.producer({ createPartitioner: () => () => 2 });
    await custom.connect();
    const [m2] = await custom.send({ topic: 't', messages: [{ key: 'x', value: 'v' }] });
    expect(m2!.partition).toBe(2);
    await custom.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should fail with UNKNOWN_TOPIC_OR_PARTITION and append nothing when a topic is missing and auto-creation is off', async () => {
    const { producer, admin } = await setup(1, { allowAutoTopicCreation: false });
    await expect(
      producer.sendBatch({
        topicMessages: [
          { topic: 't', messages: [{ value: 'a' }] },
          { topic: 'missing', messages: [{ value: 'b' }] },
        ],
      }),
    ).rejects.toMatchObject({
      code: 'UNKNOWN_TOPIC_OR_PARTITION',
    });
    expect((await admin.fetchTopicOffsets('t'))[0]!.high).toBe('0');
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should create a missing topic on send by default, as kafkajs', async () => {
    const { producer, admin, tributary } = await setup(1);
    const auto = tributary.producer();
    await auto.connect();
    await auto.send({ topic: 'fresh', messages: [{ value: 'x' }] });
    expect(await admin.listTopics()).toContain('fresh');
    await auto.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should fail with MESSAGE_TOO_LARGE and append nothing when a record exceeds max.message.bytes', async () => {
    const { tributary } = memoryTributary();
    const admin = tributary.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: 'small', numPartitions: 2, configEntries: [{ name: 'max.message.bytes', value: '200' }] }],
    });
    const producer = tributary.producer();
    await producer.connect();
    const err = await producer
      .send({
        topic: 'small',
        messages: [
          { value: 'ok', partition: 0 },
          { value: 'x'.repeat(500), partition: 1 },
        ],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TributaryError);
    expect((err as TributaryError).code).toBe('MESSAGE_TOO_LARGE');
    expect((await admin.fetchTopicOffsets('small')).map((o) => o.high)).toEqual(['0', '0']);
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should write all partitions of a sendBatch atomically and give each send its own offsets when sends are concurrent', async () => {
    const { producer, admin } = await setup(2);
    await admin.createTopics({ topics: [{ topic: 'u', numPartitions: 1 }] });
    const sends = Array.from({ length: 100 }, (_, i) =>
      producer.sendBatch({
        topicMessages: [
          { topic: 't', messages: [{ value: `t${i}`, partition: i % 2 }] },
          { topic: 'u', messages: [{ value: `u${i}` }] },
        ],
      }),
    );
    const results = await Promise.all(sends);
    const uOffsets = results.map((r) => Number(r.find((m) => m.topicName === 'u')!.baseOffset));
    expect(new Set(uOffsets).size).toBe(100);
    expect((await admin.fetchTopicOffsets('u'))[0]!.high).toBe('100');
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should write sends issued together in batches of about 256 KiB, each while the one before is on its way', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const log = await openLog({ storage: 'memory', clock, maintenanceIntervalMs: 0 });
    // Every write the producer makes: its records, and how many writes were on their way as it began.
    const writes: { records: number; inFlight: number }[] = [];
    let inFlight = 0;
    const write = log.write.bind(log);
    log.write = async (appends, options) => {
      writes.push({ records: appends.reduce((n, a) => n + a.records.length, 0), inFlight });
      inFlight++;
      try {
        return await write(appends, options);
      } finally {
        inFlight--;
      }
    };
    const { tributary } = memoryTributary({ log, clock });
    const admin = tributary.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 't' }] });
    const producer = tributary.producer();
    await producer.connect();
    const value = Buffer.alloc(100, 'v');
    // Eight sends of 1,000 × 100 B at once (880 KB): a write each time the gathered sends pass
    // 256 KiB, the second while the first is on its way; the rest waits for the writes to settle.
    const metas = await Promise.all(
      Array.from({ length: 8 }, () =>
        producer.send({ topic: 't', messages: Array.from({ length: 1000 }, () => ({ value })) }),
      ),
    );
    expect(metas.map((m) => Number(m[0]!.baseOffset))).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000]);
    expect(writes.map((w) => w.records)).toEqual([3000, 3000, 2000]);
    expect(writes.map((w) => w.inFlight)).toEqual([0, 1, 0]);
    // Small sends made while a write is on its way still wait for it and go as one batch.
    writes.length = 0;
    const first = producer.send({ topic: 't', messages: [{ value: 'a' }] });
    await Promise.resolve();
    const gathered = Array.from({ length: 10 }, (_, i) =>
      producer.send({ topic: 't', messages: [{ value: `b${i}` }] }),
    );
    await Promise.all([first, ...gathered]);
    expect(writes.map((w) => w.records)).toEqual([1, 10]);
    await producer.disconnect();
    await admin.disconnect();
    await log.close();
  });

  it('should fail only the faulty send when sends gathered together include a bad one', async () => {
    const { producer, admin } = await setup(1);
    const good = producer.send({ topic: 't', messages: [{ value: 'fine' }] });
    const bad = producer.send({ topic: 't', messages: [{ value: 'x', partition: 9 }] });
    await expect(bad).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION' });
    await expect(good).resolves.toHaveLength(1);
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should reject a send with CLIENT_NOT_CONNECTED when the producer is not connected', async () => {
    const { tributary } = memoryTributary();
    await expect(tributary.producer().send({ topic: 't', messages: [{ value: 'v' }] })).rejects.toMatchObject({
      code: 'CLIENT_NOT_CONNECTED',
    });
  });
});
